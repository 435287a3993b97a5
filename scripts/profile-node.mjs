// `node scripts/profile-node.mjs <file.cpuprofile>`: where the Microsoft Cloud PC node's time went
// in a V8 CPU profile of `n8n execute` (`BENCH_PROFILE=<dir> npm run bench:n8n`).
//
// The window runs from the first to the last sample with the node's actions on the stack (its
// loading excluded); every sample in it is counted, whoever's code it is, by the first rule that
// matches its stack. docs/performance.md's "Where the rest goes" was read this way.
import { readFileSync } from 'node:fs';

const CATEGORIES = [
	[
		'n8n: credential read and decrypt',
		(stack) => stack.some((f) => /^_?getCredentials$|^getDecrypted$/.test(f.functionName)),
	],
	['MSAL (token)', (stack) => stack.some((f) => f.url.includes('msal'))],
	[
		'TLS, sockets, HTTP (Node.js)',
		(stack) =>
			/^node:|^$/.test(stack[0].url) && stack.some((f) => /tls|net|http|stream/.test(f.url)),
	],
	[
		'n8n: request helper and axios',
		(stack) => stack.some((f) => /axios|request-helpers|backend-network/.test(f.url)),
	],
	["the node's own code", (stack) => stack.some((f) => f.url.includes('MicrosoftCloudPc'))],
	[
		'n8n: other',
		(stack) => stack.some((f) => /n8n-core|n8n-workflow|@n8n|packages\/cli/.test(f.url)),
	],
];
const SPECIAL = new Map([
	['(idle)', 'idle (waiting for Graph)'],
	['(garbage collector)', 'garbage collection'],
	['(program)', 'V8 (program)'],
]);

function summarize(profile) {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parentOf = new Map();
	for (const node of profile.nodes)
		for (const child of node.children ?? []) parentOf.set(child, node.id);
	const stackOf = (id) => {
		const frames = [];
		for (let at = id; at !== undefined; at = parentOf.get(at)) frames.push(byId.get(at).callFrame);
		return frames;
	};
	const stacks = profile.samples.map(stackOf);
	const ours = stacks.map(
		(stack) =>
			stack.some((f) => f.url.includes('MicrosoftCloudPc/actions/')) &&
			!stack.some((f) => f.functionName === 'loadClassInIsolation'),
	);
	const first = ours.indexOf(true);
	const last = ours.lastIndexOf(true);
	if (first < 0) throw new Error('No sample of the Microsoft Cloud PC node in this profile');
	const totals = new Map();
	let windowUs = 0;
	for (let i = first; i <= last; i++) {
		const us = profile.timeDeltas[i + 1] ?? 0;
		const stack = stacks[i];
		const category =
			SPECIAL.get(stack[0].functionName) ??
			CATEGORIES.find(([, matches]) => matches(stack))?.[0] ??
			'other';
		totals.set(category, (totals.get(category) ?? 0) + us);
		windowUs += us;
	}
	return { windowUs, totals };
}

const file = process.argv[2];
if (!file) {
	console.error('usage: node scripts/profile-node.mjs <file.cpuprofile>');
	process.exit(2);
}
const { windowUs, totals } = summarize(JSON.parse(readFileSync(file, 'utf8')));
console.log(`the node's window: ${Math.round(windowUs / 1000)} ms`);
for (const [category, us] of [...totals].sort((a, b) => b[1] - a[1])) {
	console.log(`${String(Math.round(us / 1000)).padStart(7)} ms  ${category}`);
}
