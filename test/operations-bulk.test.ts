import { manyCloudPcs, startGraphServer, type GraphServer } from './graph-server';
import { delegatedCredential, serverOptions } from './fixtures';
import { runCloudPcNode } from './harness/run-workflow';

/** One more than a bulk action takes. */
const fleet = manyCloudPcs(5001);

let graph: GraphServer;

beforeAll(async () => {
	graph = await startGraphServer({ ...serverOptions(), cloudPcs: fleet });
});
afterAll(async () => await graph.close());

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
