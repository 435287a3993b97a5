// What `npm start` and `npm run test:e2e` print while they work: one line per step, and a
// progress line whenever a step has printed nothing for 10 s, so a long install never looks hung.
// Commands' own output (npm, gulp, node-gyp) stays out of it unless CLOUDPC_VERBOSE=1.

export const VERBOSE = process.env.CLOUDPC_VERBOSE === '1';

/** A step silent for this long gets a progress line (the promise: one at least every 15 s). */
const QUIET_MS = 10_000;

let lastLine = Date.now();
/** The steps under way, innermost last: only the innermost reports progress. */
const active = [];
let ticker;

export function log(message) {
	process.stderr.write(`[cloudpc] ${message}\n`);
	lastLine = Date.now();
}

/** 75 s → "1 min 15 s". */
export function duration(ms) {
	const seconds = Math.round(ms / 1000);
	if (seconds < 60) return `${seconds} s`;
	return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

function tick() {
	const current = active.at(-1);
	if (!current || Date.now() - lastLine < QUIET_MS) return;
	const detail = current.detail?.();
	log(
		`${current.label}: ${duration(Date.now() - current.since)} so far${detail ? `, ${detail}` : ''}`,
	);
}

/**
 * Runs `fn` as one step: logs `label` (and `note`, when given), a progress line with the time
 * so far and `detail()` (what it is doing now) whenever nothing was printed for 10 s, and the
 * time it took.
 */
export async function step(label, fn, { note, detail } = {}) {
	const current = { label, detail, since: Date.now() };
	log(note ? `${label} (${note})` : label);
	active.push(current);
	ticker ??= setInterval(tick, 1000);
	try {
		const result = await fn();
		log(`${label}: done in ${duration(Date.now() - current.since)}`);
		return result;
	} finally {
		active.splice(active.indexOf(current), 1);
		if (!active.length) {
			clearInterval(ticker);
			ticker = undefined;
		}
	}
}
