import { PC } from '../../fixtures';
import { parameters, UNKNOWN, useOperationsServer } from '../../harness/graph-per-file';

const { graph, run, operations } = useOperationsServer();

describe('Get Reprovision Status', () => {
	const statusPath = (id: string) =>
		`/beta/deviceManagement/virtualEndpoint/cloudPCs/${id}/retrieveCloudPcRemoteActionResults`;

	test('the latest Reprovision action, by start time, whatever else ran', async () => {
		graph.addRemoteAction(PC.adeleProvisioned, {
			actionName: 'Reprovision',
			actionState: 'done',
			startDateTime: '2024-05-01T08:00:00Z',
			lastUpdatedDateTime: '2024-05-01T09:10:00Z',
		});
		graph.addRemoteAction(PC.adeleProvisioned, {
			actionName: 'reprovision',
			actionState: 'failed',
			startDateTime: '2024-06-01T08:00:00Z',
			lastUpdatedDateTime: '2024-06-01T08:40:00Z',
			statusDetail: {
				code: 'osDiskError',
				message: 'The OS disk could not be created.',
				additionalInformation: [],
			},
		});
		graph.addRemoteAction(PC.adeleProvisioned, {
			actionName: 'Restart',
			actionState: 'active',
			startDateTime: '2024-07-01T08:00:00Z',
		});
		const { output, error } = await run({
			parameters: parameters('getReprovisionStatus', { apiVersion: 'v1.0' }),
			items: [{ cloudPcId: PC.adeleProvisioned }],
		});

		expect(error).toBeUndefined();
		const [call] = operations();
		expect(call).toMatchObject({
			method: 'GET',
			path: statusPath(PC.adeleProvisioned),
			status: 200,
		});
		expect(call.batchRequestId).toBeDefined();
		expect(output[0].json).toEqual({
			cloudPcId: PC.adeleProvisioned,
			apiVersion: 'beta',
			actionName: 'reprovision',
			actionState: 'failed',
			actionStartDateTime: '2024-06-01T08:00:00Z',
			actionLastUpdatedDateTime: '2024-06-01T08:40:00Z',
			actionStatusDetail: 'The OS disk could not be created.',
			actionStatusDetailCode: 'osDiskError',
			outcome: 'failed',
			stillRunning: false,
			reason: 'The reprovision action ended as failed: The OS disk could not be created.',
			requestId: call.requestId,
		});
	});

	test('a reprovision just requested is active; none at all says so; new states pass through', async () => {
		await run({
			parameters: parameters('reprovision', { scope: 'organization' }),
			items: [{ cloudPcId: PC.adeleFailed }],
		});
		graph.addRemoteAction(PC.alexProvisioned, { actionName: 'Reprovision', actionState: 'paused' });
		graph.requests.length = 0;

		const { output } = await run({
			parameters: parameters('getReprovisionStatus'),
			items: [PC.adeleFailed, PC.adeleProvisioned, PC.alexProvisioned].map((cloudPcId) => ({
				cloudPcId,
			})),
		});

		expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2].map((item) => ({ item })));
		expect(output[0].json).toMatchObject({
			actionName: 'Reprovision',
			actionState: 'active',
			actionStartDateTime: expect.stringMatching(/^\d{4}-/),
			outcome: 'requested',
			stillRunning: true,
			reason: null,
		});
		expect(output[1].json).toMatchObject({
			actionName: null,
			actionState: null,
			outcome: null,
			stillRunning: false,
			reason: 'No reprovision action found for this Cloud PC',
		});
		// A state newer than this node is not known to be final: a wait loop keeps waiting.
		expect(output[2].json).toMatchObject({
			actionState: 'paused',
			outcome: 'requested',
			stillRunning: true,
		});
		expect(graph.requests.filter((r) => r.path.endsWith('$batch'))).toHaveLength(1);
	});

	test('stillRunning turns false once the action is done, for a wait loop to leave by', async () => {
		await run({
			parameters: parameters('reprovision', { scope: 'organization' }),
			items: [{ cloudPcId: PC.adeleFailed }],
		});
		const status = async () =>
			(
				await run({
					parameters: parameters('getReprovisionStatus'),
					items: [{ cloudPcId: PC.adeleFailed }],
				})
			).output[0].json;

		expect(await status()).toMatchObject({ outcome: 'requested', stillRunning: true });
		graph.completeRemoteAction(PC.adeleFailed, 'done');
		expect(await status()).toMatchObject({
			actionState: 'done',
			outcome: 'done',
			stillRunning: false,
		});
	});

	test('Continue On Fail: an unknown Cloud PC fails its own item with the request id', async () => {
		const { output } = await run({
			parameters: parameters('getReprovisionStatus'),
			items: [{ cloudPcId: UNKNOWN }, { cloudPcId: PC.adeleFailed }],
			continueOnFail: true,
		});

		expect(output[0].json).toMatchObject({
			cloudPcId: UNKNOWN,
			statusCode: 404,
			apiVersion: 'beta',
		});
		expect(output[0].json.requestId).toBe(operations()[0].requestId);
		expect(output[1].json.reason).toBe('No reprovision action found for this Cloud PC');
	});
});
