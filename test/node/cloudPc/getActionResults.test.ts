import { PC, startFleetServer } from '../../fixtures';
import { adminReadContract } from '../../harness/admin-reads';
import {
	delegatedRun,
	fleet,
	parameters,
	useGraphServer,
	useOperationsServer,
} from '../../harness/graph-per-file';

const server = useOperationsServer();
const { graph, run, operations } = server;

const action = (i: number, extra: Record<string, unknown> = {}) => ({
	actionName: 'Reboot',
	actionState: 'done',
	startDateTime: `2026-11-0${i}T08:00:00Z`,
	lastUpdatedDateTime: `2026-11-0${i}T08:05:00Z`,
	cloudPcId: PC.adeleProvisioned,
	managedDeviceId: null,
	statusDetail: null,
	...extra,
});

adminReadContract(server, {
	operation: 'getActionResults',
	segment: 'retrieveCloudPcRemoteActionResults',
	record: action,
	count: (json) => json.actionCount as number,
});

describe('Get Action Results', () => {
	test('one item per Cloud PC: every action newest first, which still run, the newest flat', async () => {
		graph.addRemoteAction(PC.adeleProvisioned, action(1, { actionName: 'Restore' }));
		graph.addRemoteAction(
			PC.adeleProvisioned,
			action(2, {
				actionName: 'Resize',
				actionState: 'failed',
				statusDetail: {
					code: 'quotaExceeded',
					message: 'No license left.',
					additionalInformation: [],
				},
			}),
		);
		graph.addRemoteAction(
			PC.adeleProvisioned,
			action(3, { actionName: 'Reprovision', actionState: 'active', lastUpdatedDateTime: null }),
		);
		graph.addRemoteAction(
			PC.adeleProvisioned,
			action(4, { actionName: 'Rename', actionState: 'pending' }),
		);
		const { output, error } = await run({
			parameters: parameters('getActionResults', { apiVersion: 'v1.0' }),
			items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: PC.adeleFailed }],
		});

		expect(error).toBeUndefined();
		const call = operations().find((r) => r.path.includes(PC.adeleProvisioned))!;
		expect(call.path).toBe(
			`/beta/deviceManagement/virtualEndpoint/cloudPCs/${PC.adeleProvisioned}/retrieveCloudPcRemoteActionResults`,
		);
		const entry = (
			i: number,
			actionName: string,
			actionState: string,
			stillRunning: boolean,
			extra: Record<string, unknown> = {},
		) => ({
			actionName,
			actionState,
			startDateTime: `2026-11-0${i}T08:00:00Z`,
			lastUpdatedDateTime: `2026-11-0${i}T08:05:00Z`,
			statusDetail: null,
			statusDetailCode: null,
			managedDeviceId: null,
			stillRunning,
			...extra,
		});
		expect(output[0].json).toEqual({
			cloudPcId: PC.adeleProvisioned,
			apiVersion: 'beta',
			actionCount: 4,
			actionName: 'Rename',
			actionState: 'pending',
			actionStartDateTime: '2026-11-04T08:00:00Z',
			actionLastUpdatedDateTime: '2026-11-04T08:05:00Z',
			actionStatusDetail: null,
			actionStatusDetailCode: null,
			runningActions: ['Rename', 'Reprovision'],
			stillRunning: true,
			actions: [
				entry(4, 'Rename', 'pending', true),
				entry(3, 'Reprovision', 'active', true, { lastUpdatedDateTime: null }),
				entry(2, 'Resize', 'failed', false, {
					statusDetail: 'No license left.',
					statusDetailCode: 'quotaExceeded',
				}),
				entry(1, 'Restore', 'done', false),
			],
			requestId: call.requestId,
		});
		// no action at all: the item stays, with an empty list
		expect(output[1].json).toMatchObject({
			cloudPcId: PC.adeleFailed,
			actionCount: 0,
			actionName: null,
			actionState: null,
			runningActions: [],
			stillRunning: false,
			actions: [],
		});
	});

	test('an action this node requested shows up, running, until Graph says done', async () => {
		await run({
			parameters: parameters('reprovision', { scope: 'organization' }),
			items: [{ cloudPcId: PC.adeleFailed }],
		});
		const results = async () =>
			(
				await run({
					parameters: parameters('getActionResults'),
					items: [{ cloudPcId: PC.adeleFailed }],
				})
			).output[0].json;

		expect(await results()).toMatchObject({
			actionName: 'Reprovision',
			actionState: 'active',
			stillRunning: true,
		});
		graph.completeRemoteAction(PC.adeleFailed, 'done');
		expect(await results()).toMatchObject({
			actionName: 'Reprovision',
			actionState: 'done',
			runningActions: [],
			stillRunning: false,
		});
	});
});

describe('Get Action Results on a Graph that pages them (2 a page, oldest first)', () => {
	const paged = useGraphServer(
		async () => await startFleetServer(fleet, { pageSize: 2, remoteActionPageSize: 2 }),
	);
	const runPaged = delegatedRun(paged);

	test('every page is read: the latest action, on the last page, is the one shown', async () => {
		for (let i = 1; i <= 5; i++) {
			paged.addRemoteAction(PC.alexProvisioned, action(i, { cloudPcId: PC.alexProvisioned }));
		}
		const { output, error } = await runPaged({
			parameters: parameters('getActionResults'),
			items: [{ cloudPcId: PC.alexProvisioned }],
		});

		expect(error).toBeUndefined();
		const calls = paged.requests.filter((r) =>
			r.path.endsWith('/retrieveCloudPcRemoteActionResults'),
		);
		expect(calls).toHaveLength(3);
		expect(calls[0].batchRequestId).toBeDefined();
		expect(calls.slice(1).every((r) => r.batchRequestId === undefined && r.query.$skiptoken)).toBe(
			true,
		);
		expect(output[0].json).toMatchObject({
			actionCount: 5,
			actionStartDateTime: '2026-11-05T08:00:00Z',
		});
		expect(
			(output[0].json.actions as Array<{ startDateTime: string }>).map((a) => a.startDateTime),
		).toEqual([5, 4, 3, 2, 1].map((i) => `2026-11-0${i}T08:00:00Z`));
	});
});
