import type { INodeParameters } from 'n8n-workflow';

import { delegatedCredential, reprovisionParameters, SECRETS, startFleetServer } from '../fixtures';
import {
	manyCloudPcs,
	type FaultMatcher,
	type FaultResponse,
	type GraphServer,
} from '../graph-server';
import { runCloudPcNode } from '../harness/run-workflow';

/*
 * Exactly once on Graph's contract. The server's status lags behind every accepted reprovision
 * for a minute, so Graph would accept a second one: a client that resends blindly after a lost
 * answer wipes the Cloud PC twice, and these tests see it in `reprovisionCount`.
 */

const fleet = manyCloudPcs(45);
const ids = fleet.map((pc) => pc.id);

let graph: GraphServer;

beforeAll(async () => {
	graph = await startFleetServer(fleet, {
		shuffleBatchResponses: true,
		statusLagMs: 60_000,
	});
});
afterAll(async () => await graph.close());
beforeEach(() => graph.reset());

const run = async (
	cloudPcIds: string[],
	{
		continueOnFail = true,
		parameters = {},
	}: { continueOnFail?: boolean; parameters?: INodeParameters } = {},
) =>
	await runCloudPcNode({
		credentials: delegatedCredential(graph.url),
		parameters: reprovisionParameters({
			throughput: { batchesInFlight: 1, timeoutSeconds: 1 },
			...parameters,
		}),
		items: cloudPcIds.map((cloudPcId) => ({ cloudPcId })),
		continueOnFail,
	});

const inner = () => graph.requests.filter((r) => r.batchRequestId !== undefined);
const posts = (id: string) => inner().filter((r) => r.path.endsWith(`${id}/reprovision`));
const checks = (id: string) =>
	inner().filter((r) => r.path.endsWith(`${id}/retrieveCloudPcRemoteActionResults`));
const expectOnce = (cloudPcIds: string[]) => {
	expect(graph.lostAndDuplicated(cloudPcIds)).toEqual({ lost: 0, duplicated: 0 });
};

const BATCH: FaultMatcher = { pathIncludes: '$batch' };

describe('an answer lost after Graph acted is checked, never resent', () => {
	test.each<[string, FaultMatcher, FaultResponse]>([
		['the batch answers 500', BATCH, { status: 500, afterEffect: true }],
		['a gateway answers 504', BATCH, { status: 504, afterEffect: true }],
		['a 502 from a proxy', BATCH, { status: 502, afterEffect: true }],
		['the connection is reset', BATCH, { status: 504, hangMs: 50, afterEffect: true }],
		['the answer times out', BATCH, { status: 504, hangMs: 3000, afterEffect: true }],
		[
			'the answer has no "responses"',
			BATCH,
			{ status: 200, body: { value: [] }, afterEffect: true },
		],
		[
			'"responses" is not an array',
			BATCH,
			{ status: 200, body: { responses: 'ok' }, afterEffect: true },
		],
		[
			'the answer is not JSON',
			BATCH,
			{
				status: 200,
				body: '<html>proxy</html>',
				headers: { 'Content-Type': 'text/html' },
				afterEffect: true,
			},
		],
	])('%s: every item requested, confirmed by remote action results', async (_, matcher, fault) => {
		graph.failNext(matcher, fault);
		const some = ids.slice(0, 5);
		const { output, error } = await run(some);

		expect(error).toBeUndefined();
		expectOnce(some);
		for (const [k, id] of some.entries()) {
			expect(output[k].json).toMatchObject({ cloudPcId: id, outcome: 'requested', attempts: 1 });
			expect(output[k].json.note).toMatch(
				/remote action results list a Reprovision action started .* \(active\), so it was not sent again/,
			);
			expect(posts(id)).toHaveLength(1);
			expect(checks(id)).toHaveLength(1);
		}
	});

	test.each<[string, FaultResponse]>([
		['answers 500', { status: 500, afterEffect: true }],
		['is left out of the batch answer', { status: 204, afterEffect: true, batchAnswer: 'omitted' }],
		[
			'is named twice in the batch answer',
			{ status: 204, afterEffect: true, batchAnswer: 'repeated' },
		],
	])(
		'one item that %s after running is confirmed; its siblings are untouched',
		async (_, fault) => {
			graph.failNext({ method: 'POST', pathIncludes: `${ids[2]}/reprovision` }, fault);
			const some = ids.slice(0, 5);
			const { output } = await run(some);

			expectOnce(some);
			expect(output.map((item) => item.json.outcome)).toEqual(some.map(() => 'requested'));
			expect(output[2].json.note).toContain('so it was not sent again');
			expect(output.filter((item) => item.json.note)).toHaveLength(1);
			expect(
				inner().filter((r) => r.path.endsWith('/retrieveCloudPcRemoteActionResults')),
			).toHaveLength(1);
		},
	);
});

