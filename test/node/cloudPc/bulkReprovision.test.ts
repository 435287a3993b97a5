import { PC, delegatedCredential, serverOptions } from '../../fixtures';
import { manyCloudPcs, startGraphServer } from '../../graph-server';
import {
	BULK_TYPE,
	parameters,
	UNKNOWN,
	useGraphServer,
	useOperationsServer,
} from '../../harness/graph-per-file';
import { runCloudPcNode } from '../../harness/run-workflow';

const { graph, run, operations } = useOperationsServer();

describe('Bulk Reprovision', () => {
	const bulkCalls = () => operations().filter((r) => r.path.endsWith('/bulkActions'));

	test('one bulk action for all input items; one output per input item', async () => {
		const { output, error } = await run({
			parameters: parameters('bulkReprovision', {
				apiVersion: 'v1.0',
				bulkOptions: { displayName: 'Ticket T-42' },
			}),
			items: [
				{ cloudPcId: PC.adeleFailed },
				{ cloudPcId: PC.alexProvisioned },
				{ cloudPcId: PC.adeleFailed.toUpperCase() },
			],
		});

		expect(error).toBeUndefined();
		const [call] = bulkCalls();
		expect(bulkCalls()).toHaveLength(1);
		expect(call).toMatchObject({
			method: 'POST',
			path: '/beta/deviceManagement/virtualEndpoint/bulkActions',
			status: 201,
		});
		expect(call.batchRequestId).toBeUndefined();
		expect(call.headers['content-type']).toMatch(/^application\/json/);
		expect(call.body).toEqual({
			'@odata.type': BULK_TYPE,
			displayName: expect.stringMatching(/^Ticket T-42 \d{4}-\d\d-\d\dT[\d:.]+Z$/),
			cloudPcIds: [PC.adeleFailed, PC.alexProvisioned],
		});
		const [created] = graph.bulkActions();
		expect(created).toMatchObject({
			displayName: (call.body as { displayName: string }).displayName,
			status: 'pending',
		});
		expect(graph.reprovisionCount(PC.adeleFailed)).toBe(1);
		expect(graph.reprovisionCount(PC.alexProvisioned)).toBe(1);

		expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2].map((item) => ({ item })));
		expect(output[0].json).toEqual({
			cloudPcId: PC.adeleFailed,
			outcome: 'requested',
			reason: null,
			apiVersion: 'beta',
			requestedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			bulkActionId: created.id,
			bulkActionDisplayName: created.displayName,
			bulkActionStatus: 'pending',
			bulkActionCreatedDateTime: created.createdDateTime,
			bulkActionCloudPcCount: 2,
			statusCode: 201,
			requestId: call.requestId,
			clientRequestId: call.headers['client-request-id'],
			note: null,
		});
		expect(output[1].json).toMatchObject({
			cloudPcId: PC.alexProvisioned,
			bulkActionId: created.id,
		});
		expect(output[2].json).toMatchObject({
			cloudPcId: PC.adeleFailed.toUpperCase(),
			bulkActionId: created.id,
			note: 'The same Cloud PC as item 0; it is in the bulk action once',
		});
	});

	test('without a name the bulk action is named after n8n and the time', async () => {
		const { output } = await run({
			parameters: parameters('bulkReprovision'),
			items: [{ cloudPcId: PC.adeleProvisioned }],
		});

		const name = (bulkCalls()[0].body as { displayName: string }).displayName;
		expect(name).toMatch(/^n8n reprovision \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
		expect(output[0].json.bulkActionDisplayName).toBe(name);
	});

	test('Continue On Fail: invalid items fail alone and stay out of the body', async () => {
		const { output } = await run({
			parameters: parameters('bulkReprovision'),
			items: [
				{ cloudPcId: PC.adeleProvisioned },
				{ cloudPcId: 'CPC-adele-01' },
				{ cloudPcId: PC.alexProvisioned },
			],
			continueOnFail: true,
		});

		expect((bulkCalls()[0].body as { cloudPcIds: string[] }).cloudPcIds).toEqual([
			PC.adeleProvisioned,
			PC.alexProvisioned,
		]);
		expect(output.map((item) => item.json.outcome)).toEqual(['requested', 'failed', 'requested']);
		expect(output[1].json).toMatchObject({
			reason: expect.stringContaining('Item 1: "Cloud PC" must be a Cloud PC ID'),
			requestedAt: null,
		});
		expect(output[1].pairedItem).toEqual({ item: 1 });
	});

	test('without Continue On Fail an invalid item sends nothing', async () => {
		const { error } = await run({
			parameters: parameters('bulkReprovision'),
			items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: '' }],
		});

		expect(error?.message).toContain('Item 1: "Cloud PC" is empty');
		expect(graph.requests).toEqual([]);
	});

	test("Graph's 400 for an unknown Cloud PC fails the items of that bulk action", async () => {
		const failed = await run({
			parameters: parameters('bulkReprovision'),
			items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: UNKNOWN }],
			continueOnFail: true,
		});
		expect(bulkCalls()[0].status).toBe(400);
		expect(graph.bulkActions()).toEqual([]);
		for (const item of failed.output) {
			expect(item.json).toMatchObject({
				outcome: 'failed',
				statusCode: 400,
				errorCode: 'BadRequest',
				bulkActionId: null,
				requestId: bulkCalls()[0].requestId,
			});
		}

		graph.reset();
		const stopped = await run({
			parameters: parameters('bulkReprovision'),
			items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: UNKNOWN }],
		});
		expect(stopped.error?.httpCode).toBe('400');
		expect(stopped.error?.description).toContain('No bulk action was created in this run.');
	});
});

