import type { INodeParameters } from 'n8n-workflow';

import { START_IN_FLIGHT } from '../../nodes/MicrosoftCloudPc/transport/retry';
import type { GraphServer, GraphServerOptions, LoggedRequest } from '../graph-server';
import { delegatedCredential, reprovisionParameters, startFleetServer } from '../fixtures';
import { manyCloudPcs } from '../graph-server';
import { runCloudPcNode } from '../harness/run-workflow';

/**
 * Batches in flight adapt (transport/retry.ts ThrottleGate): START_IN_FLIGHT at first, one more
 * per batch Graph answers clean, halved at once on a 429, never above "Batches in Flight", never
 * below one. Seen from the Graph server: how many $batch envelopes it held open at once, and
 * when each arrived. With a latency of LATENCY_MS, envelopes that arrive within LATENCY_MS of the
 * first of a round were all sent before any of that round was answered. Without Continue On Fail
 * every item is validated before the first batch goes out, so a round's batches leave at once
 * (with it, each batch's items are read just before it is sent, which on a loaded machine spreads
 * a round out in time and the rounds cannot be told apart).
 */
const LATENCY_MS = 1500;
const fleet = manyCloudPcs(1000);
const ids = fleet.map((pc) => pc.id);

let graph: GraphServer | undefined;
afterEach(async () => {
	await graph?.close();
	graph = undefined;
});

async function run(
	count: number,
	throughput: INodeParameters,
	server: Partial<GraphServerOptions> = {},
	before: (graph: GraphServer) => void = () => undefined,
) {
	graph = await startFleetServer(fleet, { latencyMs: LATENCY_MS, ...server });
	before(graph);
	const result = await runCloudPcNode({
		credentials: delegatedCredential(graph.url),
		parameters: reprovisionParameters({ throughput }),
		items: ids.slice(0, count).map((cloudPcId) => ({ cloudPcId })),
	});
	const envelopes = graph.requests.filter((r) => r.path.endsWith('$batch'));
	return { ...result, envelopes, stats: graph.stats(), server: graph };
}

/** Envelopes that arrived within LATENCY_MS of the first one arriving at or after `from`. */
function round(envelopes: LoggedRequest[], from: number): LoggedRequest[] {
	const first = envelopes.find((e) => e.at >= from);
	if (!first) return [];
	return envelopes.filter((e) => e.at >= first.at && e.at < first.at + LATENCY_MS);
}

describe('batches in flight adapt to how Graph answers', () => {
	test('start at 20, grow while answers come back clean, up to the default ceiling of 50', async () => {
		const { output, envelopes, stats } = await run(1000, {});

		expect(output.every((item) => item.json.outcome === 'requested')).toBe(true);
		expect(START_IN_FLIGHT).toBe(20);
		const first = round(envelopes, 0);
		expect(first).toHaveLength(20);
		// the second round: the other 30 together, since each clean answer adds one
		expect(round(envelopes, first[0].at + LATENCY_MS)).toHaveLength(30);
		expect(stats.peakConcurrent).toBeGreaterThan(20);
		expect(stats.peakConcurrent).toBeLessThanOrEqual(50);
		expect(envelopes).toHaveLength(50);
	}, 30_000);

	test('never beyond the ceiling: Batches in Flight 3 holds 3 open at most', async () => {
		const { output, envelopes, stats } = await run(300, { batchesInFlight: 3 });

		expect(output.every((item) => item.json.outcome === 'requested')).toBe(true);
		expect(round(envelopes, 0)).toHaveLength(3);
		expect(stats.peakConcurrent).toBe(3);
	}, 30_000);

	test('a 429 halves it at once; clean answers of the same round do not grow it back', async () => {
		const { output, envelopes } = await run(1000, {}, {}, (server) =>
			server.failNext(
				{ method: 'POST', pathIncludes: `${ids[0]}/reprovision` },
				{
					status: 429,
					code: 'TooManyRequests',
					message: 'Too many requests',
					headers: { 'Retry-After': '1' },
				},
			),
		);

		expect(output.every((item) => item.json.outcome === 'requested')).toBe(true);
		const first = round(envelopes, 0);
		expect(first).toHaveLength(20);
		// the round after the 429 (sent once its Retry-After has passed) is half of it
		const afterThrottling = round(envelopes, first[0].at + LATENCY_MS);
		expect(afterThrottling[0].at - first[0].at).toBeGreaterThanOrEqual(LATENCY_MS + 1000);
		expect(afterThrottling).toHaveLength(10);
	}, 30_000);

	test('never below one: throttled again and again, one batch still goes out and every item gets through', async () => {
		const { output, stats } = await run(
			60,
			{ batchesInFlight: 2 },
			{ throttle: { limit: 20, windowMs: 1000 }, latencyMs: 50 },
		);

		expect(output.every((item) => item.json.outcome === 'requested')).toBe(true);
		expect(stats.throttled).toBeGreaterThan(0);
		expect(stats.peakConcurrent).toBeLessThanOrEqual(2);
		for (const id of ids.slice(0, 60)) expect(graph!.reprovisionCount(id)).toBe(1);
	}, 60_000);
});