describe('an answer lost before Graph acted is checked, then sent again', () => {
	test.each<[string, FaultMatcher, FaultResponse, number[]]>([
		['the batch answers 500', BATCH, { status: 500 }, [0, 1, 2]],
		['the answer has no "responses"', BATCH, { status: 200, body: {} }, [0, 1, 2]],
		[
			'one item answers 502',
			{ method: 'POST', pathIncludes: '/reprovision' },
			{ status: 502 },
			[0],
		],
	])('%s: Graph has no record, so it goes again, once', async (_, matcher, fault, lost) => {
		graph.failNext(matcher, fault);
		const some = ids.slice(0, 3);
		const { output } = await run(some);

		expectOnce(some);
		expect(output.map((item) => item.json.outcome)).toEqual([
			'requested',
			'requested',
			'requested',
		]);
		for (const id of lost.map((k) => some[k])) {
			// A failed envelope ran nothing, so its inner requests are not in the log: the one
			// logged attempt, or the second of two, came after the check.
			const [check] = checks(id);
			expect(check.status).toBe(200);
			expect(posts(id).at(-1)!.at).toBeGreaterThanOrEqual(check.at);
			expect(posts(id).at(-1)!.status).toBe(204);
		}
		expect(graph.requests.filter((r) => r.path.endsWith('$batch')).length).toBeGreaterThanOrEqual(
			3,
		);
		expect(output.every((item) => item.json.note === undefined)).toBe(true);
	});

	test("Graph's words are no evidence: a refusal after a lost answer is checked again", async () => {
		// The first attempt ran, its answer was lost, and Graph's record of it was not there yet
		// when first checked: the resend is refused ("status is provisioning"). Only the second
		// check, not the refusal's text, tells that the item was requested.
		const id = ids[0];
		graph.failNext(
			{ method: 'POST', pathIncludes: `${id}/reprovision` },
			{ status: 500, afterEffect: true },
		);
		graph.failNext(
			{ pathIncludes: `${id}/retrieveCloudPcRemoteActionResults` },
			{ status: 200, body: { value: [] } },
		);
		graph.failNext(
			{ method: 'POST', pathIncludes: `${id}/reprovision` },
			{
				status: 400,
				message: `Cloud PC ${id} cannot be reprovisioned because its status is provisioning.`,
			},
		);
		const { output } = await run([id]);

		expect(posts(id).map((r) => r.status)).toEqual([500, 400]);
		expect(checks(id)).toHaveLength(2);
		expect(output[0].json).toMatchObject({ outcome: 'requested' });
		expect(output[0].json.note).toContain('remote action results list a Reprovision action');
		expectOnce([id]);
	});

	test('a refusal with no lost answer before it is a failure, without a check', async () => {
		graph.failNext(
			{ method: 'POST', pathIncludes: `${ids[0]}/reprovision` },
			{ status: 500, afterEffect: true },
		);
		graph.setStatus(ids[1], 'provisioning');
		const { output } = await run([ids[0], ids[1]]);

		expect(output[0].json).toMatchObject({ outcome: 'requested' });
		expect(output[1].json).toMatchObject({ outcome: 'failed', statusCode: 400 });
		expect(checks(ids[1])).toHaveLength(0);
		expectOnce([ids[0]]);
	});
});

describe('when nothing can tell, the outcome is unknown and nothing is resent', () => {
	test('remote action results forbidden and a lagging status: outcome "unknown", with what to check', async () => {
		graph.failNext(
			{ method: 'POST', pathIncludes: `${ids[0]}/reprovision` },
			{ status: 500, afterEffect: true },
		);
		graph.failNext({ pathIncludes: 'retrieveCloudPcRemoteActionResults' }, { status: 403 }, 10);
		const { output, error } = await run([ids[0], ids[1]], { continueOnFail: false });

		expect(error).toBeUndefined();
		expect(output[0].json).toMatchObject({
			outcome: 'unknown',
			errorCode: 'OutcomeUnknown',
			hint: expect.stringContaining('Check the Cloud PC in Intune'),
		});
		expect(output[0].json.reason).toMatch(/status "provisioned" cannot tell: status lags/);
		expect(output[1].json.outcome).toBe('requested');
		expect(posts(ids[0])).toHaveLength(1);
		expectOnce([ids[0], ids[1]]);
	});
});

