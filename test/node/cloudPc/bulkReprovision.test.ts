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

describe('more Cloud PCs than one bulk action takes', () => {
	/** One more than a bulk action takes. */
	const fleet = manyCloudPcs(5001);
	const graph = useGraphServer(
		async () => await startGraphServer({ ...serverOptions(), cloudPcs: fleet }),
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
});
