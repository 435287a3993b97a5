#!/usr/bin/env node
// End-to-end tests through a real n8n: the packed package installed as Community Nodes installs
// it, the example workflows and their credentials imported with n8n's CLI, workflows run with
// `n8n execute`, through a production webhook and a polling trigger of `n8n start`, against the
// local Graph-compatible server, whose request log the checks read.
//
//   npm run test:e2e                       newest 2.x and newest 1.x (see scripts/lib/toolchain.mjs)
//   E2E_N8N_VERSIONS=2.41.1 npm run test:e2e
//
// Closing line: "N passed, N failed"; exit code 1 when anything failed.
import { rmSync } from 'node:fs';
import { join } from 'node:path';

import { startDemoControl } from '../../scripts/lib/demo-control.mjs';
import {
	DEMO_TOKENS,
	loadGraphServerModule,
	startLocalGraph,
} from '../../scripts/lib/graph-server.mjs';
import { N8n, buildAndPack, installAsCommunityPackage } from '../../scripts/lib/n8n.mjs';
import { startNotificationSink } from '../../scripts/lib/local-env.mjs';
import {
	CACHE,
	N8N_VERSIONS,
	ensureN8n,
	ensureNode,
	log,
	nodeVersionOf,
} from '../../scripts/lib/toolchain.mjs';
import { Report } from './harness.mjs';
import { importForTests, READ_ONLY } from './setup.mjs';
import { nightlyScenarios } from './nightly.e2e.mjs';
import { rerunScenarios } from './rerun.e2e.mjs';
import { ticketScenarios } from './ticket.e2e.mjs';
import { liveScenarios } from './trigger.e2e.mjs';

const versions = (process.env.E2E_N8N_VERSIONS ?? `${N8N_VERSIONS['2']},${N8N_VERSIONS['1']}`)
	.split(',')
	.map((v) => v.trim())
	.filter(Boolean);
/** Away from the demo's 5678/5679, so both can run at once. */
const PORT = Number(process.env.E2E_N8N_PORT ?? 5698);

async function suite(version, tarball, report) {
	const started = Date.now();
	const node = await ensureNode(version);
	const install = await ensureN8n(version, node);
	const userFolder = join(CACHE, `e2e-n8n-${version}`);
	rmSync(userFolder, { recursive: true, force: true });
	const n8n = new N8n(install, node, userFolder, { port: PORT });
	await installAsCommunityPackage(userFolder, tarball, node);

	const { server: graph, samples } = await startLocalGraph({
		pageSize: 2,
		extraTokens: {
			[READ_ONLY.accessToken]: { scopes: ['CloudPC.Read.All'], userId: DEMO_TOKENS.userId },
		},
	});
	const sink = await startNotificationSink();
	const control = await startDemoControl(graph, samples);
	// Cloud PCs the rerun scenarios add to the samples (every other check sees the samples only)
	const fleet = (await loadGraphServerModule()).manyCloudPcs(20);
	const ctx = { version, n8n, graph, sink, control, samples, fleet, report };
	try {
		log(`n8n ${version}: importing credentials and workflows`);
		Object.assign(ctx, await importForTests(ctx));
		process.stdout.write(`\n=== n8n ${version} on Node ${nodeVersionOf(node)} ===\n`);
		await nightlyScenarios(ctx);
		await ticketScenarios(ctx);
		await rerunScenarios(ctx);
		await n8n.stop();
		await liveScenarios(ctx);
	} finally {
		await n8n.stop();
		await graph.close();
		await sink.close();
		await control.close();
	}
	process.stdout.write(`\n(n8n ${version}: ${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
}

async function main() {
	const report = new Report();
	const started = Date.now();
	log('building and packing the package');
	const tarball = await buildAndPack();
	log(`packed ${tarball}`);
	for (const version of versions) {
		try {
			await suite(version, tarball, report);
		} catch (error) {
			report.fail(`n8n ${version}: suite could not run`, error);
		}
	}
	report.summary();
	process.stdout.write(`(total ${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
	process.exitCode = report.failed ? 1 : 0;
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.on(signal, () => {
		if (stopping) return;
		stopping = true;
		log(`${signal}: stopping n8n`);
		void N8n.stopAll().finally(() => process.exit(130));
	});
}

await main();