describe('Bulk Reprovision: Check for an Earlier Reprovision', () => {
	const posts = () =>
		operations().filter((r) => r.method === 'POST' && r.path.endsWith('/bulkActions'));
	const lists = () =>
		operations().filter((r) => r.method === 'GET' && r.path.endsWith('/bulkActions'));
	const bulk = (cloudPcIds: string[], typeVersion = 2, bulkOptions = {}) =>
		run({
			parameters: parameters('bulkReprovision', { bulkOptions }),
			items: cloudPcIds.map((cloudPcId) => ({ cloudPcId })),
			typeVersion,
		});

	test('version 2, by default: the same items twice make one bulk action; the second run names it', async () => {
		const first = await bulk([PC.adeleProvisioned, PC.alexProvisioned]);
		const second = await bulk([PC.alexProvisioned, PC.adeleFailed]);

		expect(first.error).toBeUndefined();
		expect(second.error).toBeUndefined();
		expect(lists()).toHaveLength(2);
		const [earlier, created] = graph.bulkActions();
		expect(graph.bulkActions()).toHaveLength(2);
		expect(posts().map((r) => (r.body as { cloudPcIds: string[] }).cloudPcIds)).toEqual([
			[PC.adeleProvisioned, PC.alexProvisioned],
			[PC.adeleFailed],
		]);
		expect(second.output[0].json).toEqual({
			cloudPcId: PC.alexProvisioned,
			outcome: 'skipped',
			reason: `Bulk action "${earlier.displayName}" (${earlier.id}), created ${earlier.createdDateTime}, already reprovisions this Cloud PC, so it was not sent again (Check for an Earlier Reprovision)`,
			apiVersion: 'beta',
			requestedAt: null,
			bulkActionId: earlier.id,
			bulkActionDisplayName: earlier.displayName,
			bulkActionStatus: 'pending',
			bulkActionCreatedDateTime: earlier.createdDateTime,
			bulkActionCloudPcCount: 2,
			note: null,
		});
		expect(second.output[1].json).toMatchObject({
			outcome: 'requested',
			bulkActionId: created.id,
			bulkActionCloudPcCount: 1,
		});
	});

	test('version 1 creates again unless the option asks to check', async () => {
		await bulk([PC.adeleProvisioned], 1);
		await bulk([PC.adeleProvisioned], 1);
		expect(lists()).toHaveLength(0);
		expect(posts()).toHaveLength(2);

		graph.reset();
		await bulk([PC.adeleProvisioned], 1);
		const checked = await bulk([PC.adeleProvisioned], 1, { checkEarlierReprovision: 'always' });
		expect(checked.output[0].json.outcome).toBe('skipped');
		expect(posts()).toHaveLength(1);
	});

	test('a bulk action created more than 4 hours ago does not count', async () => {
		await bulk([PC.adeleProvisioned]);
		const [old] = graph.bulkActions();
		const later = new Date(Date.parse(old.createdDateTime) + 4 * 60 * 60_000 + 60_000);
		jest.useFakeTimers({
			now: later,
			doNotFake: [
				'setTimeout',
				'setImmediate',
				'nextTick',
				'setInterval',
				'queueMicrotask',
				'performance',
				'clearTimeout',
				'clearInterval',
				'clearImmediate',
				'hrtime',
			],
		});
		try {
			const again = await bulk([PC.adeleProvisioned]);
			expect(again.output[0].json.outcome).toBe('requested');
		} finally {
			jest.useRealTimers();
		}
		expect(posts()).toHaveLength(2);
	});

	test('bulk actions that cannot be listed: nothing is created', async () => {
		graph.failNext(
			{ method: 'GET', pathIncludes: '/bulkActions' },
			{ status: 403, code: 'Forbidden', message: 'Not allowed' },
		);
		const { error } = await bulk([PC.adeleProvisioned]);
		expect(error?.httpCode).toBe('403');
		expect(error?.description).toContain('No bulk action was created in this run.');
		expect(posts()).toHaveLength(0);
	});
});

