import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

import { readBatchAnswer } from '../../nodes/MicrosoftCloudPc/transport/batchEnvelope';
import { failureFromAnswer } from '../../nodes/MicrosoftCloudPc/transport/graphErrors';
import { outcomeIsUnknown } from '../../nodes/MicrosoftCloudPc/transport/retry';
import { delegatedCredential, reprovisionParameters, startFleetServer } from '../fixtures';
import {
	manyCloudPcs,
	type FaultMatcher,
	type FaultResponse,
	type GraphServer,
} from '../graph-server';
import { runCloudPcNode } from '../harness/run-workflow';

/*
 * Unknown means unknown: only a 429 (and a connection refused before sending) proves that a
 * reprovision did not run. Status lags behind every accepted reprovision for a minute, so Graph
 * accepts a second one: a client that resends without proof wipes the Cloud PC twice, and
 * `reprovisionCount` shows it. Remote action results come two to a page, so a check that reads
 * only the first page misses an action behind older ones.
 */

const fleet = manyCloudPcs(5);
const ids = fleet.map((pc) => pc.id);

let graph: GraphServer;

beforeAll(async () => {
	graph = await startFleetServer(fleet, {
		shuffleBatchResponses: true,
		statusLagMs: 60_000,
		remoteActionPageSize: 2,
	});
});
afterAll(async () => await graph.close());
beforeEach(() => graph.reset());

const run = async (cloudPcIds: string[], continueOnFail = true) =>
	await runCloudPcNode({
		credentials: delegatedCredential(graph.url),
		parameters: reprovisionParameters({ throughput: { batchesInFlight: 1, timeoutSeconds: 1 } }),
		items: cloudPcIds.map((cloudPcId) => ({ cloudPcId })),
		continueOnFail,
	});

const posts = (id: string) => graph.requests.filter((r) => r.path.endsWith(`${id}/reprovision`));
const checks = (id: string) =>
	graph.requests.filter((r) => r.path.endsWith(`${id}/retrieveCloudPcRemoteActionResults`));
const expectOnce = (cloudPcIds: string[]) => {
	expect(graph.lostAndDuplicated(cloudPcIds)).toEqual({ lost: 0, duplicated: 0 });
};
/** Resolves once the server counts `count` reprovisions of `id`, or after `ms`. */
const landed = async (id: string, count: number, ms: number) => {
	const until = Date.now() + ms;
	while (graph.reprovisionCount(id) < count && Date.now() < until)
		await new Promise((resolve) => setTimeout(resolve, 50));
};

const BATCH: FaultMatcher = { pathIncludes: '$batch' };
const POST: FaultMatcher = { method: 'POST', pathIncludes: '/reprovision' };
const RETRY_AFTER = { 'Retry-After': '1' };
const some = ids.slice(0, 3);

describe('a 503 is no proof that nothing ran: checked before any resend', () => {
	test.each<[string, boolean, FaultMatcher, FaultResponse]>([
		['the batch answers 503', true, BATCH, { status: 503 }],
		['the batch answers 503 with Retry-After', false, BATCH, { status: 503, headers: RETRY_AFTER }],
		['each reprovision answers 503 in the batch', false, POST, { status: 503 }],
		[
			'each reprovision answers 503 with Retry-After in the batch',
			true,
			POST,
			{ status: 503, headers: RETRY_AFTER },
		],
	])(
		'%s after acting: requested, confirmed, one wipe (Continue On Fail %s)',
		async (_, continueOnFail, matcher, fault) => {
			// one envelope, or each reprovision inside it; the checks' batches go through
			graph.failNext(matcher, { ...fault, afterEffect: true }, matcher === BATCH ? 1 : some.length);
			const { output, error } = await run(some, continueOnFail);

			expect(error).toBeUndefined();
			expectOnce(some);
			for (const [k, id] of some.entries()) {
				expect(output[k].json).toMatchObject({ cloudPcId: id, outcome: 'requested', attempts: 1 });
				expect(output[k].json.note).toMatch(/remote action results list a Reprovision action/);
				expect(posts(id)).toHaveLength(1);
				expect(checks(id)).toHaveLength(1);
			}
		},
	);

	test.each<[string, FaultMatcher]>([
		['the batch', BATCH],
		['each reprovision', POST],
	])('%s answers 503 without acting: Graph has no record, so sent again once', async (_, m) => {
		graph.failNext(m, { status: 503, headers: RETRY_AFTER }, m === BATCH ? 1 : some.length);
		const { output } = await run(some);

		expectOnce(some);
		for (const [k, id] of some.entries()) {
			expect(output[k].json).toMatchObject({ outcome: 'requested', attempts: 2 });
			const [check] = checks(id);
			expect(posts(id).at(-1)!.at).toBeGreaterThanOrEqual(check.at);
		}
	});
});

