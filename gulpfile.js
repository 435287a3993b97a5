const { src, dest } = require('gulp');

/** tsc emits JavaScript only; the icons and codex files n8n loads beside it are copied here. */
function buildAssets() {
	return src(['nodes/**/*.{png,svg,json}', 'credentials/**/*.{png,svg}', 'icons/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

exports.build = buildAssets;
exports.default = buildAssets;
