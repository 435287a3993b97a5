import { PC } from '../../fixtures';
import { adminReadContract } from '../../harness/admin-reads';
import { parameters, useOperationsServer } from '../../harness/graph-per-file';

const server = useOperationsServer();
const { graph, run, operations } = server;

const event = (i: number, extra: Record<string, unknown> = {}) => ({
	eventDateTime: `2026-11-0${i}T18:40:00Z`,
	eventName: 'UserConnection',
	eventResult: 'success',
	eventType: 'userConnection',
	message: `connection ${i}`,
	...extra,
});

adminReadContract(server, {
	operation: 'getConnectivityHistory',
	segment: 'getCloudPcConnectivityHistory',
	record: event,
	count: (json) => json.eventCount as number,
});

describe('Get Connectivity History', () => {
	test('one item per Cloud PC: its events newest first, failures counted, the newest flat', async () => {
		graph.addConnectivityEvent(PC.adeleProvisioned, event(1));
		graph.addConnectivityEvent(
			PC.adeleProvisioned,
			event(3, {
				eventName: 'DomainJoinCheck',
				eventResult: 'failure',
				eventType: 'deviceHealthCheck',
				message: 'SessionHost unhealthy: SessionHost is not joined to a domain',
			}),
		);
		graph.addConnectivityEvent(PC.adeleProvisioned, event(2, { eventType: 'somethingNewer' }));
		const { output, error } = await run({
			parameters: parameters('getConnectivityHistory'),
			items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: PC.adeleFailed }],
		});

		expect(error).toBeUndefined();
		const call = operations().find((r) => r.path.includes(PC.adeleProvisioned))!;
		expect(output[0].json).toEqual({
			cloudPcId: PC.adeleProvisioned,
			apiVersion: 'beta',
			eventCount: 3,
			failureCount: 1,
			latestEventDateTime: '2026-11-03T18:40:00Z',
			latestEventName: 'DomainJoinCheck',
			latestEventType: 'deviceHealthCheck',
			latestEventResult: 'failure',
			latestEventMessage: 'SessionHost unhealthy: SessionHost is not joined to a domain',
			events: [
				{
					eventDateTime: '2026-11-03T18:40:00Z',
					eventName: 'DomainJoinCheck',
					eventType: 'deviceHealthCheck',
					eventResult: 'failure',
					message: 'SessionHost unhealthy: SessionHost is not joined to a domain',
					activityId: null,
				},
				{
					eventDateTime: '2026-11-02T18:40:00Z',
					eventName: 'UserConnection',
					eventType: 'somethingNewer',
					eventResult: 'success',
					message: 'connection 2',
					activityId: null,
				},
				{
					eventDateTime: '2026-11-01T18:40:00Z',
					eventName: 'UserConnection',
					eventType: 'userConnection',
					eventResult: 'success',
					message: 'connection 1',
					activityId: null,
				},
			],
			requestId: call.requestId,
		});
		// no history: the item stays, with an empty list and nulls
		expect(output[1].json).toMatchObject({
			cloudPcId: PC.adeleFailed,
			eventCount: 0,
			failureCount: 0,
			latestEventDateTime: null,
			latestEventName: null,
			events: [],
		});
	});
});