describe('an error body of any shape is read without throwing; the outcome stays unknown until checked', () => {
	const shapes: Array<[string, unknown]> = [
		['a code object with its own toString', { error: { code: { toString: 0 }, message: 'x' } }],
		[
			'a message object with its own toString',
			{ error: { code: 'X', message: { toString: 'no' } } },
		],
		['code and message of wrong types', { error: { code: 5, message: ['a'] } }],
		['"error" a string', { error: 'boom' }],
		['"error" an array', { error: [1, { code: 'X' }] }],
		['innerError not an object', { error: { code: 'X', message: 'm', innerError: [1] } }],
		['a null body', null],
	];

	test.each(shapes)(
		'%s on a 500 batch after acting: requested, one wipe, never "failed"',
		async (_, body) => {
			graph.failNext(BATCH, { status: 500, body, afterEffect: true });
			const { output, error } = await run(some, false);

			expect(error).toBeUndefined();
			expectOnce(some);
			expect(output.map((item) => item.json.outcome)).toEqual(some.map(() => 'requested'));
			for (const id of some) expect(posts(id)).toHaveLength(1);
		},
	);

	test.each(shapes)(
		'%s on a 503 reprovision without acting: checked, sent again once',
		async (_, body) => {
			graph.failNext(POST, { status: 503, body }, some.length);
			const { output } = await run(some);

			expectOnce(some);
			expect(output.map((item) => item.json.outcome)).toEqual(some.map(() => 'requested'));
			for (const id of some) expect(checks(id)).toHaveLength(1);
		},
	);
});

describe('the readers keep what they can and never throw', () => {
	test('an error body: text kept, numbers as text, objects and arrays left out', () => {
		const read = (body: unknown) => failureFromAnswer(503, {}, body, 'c-1');
		expect(
			read({ error: { code: 5, message: ['a'], innerError: { 'request-id': 'r-1' } } }),
		).toMatchObject({ code: '5', requestId: 'r-1' });
		expect(read({ error: { code: { toString: 0 }, message: 'm' } })).toMatchObject({
			code: 'HTTP503',
			graphMessage: 'm',
		});
		for (const body of [null, { error: 'boom' }, { error: [1] }, '<html>', [{ error: {} }]])
			expect(read(body)).toMatchObject({ status: 503, code: 'HTTP503' });
	});

	test('a batch answer that throws while read: every entry unknown (status 0), never "not sent"', () => {
		const body = Object.defineProperty({}, 'responses', {
			get: () => {
				throw new TypeError('cannot read');
			},
		});
		const envelope = { statusCode: 200, body, headers: {}, clientRequestId: 'c', requestId: 'r' };
		const request = { method: 'POST' as const, version: 'v1.0' as const, path: '/x' };
		const answers = readBatchAnswer(
			envelope,
			[{ id: '0', request, clientRequestId: 'c-0' }],
			'global',
		);
		const answer = answers.get('0');
		expect(answer?.ok).toBe(false);
		expect(answer?.ok === false && answer.failure).toMatchObject({
			status: 0,
			code: 'UnreadableAnswer',
			requestId: 'r',
		});
		expect(answer?.ok === false && outcomeIsUnknown(answer.failure)).toBe(true);
	});
});

describe('a request that may still land is never sent again on a check that finds nothing', () => {
	test.each([true, false])(
		'held in transit past the Request Timeout, it lands after the check: unknown, one wipe (Continue On Fail %s)',
		async (continueOnFail) => {
			// The client gives up after 1 s and checks within about a second more; the batch
			// reaches Graph at 4 s, and its connection closes at 5 s without an answer.
			graph.failNext(BATCH, { status: 504, hangMs: 5000, landsAfterMs: 4000 });
			const { output, error } = await run(some, continueOnFail);

			expect(error).toBeUndefined();
			for (const [k, id] of some.entries()) {
				expect(output[k].json).toMatchObject({ outcome: 'unknown', errorCode: 'OutcomeUnknown' });
				expect(output[k].json.reason).toMatch(/may still reach Graph later/);
				expect(output[k].json.reason).toMatch(/Get Reprovision Status/);
				expect(output[k].json.hint).toMatch(/Check the Cloud PC in Intune/);
				expect(checks(id)).toHaveLength(1);
			}
			for (const id of some) await landed(id, 1, 6000);
			expectOnce(some);
		},
	);

	test.each<[string, FaultResponse]>([
		['a gateway answers 504', { status: 504 }],
		['the connection is reset before an answer', { status: 504, hangMs: 50 }],
	])('%s and nothing ran: unknown, not sent again', async (_, fault) => {
		graph.failNext(BATCH, fault);
		const { output } = await run(some);

		for (const [k, id] of some.entries()) {
			expect(output[k].json).toMatchObject({ outcome: 'unknown' });
			expect(output[k].json.reason).toMatch(/may still reach Graph later/);
			expect(graph.reprovisionCount(id)).toBe(0);
		}
		// reprovisions go in v1.0 batches, checks in beta ones
		expect(graph.requests.filter((r) => r.path === '/v1.0/$batch')).toHaveLength(1);
	});
});

