/**
 * `npm run bench`: N reprovisions per scenario through a real n8n-core workflow execution
 * against the local Graph server, with Graph-like latency, throttling and faults. The last
 * line printed is one JSON object with every figure; the lines before it are for people.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

import { manyCloudPcs, type GraphServerOptions } from '../graph-server';
import {
	REFRESH_TOKEN,
	ACCESS_TOKEN,
	delegatedCredential,
	reprovisionParameters,
} from '../fixtures';
import { runCloudPcNode } from '../harness/run-workflow';
import type { ServerReport, ServerRequest } from './graph-server-process';

const N = Number(process.env.BENCH_N ?? 1000);
const LATENCY_MS = 50;
const BATCH = 20;
const BATCHES_IN_FLIGHT = 4;
const THROTTLE = { limit: 200, windowMs: 20_000 };

interface Scenario {
	name: string;
	server: Partial<GraphServerOptions>;
	floorMs: number;
}

const scenarios: Scenario[] = [
	{
		name: 'plain',
		server: {},
		floorMs: Math.ceil(N / BATCH / BATCHES_IN_FLIGHT) * LATENCY_MS,
	},
	{
		name: 'throttled',
		server: { throttle: THROTTLE },
		floorMs: (Math.ceil(N / THROTTLE.limit) - 1) * THROTTLE.windowMs,
	},
	{
		name: 'faults',
		server: { faultRate: 0.1 },
		floorMs: Math.ceil(N / BATCH / BATCHES_IN_FLIGHT) * LATENCY_MS,
	},
];

async function ask(child: ChildProcess, message: ServerRequest | 'report'): Promise<ServerReport> {
	child.send(message);
	const [report] = (await once(child, 'message')) as [ServerReport];
	return report;
}

async function runScenario({ name, server: extra, floorMs }: Scenario, n = N) {
	const fleet = manyCloudPcs(n);
	const expiredToken = 'expired-before-the-run';
	const child = fork(join(__dirname, 'graph-server-process.js'));
	const { url } = await ask(child, {
		n,
		options: {
			tokens: { [ACCESS_TOKEN]: { scopes: ['CloudPC.ReadWrite.All'], userId: fleet[0].userId } },
			refreshTokens: { [REFRESH_TOKEN]: { accessToken: ACCESS_TOKEN } },
			latencyMs: LATENCY_MS,
			logRequests: false,
			...extra,
		},
	});
	let peakRss = process.memoryUsage().rss;
	const sampler = setInterval(() => {
		peakRss = Math.max(peakRss, process.memoryUsage().rss);
	}, 20);
	try {
		const started = performance.now();
		// The stored access token has expired: the run pays for exactly one token request.
		const { output, error } = await runCloudPcNode({
			credentials: delegatedCredential(url!, expiredToken),
			parameters: reprovisionParameters({ throughput: { batchesInFlight: BATCHES_IN_FLIGHT } }),
			items: fleet.map((pc) => ({ cloudPcId: pc.id })),
			continueOnFail: true,
		});
		const ms = Math.round(performance.now() - started);
		if (error) throw error;
		const report = await ask(child, 'report');
		const stats = report.stats!;
		const { lost, duplicated } = report.lostAndDuplicated!;
		const result = {
			name,
			n,
			ms,
			floor_ms: floorMs,
			http_requests: stats.httpRequests,
			reprovision_attempts: stats.reprovisionAttempts,
			token_requests: stats.tokenRequests,
			lost,
			duplicated,
			error_items: output.filter((item) => item.json.outcome !== 'requested').length,
			output_items: output.length,
			throttled: stats.throttled,
			faulted: stats.faulted,
			peak_rss_mb: Math.round(peakRss / 2 ** 20),
		};
		if (name === 'warm-up') return result;
		console.log(
			`${name}: ${ms} ms (floor ${floorMs} ms, ${(ms / Math.max(floorMs, 1)).toFixed(2)}x), ` +
				`${result.http_requests} HTTP requests, ${result.reprovision_attempts} reprovision attempts, ` +
				`lost ${lost}, duplicated ${duplicated}, error items ${result.error_items}`,
		);
		return result;
	} finally {
		clearInterval(sampler);
		if (child.exitCode === null) child.kill();
	}
}

async function main() {
	// A running n8n has its modules loaded and compiled: warm up so the first scenario does not pay for it.
	await runScenario({ name: 'warm-up', server: {}, floorMs: 0 }, 100);
	const only = process.env.BENCH_SCENARIOS?.split(',');
	const results = [];
	for (const scenario of scenarios) {
		if (!only || only.includes(scenario.name)) results.push(await runScenario(scenario));
	}
	console.log(JSON.stringify({ scenarios: results }));
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