describe('a run that ends early says, per item, what was requested', () => {
	/** 40 items in two batches; the second meets a 401, and the refresh token is revoked. */
	const signInStopsAfterOneBatch = async (continueOnFail: boolean) => {
		const credentials = delegatedCredential(graph.url);
		const stored = credentials.microsoftCloudPcOAuth2Api;
		stored.oauthTokenData = {
			...(stored.oauthTokenData as object),
			refresh_token: 'revoked-refresh',
		};
		graph.failNext({ ...BATCH, skip: 1 }, { status: 401 });
		return await runCloudPcNode({
			credentials,
			parameters: reprovisionParameters({ throughput: { batchesInFlight: 1 } }),
			items: ids.slice(0, 40).map((cloudPcId) => ({ cloudPcId })),
			continueOnFail,
		});
	};
	const some = ids.slice(0, 40);

	test('a credential that stops signing in mid-run: items sent are requested, the rest not sent', async () => {
		const stop = await signInStopsAfterOneBatch(false);
		expect(stop.error?.message).toMatch(/reconnect the credential/);
		expect(stop.error?.description).toContain('Reprovision requested in this run for items 0-19.');
		expect(stop.error?.description).toContain('Not sent: items 20-39.');
		expect(JSON.stringify([stop.error, stop.error?.description])).not.toContain(SECRETS[0]);
		expect(graph.lostAndDuplicated(some.slice(0, 20))).toEqual({ lost: 0, duplicated: 0 });
		for (const id of some.slice(20)) expect(graph.reprovisionCount(id)).toBe(0);
	});

	test('with Continue On Fail every item says it: requested, or not sent and why', async () => {
		const { output } = await signInStopsAfterOneBatch(true);
		expect(output).toHaveLength(40);
		expect(output.slice(0, 20).every((item) => item.json.outcome === 'requested')).toBe(true);
		for (const item of output.slice(20)) {
			expect(item.json).toMatchObject({ outcome: 'failed' });
			expect(item.json.error).toMatch(/reconnect the credential/);
			expect(graph.reprovisionCount(item.json.cloudPcId as string)).toBe(0);
		}
		expect(output.map((item) => item.pairedItem)).toEqual(some.map((_, item) => ({ item })));
	});
});

describe('Bulk Reprovision after a lost answer', () => {
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
			items: ids.slice(0, 3).map((cloudPcId) => ({ cloudPcId })),
			continueOnFail,
		});
	const creates = () =>
		graph.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/bulkActions'));

	test('created, answer lost: the action is found by its name, no second one', async () => {
		graph.failNext(
			{ method: 'POST', pathIncludes: '/bulkActions' },
			{ status: 504, afterEffect: true },
		);
		const { output } = await bulk();

		expect(creates()).toHaveLength(1);
		expect(graph.bulkActions()).toHaveLength(1);
		const [action] = graph.bulkActions();
		expect(output.map((item) => item.json.outcome)).toEqual([
			'requested',
			'requested',
			'requested',
		]);
		expect(output[0].json).toMatchObject({
			bulkActionId: action.id,
			bulkActionDisplayName: action.displayName,
		});
		expect(output[0].json.note).toContain(`Graph lists bulk action "${action.displayName}"`);
		expectOnce(ids.slice(0, 3));
	});

	test('not created, Graph answered 502: not found by name, so created once', async () => {
		graph.failNext({ method: 'POST', pathIncludes: '/bulkActions' }, { status: 502 });
		const { output } = await bulk();

		expect(creates()).toHaveLength(2);
		expect(graph.bulkActions()).toHaveLength(1);
		expect(output.map((item) => item.json.outcome)).toEqual([
			'requested',
			'requested',
			'requested',
		]);
		expectOnce(ids.slice(0, 3));
	});

	test('bulk actions cannot be listed: outcome unknown, no second POST, and the run goes on', async () => {
		graph.failNext(
			{ method: 'POST', pathIncludes: '/bulkActions' },
			{ status: 500, afterEffect: true },
		);
		graph.failNext({ method: 'GET', pathIncludes: '/bulkActions' }, { status: 403 });
		const { output, error } = await bulk(false);

		expect(error).toBeUndefined();
		expect(creates()).toHaveLength(1);
		expect(output.map((item) => item.json.outcome)).toEqual(['unknown', 'unknown', 'unknown']);
		expect(output[0].json.reason).toContain('the bulk actions could not be listed');
	});

	test('created, answer lost, and the list of bulk actions is not a list: unknown, never "not found", no second POST', async () => {
		graph.failNext(
			{ method: 'POST', pathIncludes: '/bulkActions' },
			{ status: 504, afterEffect: true },
		);
		// a 200 whose body has no "value" list read as "not found" would create the action again
		graph.failNext({ method: 'GET', pathIncludes: '/bulkActions' }, { status: 200, body: {} });
		const { output, error } = await bulk(false);

		expect(error).toBeUndefined();
		expect(creates()).toHaveLength(1);
		expect(graph.bulkActions()).toHaveLength(1);
		expect(output.map((item) => item.json.outcome)).toEqual(['unknown', 'unknown', 'unknown']);
		expect(output[0].json.reason).toContain('has no "value" list');
	});
});
