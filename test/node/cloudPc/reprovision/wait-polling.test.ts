import { pollBudget } from '../../../../nodes/MicrosoftCloudPc/actions/remoteAction/wait';
import type { GraphServer, LoggedRequest } from '../../../graph-server';
import { manyCloudPcs } from '../../../graph-server';
import { delegatedCredential, reprovisionParameters, startFleetServer } from '../../../fixtures';
import { runCloudPcNode } from '../../../harness/run-workflow';

/**
 * Wait for Completion on many Cloud PCs: each poll lists the Cloud PCs still `provisioning`
 * and reads the action results of the others only, within the poll's share of Windows 365's
 * published per-app budgets (List Cloud PCs 90, Get 270 per 60 s).
 */
const INTERVAL_S = 4;
const fleet = manyCloudPcs(40);
const ids = fleet.map((pc) => pc.id);

let graph: GraphServer;
beforeAll(async () => {
	// actions end 6 s after they start: the first poll (4 s) finds all still running, the second all done
	graph = await startFleetServer(fleet, { pageSize: 20, reprovisionDurationMs: 6000 });
});
afterAll(async () => await graph.close());

const isList = (r: LoggedRequest) =>
	r.method === 'GET' && r.path === '/beta/deviceManagement/virtualEndpoint/cloudPCs';
const isRead = (r: LoggedRequest) => r.path.endsWith('/retrieveCloudPcRemoteActionResults');

/** The polls' requests, split where more than half an interval passed without one. */
function polls(requests: LoggedRequest[]): Array<{ lists: number; reads: number }> {
	const ofPolls = requests.filter((r) => isList(r) || (isRead(r) && r.batchRequestId));
	const found: Array<{ lists: number; reads: number; last: number }> = [];
	for (const r of ofPolls) {
		let poll = found[found.length - 1];
		if (!poll || r.at - poll.last > (INTERVAL_S * 1000) / 2) {
			poll = { lists: 0, reads: 0, last: r.at };
			found.push(poll);
		}
		poll.last = r.at;
		if (isList(r)) poll.lists++;
		else poll.reads++;
	}
	return found.map(({ lists, reads }) => ({ lists, reads }));
}

test('the budget of a poll is its interval’s share of the published per-app budgets', () => {
	expect(pollBudget(60_000)).toEqual({ listPages: 90, reads: 270 });
	expect(pollBudget(INTERVAL_S * 1000)).toEqual({ listPages: 6, reads: 18 });
	// never nothing: a 1 s poll still lists one page and reads four
	expect(pollBudget(1000)).toEqual({ listPages: 1, reads: 4 });
});

test('40 waiting Cloud PCs: a poll lists those provisioning and reads only the changed, 18 at most', async () => {
	const { output, error } = await runCloudPcNode({
		credentials: delegatedCredential(graph.url),
		parameters: reprovisionParameters({
			safety: { waitForCompletion: true, pollIntervalSeconds: INTERVAL_S, waitTimeoutMinutes: 1 },
		}),
		items: ids.map((cloudPcId) => ({ cloudPcId })),
	});

	expect(error).toBeUndefined();
	expect(output.map((item) => item.json.outcome)).toEqual(ids.map(() => 'done'));
	const lists = graph.requests.filter(isList);
	// a list's first page asks for them; the next pages follow @odata.nextLink
	const firstPages = lists.filter((r) => r.query.$skiptoken === undefined);
	expect(firstPages.every((r) => r.query.$filter === "status eq 'provisioning'")).toBe(true);
	// poll 1: all 40 (and the tenant's one other) provisioning, three pages of 20, nothing read;
	// then all done: one page (the other one) and 18 reads, again, then the last 4, few enough
	// (at most one batch) to be read without a list
	expect(polls(graph.requests)).toEqual([
		{ lists: 3, reads: 0 },
		{ lists: 1, reads: 18 },
		{ lists: 1, reads: 18 },
		{ lists: 0, reads: 4 },
	]);
	// each Cloud PC's action results read once, against 40 per poll when each is read every poll
	for (const id of ids) {
		expect(graph.requests.filter((r) => isRead(r) && r.path.includes(id))).toHaveLength(1);
	}
}, 60_000);
