// See quiet-environment.js: the test's console writes into its kept logs instead of the terminal.
// A whole Console over a stream, not patched methods: n8n's logger (winston) writes to the
// console's stream directly.
import { Console } from 'node:console';
import { Writable } from 'node:stream';

const kept = (globalThis as { __keptLogs?: string[] }).__keptLogs;
if (kept) {
	const keep = new Writable({
		write(chunk: Buffer | string, _encoding, done) {
			kept.push(String(chunk).trimEnd());
			done();
		},
	});
	globalThis.console = new Console({ stdout: keep, stderr: keep });
}
