// Jest environment that keeps a test's console output (n8n's logger writes every node error
// there) and prints it only when that test, or a hook around it, fails: a green run shows the
// summary alone, a red one shows what the failing test logged. quiet-console.ts routes the
// console into `__keptLogs`.
const { TestEnvironment } = require('jest-environment-node');

class QuietEnvironment extends TestEnvironment {
	constructor(config, context) {
		super(config, context);
		this.kept = [];
		this.global.__keptLogs = this.kept;
	}

	handleTestEvent(event) {
		if (event.name === 'test_start') this.kept.length = 0;
		else if (event.name === 'test_done' && event.test.errors.length > 0) this.print(event.test);
		else if (event.name === 'hook_failure') this.print(event.test, event.hook.type);
	}

	print(test, hook) {
		if (this.kept.length === 0) return;
		const title = [...titles(test), hook].filter(Boolean).join(' › ');
		process.stderr.write(
			`\n--- console output of failing "${title}" ---\n${this.kept.join('\n')}\n`,
		);
		this.kept.length = 0;
	}
}

function titles(test) {
	const names = [];
	for (let block = test; block && block.parent; block = block.parent) names.unshift(block.name);
	return names;
}

module.exports = QuietEnvironment;