test('a connection refused never left: sent again without a check, then failed, never "unknown"', async () => {
	const closed = createServer();
	await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
	const { port } = closed.address() as AddressInfo;
	await new Promise((resolve) => closed.close(resolve));

	const { output } = await runCloudPcNode({
		credentials: delegatedCredential(`http://127.0.0.1:${port}`),
		parameters: reprovisionParameters({ throughput: { maxRetries: 1, timeoutSeconds: 1 } }),
		items: [{ cloudPcId: ids[0] }],
		continueOnFail: true,
	});

	expect(output[0].json).toMatchObject({
		outcome: 'failed',
		errorCode: 'ECONNREFUSED',
		attempts: 2,
	});
	expect(output[0].json.error).toMatch(/gave up after 1 retries/);
});

describe('the check reads every page of remote action results', () => {
	const id = ids[0];
	const yesterday = new Date(Date.now() - 86_400_000).toISOString();
	/** Two actions from yesterday fill page 1; the reprovision, run but its answer lost, is on page 2. */
	const reprovisionOnPage2 = () => {
		for (const actionName of ['Restart', 'Reprovision'])
			graph.addRemoteAction(id, { actionName, actionState: 'done', startDateTime: yesterday });
		graph.failNext(
			{ method: 'POST', pathIncludes: `${id}/reprovision` },
			{ status: 500, afterEffect: true },
		);
	};

	test('the reprovision is on page 2: found, requested, one wipe', async () => {
		reprovisionOnPage2();
		const { output } = await run([id]);

		expect(output[0].json).toMatchObject({ outcome: 'requested' });
		expect(output[0].json.note).toMatch(/remote action results list a Reprovision action/);
		expect(checks(id).filter((r) => r.query.$skiptoken)).toHaveLength(1);
		expectOnce([id]);
	});

	test('Check for an Earlier Reprovision (version 2) finds one on page 2: skipped, not sent', async () => {
		const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();
		for (const actionName of ['Restart', 'Rename', 'Reprovision'])
			graph.addRemoteAction(id, { actionName, actionState: 'active', startDateTime: anHourAgo });
		const { output } = await runCloudPcNode({
			credentials: delegatedCredential(graph.url),
			parameters: reprovisionParameters(),
			items: [{ cloudPcId: id }],
			typeVersion: 2,
		});

		expect(output[0].json).toMatchObject({ outcome: 'skipped' });
		expect(output[0].json.reason).toMatch(/A reprovision of this Cloud PC started at/);
		expect(checks(id).filter((r) => r.query.$skiptoken)).toHaveLength(1);
		expect(posts(id)).toHaveLength(0);
	});

	test('a next link already followed: unknown, not sent again', async () => {
		reprovisionOnPage2();
		const loop = `${graph.url}/beta/deviceManagement/virtualEndpoint/cloudPCs/${id}/retrieveCloudPcRemoteActionResults?$skiptoken=loop`;
		graph.failNext(
			{ pathIncludes: 'retrieveCloudPcRemoteActionResults', queryHas: '$skiptoken' },
			{ status: 200, body: { value: [], '@odata.nextLink': loop } },
			2,
		);
		const { output } = await run([id]);

		expect(output[0].json).toMatchObject({ outcome: 'unknown' });
		expect(output[0].json.reason).toMatch(/RepeatedNextLink/);
		expectOnce([id]);
	});
});

describe('Bulk Reprovision', () => {
	const bulk = (continueOnFail = true) =>
		runCloudPcNode({
			credentials: delegatedCredential(graph.url),
			parameters: {
				authentication: 'oAuth2',
				resource: 'cloudPc',
				operation: 'bulkReprovision',
				cloudPcId: { __rl: true, mode: 'id', value: '={{ $json.cloudPcId }}' },
				bulkOptions: { displayName: 'Nightly' },
				throughput: { timeoutSeconds: 1 },
			},
			items: some.map((cloudPcId) => ({ cloudPcId })),
			continueOnFail,
		});
	const creates = () =>
		graph.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/bulkActions'));

	test.each([true, false])(
		'a 503 after creating: found by its name, one bulk action (Continue On Fail %s)',
		async (continueOnFail) => {
			graph.failNext(
				{ method: 'POST', pathIncludes: '/bulkActions' },
				{ status: 503, headers: RETRY_AFTER, afterEffect: true },
			);
			const { output, error } = await bulk(continueOnFail);

			expect(error).toBeUndefined();
			expect(creates()).toHaveLength(1);
			expect(graph.bulkActions()).toHaveLength(1);
			expect(output.map((item) => item.json.outcome)).toEqual(some.map(() => 'requested'));
			expect(output[0].json.note).toContain('Graph lists bulk action');
		},
	);

	test('held in transit past the Request Timeout: unknown, never created twice', async () => {
		graph.failNext(
			{ method: 'POST', pathIncludes: '/bulkActions' },
			{ status: 504, hangMs: 5000, landsAfterMs: 4000 },
		);
		const { output } = await bulk();

		expect(output.map((item) => item.json.outcome)).toEqual(some.map(() => 'unknown'));
		expect(output[0].json.reason).toMatch(/may still reach Graph later/);
		const until = Date.now() + 6000;
		while (graph.bulkActions().length === 0 && Date.now() < until)
			await new Promise((resolve) => setTimeout(resolve, 50));
		expect(creates()).toHaveLength(1);
		expect(graph.bulkActions()).toHaveLength(1);
	});
});
