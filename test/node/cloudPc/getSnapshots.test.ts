import { ADELE, PC, delegatedCredential, reprovisionParameters } from '../../fixtures';
import { adminReadContract } from '../../harness/admin-reads';
import { parameters, useOperationsServer } from '../../harness/graph-per-file';
import { searchList } from '../../harness/run-workflow';

const server = useOperationsServer();
const { graph, run, operations } = server;

const snapshot = (i: number, extra: Record<string, unknown> = {}) => ({
	id: `CPC_${PC.adeleProvisioned}_snap${i}`,
	cloudPcId: PC.adeleProvisioned,
	status: 'ready',
	createdDateTime: `2026-11-0${i}T02:05:15Z`,
	lastRestoredDateTime: null,
	snapshotType: 'automatic',
	expirationDateTime: null,
	...extra,
});

adminReadContract(server, {
	operation: 'getSnapshots',
	segment: 'retrieveSnapshots',
	record: snapshot,
	count: (json) => json.snapshotCount as number,
});

describe('Get Snapshots', () => {
	test('one item per Cloud PC: its snapshots newest first, the newest one flat', async () => {
		graph.addSnapshot(snapshot(3, { snapshotType: 'manual', lastRestoredDateTime: null }));
		graph.addSnapshot(snapshot(1, { status: 'unknownFutureValue' }));
		const [seeded] = graph.snapshots(PC.adeleProvisioned);
		const { output, error } = await run({
			parameters: parameters('getSnapshots'),
			items: [{ cloudPcId: PC.adeleProvisioned }],
		});

		expect(error).toBeUndefined();
		const [call] = operations();
		expect(output).toHaveLength(1);
		// the seeded snapshot is a day old: newer than the November ones added above
		expect(output[0].json).toEqual({
			cloudPcId: PC.adeleProvisioned,
			apiVersion: 'beta',
			snapshotCount: 3,
			latestSnapshotId: seeded.id,
			latestSnapshotCreatedDateTime: seeded.createdDateTime,
			latestSnapshotType: 'automatic',
			latestSnapshotStatus: 'ready',
			snapshots: [
				{
					snapshotId: seeded.id,
					createdDateTime: seeded.createdDateTime,
					snapshotType: 'automatic',
					status: 'ready',
					lastRestoredDateTime: null,
					expirationDateTime: seeded.expirationDateTime,
				},
				{
					snapshotId: snapshot(3).id,
					createdDateTime: '2026-11-03T02:05:15Z',
					snapshotType: 'manual',
					status: 'ready',
					lastRestoredDateTime: null,
					expirationDateTime: null,
				},
				{
					snapshotId: snapshot(1).id,
					createdDateTime: '2026-11-01T02:05:15Z',
					snapshotType: 'automatic',
					// a status newer than this node passes through
					status: 'unknownFutureValue',
					lastRestoredDateTime: null,
					expirationDateTime: null,
				},
			],
			requestId: call.requestId,
		});
	});

	test('a Cloud PC without snapshots keeps its item: an empty list and nulls', async () => {
		const fresh = 'f0000000-0000-4000-8000-000000000001';
		graph.addCloudPc({
			id: fresh,
			displayName: 'CPC-new-01',
			userPrincipalName: ADELE.upn,
			userId: ADELE.id,
			status: 'provisioned',
		});
		const { output } = await run({
			parameters: parameters('getSnapshots'),
			items: [{ cloudPcId: fresh }],
		});

		expect(output[0].json).toMatchObject({
			cloudPcId: fresh,
			snapshotCount: 0,
			latestSnapshotId: null,
			latestSnapshotCreatedDateTime: null,
			latestSnapshotType: null,
			latestSnapshotStatus: null,
			snapshots: [],
		});
	});
});

describe('searchSnapshots (the Snapshot picker of Restore)', () => {
	const search = async (cloudPcId: string, filter?: string, token?: string) =>
		await searchList(
			'searchSnapshots',
			'cloudPcSnapshotId',
			{
				credentials: delegatedCredential(graph.url),
				parameters: reprovisionParameters({
					scope: 'organization',
					cloudPcId: { __rl: true, mode: 'list', value: cloudPcId },
				}),
			},
			filter,
			token,
		);

	test('the chosen Cloud PC’s snapshots, newest first, each "date · type · status"', async () => {
		graph.addSnapshot(snapshot(2, { snapshotType: 'manual' }));
		graph.addSnapshot(snapshot(5));
		const [seeded] = graph.snapshots(PC.adeleProvisioned);
		const { results, paginationToken } = await search(PC.adeleProvisioned);

		expect(graph.requests.map((r) => r.path)).toEqual([
			`/beta/deviceManagement/virtualEndpoint/cloudPCs/${PC.adeleProvisioned}/retrieveSnapshots`,
		]);
		const shown = `${seeded.createdDateTime.slice(0, 16).replace('T', ' ')} UTC`;
		expect(results).toEqual([
			{ name: `${shown} · automatic · ready`, value: seeded.id },
			{ name: '2026-11-05 02:05 UTC · automatic · ready', value: snapshot(5).id },
			{ name: '2026-11-02 02:05 UTC · manual · ready', value: snapshot(2).id },
		]);
		expect(paginationToken).toBeUndefined();
	});

	test('the search text matches the entry, and a nextLink becomes the next page', async () => {
		graph.addSnapshot(snapshot(2, { snapshotType: 'manual' }));
		expect((await search(PC.adeleProvisioned, 'MANUAL')).results.map((r) => r.value)).toEqual([
			snapshot(2).id,
		]);

		graph.requests.length = 0;
		const next = `${graph.url}/beta/deviceManagement/virtualEndpoint/cloudPCs/${PC.adeleProvisioned}/retrieveSnapshots?$skiptoken=p2`;
		graph.failNext(
			{ pathIncludes: 'retrieveSnapshots' },
			{ status: 200, body: { value: [snapshot(1)], '@odata.nextLink': next } },
		);
		const first = await search(PC.adeleProvisioned);
		expect(first.results.map((r) => r.value)).toEqual([snapshot(1).id]);
		expect(first.paginationToken).toBe(next);
		graph.failNext({ queryHas: '$skiptoken' }, { status: 200, body: { value: [snapshot(4)] } });
		const second = await search(PC.adeleProvisioned, undefined, first.paginationToken as string);
		expect(second.results.map((r) => r.value)).toEqual([snapshot(4).id]);
		expect(graph.requests[1].query).toEqual({ $skiptoken: 'p2' });
	});

	test('no Cloud PC chosen, or one given by an expression: an empty list, nothing sent', async () => {
		expect((await search('')).results).toEqual([]);
		expect((await search('={{ $json.cloudPcId }}')).results).toEqual([]);
		expect(graph.requests).toEqual([]);
	});

	test('a Graph refusal says what to fix, then what Graph answered', async () => {
		await expect(search('99999999-9999-4999-8999-999999999999')).rejects.toThrow(
			/No such Cloud PC.*\(/,
		);
		await expect(search('not-a-guid')).rejects.toThrow('"Cloud PC" must be a Cloud PC ID');
	});
});
