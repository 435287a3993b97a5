/**
 * `npm run bench`: N reprovisions per scenario through a real n8n-core workflow execution
 * against the local Graph server, with Graph-like latency, throttling and faults. The last
 * line printed is one JSON object with every figure; the lines before it are for people.
 */
import { startGraphServer, manyCloudPcs, type GraphServerOptions } from '../graph-server';
import {
	REFRESH_TOKEN,
	ACCESS_TOKEN,
	delegatedCredential,
	reprovisionParameters,
} from '../fixtures';
import { runCloudPcNode } from '../harness/run-workflow';

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

async function runScenario({ name, server: extra, floorMs }: Scenario, n = N) {
	const fleet = manyCloudPcs(n);
	const expiredToken = 'expired-before-the-run';
	const server = await startGraphServer({
		cloudPcs: fleet,
		tokens: { [ACCESS_TOKEN]: { scopes: ['CloudPC.ReadWrite.All'], userId: fleet[0].userId } },
		refreshTokens: { [REFRESH_TOKEN]: { accessToken: ACCESS_TOKEN } },
		latencyMs: LATENCY_MS,
		logRequests: false,
		...extra,
	});
	let peakRss = process.memoryUsage().rss;
	const sampler = setInterval(() => {
		peakRss = Math.max(peakRss, process.memoryUsage().rss);
	}, 20);
	try {
		const started = performance.now();
		// The stored access token has expired: the run pays for exactly one token request.
		const { output, error } = await runCloudPcNode({
			credentials: delegatedCredential(server.url, expiredToken),
			parameters: reprovisionParameters({ throughput: { batchesInFlight: BATCHES_IN_FLIGHT } }),
			items: fleet.map((pc) => ({ cloudPcId: pc.id })),
			continueOnFail: true,
		});
		const ms = Math.round(performance.now() - started);
		if (error) throw error;
		const stats = server.stats();
		const { lost, duplicated } = server.lostAndDuplicated(fleet.map((pc) => pc.id));
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
		await server.close();
	}
}

async function main() {
	// A running n8n has its modules loaded and compiled: warm up so the first scenario does not pay for it.
	await runScenario({ name: 'warm-up', server: {}, floorMs: 0 }, 100);
	const results = [];
	for (const scenario of scenarios) results.push(await runScenario(scenario));
	console.log(JSON.stringify({ scenarios: results }));
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
