import type { INodeParameters } from 'n8n-workflow';

import type { GraphServer } from '../graph-server';
import { delegatedCredential, reprovisionParameters, PC, startFleetServer } from '../fixtures';
import { manyCloudPcs } from '../graph-server';
import { runCloudPcNode } from '../harness/run-workflow';

const fleet = manyCloudPcs(60);
const ids = fleet.map((pc) => pc.id);

let graph: GraphServer;

beforeAll(async () => {
	graph = await startFleetServer(fleet, {
		shuffleBatchResponses: true,
	});
});
afterAll(async () => await graph.close());
beforeEach(() => graph.reset());

const run = async (cloudPcIds: string[], overrides: INodeParameters = {}, continueOnFail = false) =>
	await runCloudPcNode({
		credentials: delegatedCredential(graph.url),
		parameters: reprovisionParameters({
			throughput: { batchesInFlight: 2, ...(overrides.throughput as object) },
			...overrides,
		}),
		items: cloudPcIds.map((cloudPcId) => ({ cloudPcId })),
		continueOnFail,
	});

const envelopes = () => graph.requests.filter((r) => r.path.endsWith('$batch'));
const inner = () => graph.requests.filter((r) => r.batchRequestId !== undefined);

describe('JSON batching', () => {
	test('45 items go out as batches of 20, 20 and 5, answers mapped back in input order', async () => {
		const some = ids.slice(0, 45);
		const { output, error } = await run(some);

		expect(error).toBeUndefined();
		expect(envelopes().map((e) => (e.body as { requests: unknown[] }).requests.length)).toEqual([
			20, 20, 5,
		]);
		expect(envelopes().every((e) => e.path === '/v1.0/$batch' && e.method === 'POST')).toBe(true);
		expect(output.map((item) => item.json.cloudPcId)).toEqual(some);
		expect(output.map((item) => item.pairedItem)).toEqual(some.map((_, item) => ({ item })));
		expect(output.every((item) => item.json.outcome === 'requested')).toBe(true);
		for (const id of some) expect(graph.reprovisionCount(id)).toBe(1);

		// each output carries its own inner request's ids, not a neighbour's
		for (const item of output) {
			const call = inner().find((r) => r.path.includes(item.json.cloudPcId as string))!;
			expect(item.json.requestId).toBe(call.requestId);
			expect(item.json.clientRequestId).toBe(call.headers['client-request-id']);
		}
	});

	test('with Continue On Fail, items read ahead still go out as full batches: 20, 20, 5', async () => {
		const some = ids.slice(0, 45);
		const { output } = await run(some, {}, true);

		expect(envelopes().map((e) => (e.body as { requests: unknown[] }).requests.length)).toEqual([
			20, 20, 5,
		]);
		expect(output.map((item) => item.json.cloudPcId)).toEqual(some);
		expect(output.every((item) => item.json.outcome === 'requested')).toBe(true);
		for (const id of some) expect(graph.reprovisionCount(id)).toBe(1);
	});

	test('items on different API versions share no batch, and each is sent once', async () => {
		const some = ids.slice(0, 45);
		const version = (index: number) => (index >= 10 && index < 30 ? 'beta' : 'v1.0');
		const { output } = await runCloudPcNode({
			credentials: delegatedCredential(graph.url),
			parameters: reprovisionParameters({ apiVersion: '={{ $json.version }}' }),
			items: some.map((cloudPcId, index) => ({ cloudPcId, version: version(index) })),
			continueOnFail: true,
		});

		const versionOf = (path: string) => path.split('/')[1];
		const batches = envelopes().map((envelope) => ({
			version: versionOf(envelope.path),
			inner: inner()
				.filter((r) => r.batchRequestId === envelope.requestId)
				.map((r) => versionOf(r.path)),
		}));
		// One version per batch, as few batches as that allows: 25 v1.0 items in two, 20 beta in
		// one. Which v1.0 items share a batch depends on how far reading ahead got (10 + 15 when
		// the beta items were read first, 20 + 5 when all 45 were).
		expect(batches).toHaveLength(3);
		for (const batch of batches) expect(new Set(batch.inner)).toEqual(new Set([batch.version]));
		const sizes = (v: string) => batches.filter((b) => b.version === v).map((b) => b.inner.length);
		expect(sizes('beta')).toEqual([20]);
		expect(sizes('v1.0').reduce((a, b) => a + b, 0)).toBe(25);
		expect(output.map((item) => item.json.apiVersion)).toEqual(some.map((_, i) => version(i)));
		expect(output.every((item) => item.json.outcome === 'requested')).toBe(true);
		for (const id of some) expect(graph.reprovisionCount(id)).toBe(1);
	});

	test('an inner 429 waits its Retry-After and resends only the throttled request', async () => {
		graph.failNext(
			{ method: 'POST', pathIncludes: `${ids[3]}/reprovision` },
			{
				status: 429,
				code: 'TooManyRequests',
				message: 'Too many requests',
				headers: { 'Retry-After': '1' },
			},
		);
		const { output } = await run(ids.slice(0, 10));

		const attempts = inner().filter((r) => r.path.includes(ids[3]));
		expect(attempts.map((r) => r.status)).toEqual([429, 204]);
		expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(1000);
		expect(inner()).toHaveLength(11);
		expect(output[3].json).toMatchObject({ outcome: 'requested', attempts: 2 });
		for (const id of ids.slice(0, 10)) expect(graph.reprovisionCount(id)).toBe(1);
	});

	test('a throttled envelope is resent whole after Retry-After; nothing in it had run', async () => {
		graph.failNext(
			{ pathIncludes: '$batch' },
			{
				status: 429,
				code: 'TooManyRequests',
				message: 'Too many requests',
				headers: { 'Retry-After': '1' },
			},
		);
		const { output } = await run(ids.slice(0, 5));

		expect(envelopes().map((e) => e.status)).toEqual([429, 200]);
		expect(envelopes()[1].at - envelopes()[0].at).toBeGreaterThanOrEqual(1000);
		expect(output.every((item) => item.json.attempts === 2)).toBe(true);
		for (const id of ids.slice(0, 5)) expect(graph.reprovisionCount(id)).toBe(1);
	});

	test('a 503 is retried with backoff; a 404 fails only its own item', async () => {
		graph.failNext(
			{ method: 'POST', pathIncludes: `${ids[1]}/reprovision` },
			{ status: 503, code: 'ServiceUnavailable', message: 'Service unavailable' },
		);
		const unknown = '99999999-9999-4999-8999-999999999999';
		const { output } = await run([ids[0], ids[1], unknown, ids[2]], {}, true);

		expect(output.map((item) => item.json.outcome)).toEqual([
			'requested',
			'requested',
			'failed',
			'requested',
		]);
		expect(output[1].json.attempts).toBe(2);
		expect(output[2].json).toMatchObject({ statusCode: 404, attempts: 1 });
		expect(inner().filter((r) => r.path.includes(unknown))).toHaveLength(1);
	});

	test('retries stop at the limit and the item says so', async () => {
		graph.failNext(
			{ method: 'POST', pathIncludes: `${ids[0]}/reprovision` },
			{
				status: 503,
				code: 'ServiceUnavailable',
				message: 'Service unavailable',
				headers: { 'Retry-After': '0' },
			},
			5,
		);
		const { output } = await run([ids[0], ids[1]], { throughput: { maxRetries: 2 } }, true);

		expect(output[0].json).toMatchObject({ outcome: 'failed', statusCode: 503, attempts: 3 });
		expect(output[0].json.errorMessage).toContain('gave up after 2 retries');
		expect(output[1].json.outcome).toBe('requested');
		expect(graph.reprovisionCount(ids[0])).toBe(0);
	});

	test('a batch whose answer never comes is checked, not resent: the reprovisions that ran are requested', async () => {
		graph.failNext({ pathIncludes: '$batch' }, { status: 504, hangMs: 3000, afterEffect: true });
		const { output } = await run(ids.slice(0, 3), { throughput: { timeoutSeconds: 1 } });

		expect(output.map((item) => item.json.outcome)).toEqual([
			'requested',
			'requested',
			'requested',
		]);
		for (const item of output) {
			expect(item.json.attempts).toBe(1);
			expect(item.json.note).toContain("Graph's remote action results list a Reprovision action");
			expect(item.json.note).toContain('not sent again');
		}
		for (const id of ids.slice(0, 3)) expect(graph.reprovisionCount(id)).toBe(1);
		expect(inner().filter((r) => r.path.endsWith('/reprovision'))).toHaveLength(3);
		expect(
			inner().filter((r) => r.path.endsWith('/retrieveCloudPcRemoteActionResults')),
		).toHaveLength(3);
	});

	test('without Continue On Fail a failure stops the run and reports what was requested', async () => {
		const { error } = await run([PC.adeleProvisioned, PC.alexProvisioning, PC.adeleFailed]);

		expect(error?.message).toContain('Item 1:');
		expect(error?.description).toContain('Reprovision requested in this run for items 0, 2.');
		expect(graph.reprovisionCount(PC.adeleProvisioned)).toBe(1);
		expect(graph.reprovisionCount(PC.adeleFailed)).toBe(1);
	});
});