describe('more Cloud PCs than one bulk action takes', () => {
	/** One more than a bulk action takes. */
	const fleet = manyCloudPcs(5001);
	// Status lags behind an accepted reprovision: a second bulk action would wipe again.
	const graph = useGraphServer(
		async () =>
			await startGraphServer({ ...serverOptions(), cloudPcs: fleet, statusLagMs: 60_000 }),
	);

	test('more than 5,000 Cloud PCs are split into bulk actions of at most 5,000, and say so', async () => {
		const { output, error } = await runCloudPcNode({
			credentials: delegatedCredential(graph.url),
			parameters: {
				authentication: 'oAuth2',
				resource: 'cloudPc',
				operation: 'bulkReprovision',
				cloudPcId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
				bulkOptions: { displayName: 'Fleet refresh' },
			},
			items: fleet.map((pc) => ({ id: pc.id })),
		});

		expect(error).toBeUndefined();
		const calls = graph.requests.filter((r) => r.path.endsWith('/bulkActions'));
		const bodies = calls.map((call) => call.body as { displayName: string; cloudPcIds: string[] });
		const ISO = '\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z';
		expect(bodies.map((body) => body.cloudPcIds.length)).toEqual([5000, 1]);
		expect(bodies[0].displayName).toMatch(new RegExp(`^Fleet refresh ${ISO} \\(1/2\\)$`));
		expect(bodies[1].displayName).toMatch(new RegExp(`^Fleet refresh ${ISO} \\(2/2\\)$`));
		expect([...bodies[0].cloudPcIds, ...bodies[1].cloudPcIds]).toEqual(fleet.map((pc) => pc.id));

		const [first, second] = graph.bulkActions();
		expect(output).toHaveLength(5001);
		expect(output[4999].json).toMatchObject({
			bulkActionId: first.id,
			bulkActionCloudPcCount: 5000,
			note: '5001 Cloud PCs were split into 2 bulk actions of at most 5000; this is number 1',
		});
		expect(output[5000].json).toMatchObject({
			bulkActionId: second.id,
			bulkActionDisplayName: second.displayName,
			bulkActionCloudPcCount: 1,
			note: '5001 Cloud PCs were split into 2 bulk actions of at most 5000; this is number 2',
		});
		expect(output[5000].pairedItem).toEqual({ item: 5000 });
	});

	test('a run stopped by a failed second bulk action, started again, creates only the second (version 2)', async () => {
		const items = fleet.map((pc) => ({ cloudPcId: pc.id }));
		graph.failNext(
			{ method: 'POST', pathIncludes: '/bulkActions', skip: 1 },
			{ status: 400, code: 'BadRequest', message: 'Something was wrong' },
		);
		const bulkRun = async () =>
			await runCloudPcNode({
				credentials: delegatedCredential(graph.url),
				parameters: parameters('bulkReprovision'),
				items,
				typeVersion: 2,
			});

		const stopped = await bulkRun();
		expect(stopped.error?.httpCode).toBe('400');
		expect(graph.bulkActions()).toHaveLength(1);

		const again = await bulkRun();

		expect(again.error).toBeUndefined();
		const [first, second] = graph.bulkActions();
		expect(graph.bulkActions()).toHaveLength(2);
		expect(second.cloudPcIds).toEqual([fleet[5000].id]);
		expect(again.output.slice(0, 5000).every((item) => item.json.outcome === 'skipped')).toBe(true);
		expect(again.output[0].json.bulkActionId).toBe(first.id);
		expect(again.output[5000].json).toMatchObject({
			outcome: 'requested',
			bulkActionId: second.id,
			note: null,
		});
		expect(graph.lostAndDuplicated(fleet.map((pc) => pc.id))).toEqual({ lost: 0, duplicated: 0 });
	});
});
