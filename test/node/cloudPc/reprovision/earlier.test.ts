import type { INodeParameters, WorkflowExecuteMode } from 'n8n-workflow';

import {
	ALEX,
	delegatedCredential,
	PC,
	reprovisionParameters,
	startFleetServer,
} from '../../../fixtures';
import { manyCloudPcs, type GraphServer } from '../../../graph-server';
import { runCloudPcNode } from '../../../harness/run-workflow';

/*
 * Check for an Earlier Reprovision. When n8n's worker stops mid-run, the execution is marked
 * crashed and a user's retry runs the node again on every item (test/e2e/queue-mode.mjs shows
 * it in n8n). The server's status lags behind an accepted reprovision, so Graph would accept a
 * second one: only the remote action results tell what the first attempt already started.
 */

const fleet = manyCloudPcs(40);
const ids = fleet.map((pc) => pc.id);

let graph: GraphServer;

beforeAll(async () => {
	graph = await startFleetServer(fleet, { statusLagMs: 60_000 });
});
afterAll(async () => await graph.close());
beforeEach(() => graph.reset());

const run = async (
	cloudPcIds: string[],
	mode: WorkflowExecuteMode,
	parameters: INodeParameters = {},
	typeVersion = 1,
) =>
	await runCloudPcNode({
		credentials: delegatedCredential(graph.url),
		parameters: reprovisionParameters(parameters),
		items: cloudPcIds.map((cloudPcId) => ({ cloudPcId })),
		continueOnFail: true,
		mode,
		typeVersion,
	});

const reads = () =>
	graph.requests.filter((r) => r.path.endsWith('/retrieveCloudPcRemoteActionResults'));
const listReads = () =>
	graph.requests.filter((r) => r.path === '/beta/deviceManagement/virtualEndpoint/cloudPCs');
const outcomes = (output: Awaited<ReturnType<typeof run>>['output']) =>
	output.map((item) => item.json.outcome);

describe('Check for an Earlier Reprovision', () => {
	test('a retry skips what the first attempt started and sends the rest, each once', async () => {
		// The first attempt got through half of the Cloud PCs before its worker stopped.
		await run(ids.slice(0, 20), 'webhook');
		graph.requests.length = 0;

		const { output, error } = await run(ids, 'retry');

		expect(error).toBeUndefined();
		expect(outcomes(output)).toEqual([
			...Array(20).fill('skipped'),
			...Array(20).fill('requested'),
		]);
		expect(output[0].json.reason).toMatch(
			/^A reprovision of this Cloud PC started at \d{4}-.+ \(active\), so it was not sent again \(Check for an Earlier Reprovision\)$/,
		);
		expect(output[0].json).toMatchObject({ requestedAt: null, cloudPcId: ids[0] });
		expect(output[39].json).toMatchObject({ outcome: 'requested', reason: null, statusCode: 204 });
		expect(graph.lostAndDuplicated(ids)).toEqual({ lost: 0, duplicated: 0 });
		// Its cost: more Cloud PCs than one batch reads, so one page of the tenant's list instead.
		expect(listReads()).toHaveLength(1);
		expect(reads()).toHaveLength(0);
	});

	test('up to 20 Cloud PCs: one read each, in one batch; more: the list, one read per 999 Cloud PCs', async () => {
		await run(ids.slice(0, 20), 'webhook', {}, 2);
		expect(reads()).toHaveLength(20);
		expect(new Set(reads().map((r) => r.batchRequestId)).size).toBe(1);
		expect(listReads()).toHaveLength(0);

		graph.reset();
		await run(ids.slice(0, 21), 'webhook', {}, 2);
		expect(reads()).toHaveLength(0);
		expect(listReads().map((r) => r.query)).toEqual([
			{ $select: 'id,lastRemoteActionResult', $top: '999' },
		]);
	});

	test('the list settles what the last action shows; another action in the window is read one by one', async () => {
		const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
		const action = (id: string, actionName: string, actionState: string, minutes: number) =>
			graph.addRemoteAction(id, { actionName, actionState, startDateTime: minutesAgo(minutes) });
		action(ids[0], 'Reprovision', 'active', 30);
		// restarted after a reprovision: its last action hides the reprovision
		action(ids[1], 'Reprovision', 'done', 60);
		action(ids[1], 'Reboot', 'done', 10);
		action(ids[2], 'Reprovision', 'done', 5 * 60);
		action(ids[3], 'Reboot', 'done', 10);
		action(ids[4], 'Reprovision', 'failed', 20);

		const { output } = await run(ids, 'webhook', {}, 2);

		expect(outcomes(output)).toEqual(['skipped', 'skipped', ...Array(38).fill('requested')]);
		expect(output[1].json.reason).toMatch(/\(done\), so it was not sent again/);
		expect(listReads()).toHaveLength(1);
		expect(reads().map((r) => r.path.split('/')[5])).toEqual([ids[1], ids[3], ids[4]]);
		expect(graph.lostAndDuplicated(ids.slice(2))).toEqual({ lost: 0, duplicated: 0 });
		expect(graph.reprovisionCount(ids[0]) + graph.reprovisionCount(ids[1])).toBe(0);
	});

	test('a list that cannot be read leaves every Cloud PC to its own read', async () => {
		graph.failNext(
			{ method: 'GET', pathIncludes: '/virtualEndpoint/cloudPCs' },
			{ status: 403, code: 'Forbidden', message: 'Not allowed' },
		);
		const { output } = await run(ids.slice(0, 21), 'webhook', {}, 2);
		expect(outcomes(output)).toEqual(Array(21).fill('requested'));
		expect(listReads()).toHaveLength(1);
		expect(reads()).toHaveLength(21);
	});

	test('pages of the list are followed until every Cloud PC of the run was seen', async () => {
		const paged = await startFleetServer(fleet, { statusLagMs: 60_000, pageSize: 10 });
		try {
			const { output } = await runCloudPcNode({
				credentials: delegatedCredential(paged.url),
				parameters: reprovisionParameters(),
				items: ids.slice(0, 25).map((cloudPcId) => ({ cloudPcId })),
				typeVersion: 2,
			});
			expect(outcomes(output)).toEqual(Array(25).fill('requested'));
			// 4 sample Cloud PCs, then the fleet: the 25th of the run is on the third page of 10
			const pages = paged.requests.filter((r) => r.path.endsWith('/cloudPCs'));
			expect(pages).toHaveLength(3);
			expect(
				paged.requests.filter((r) => r.path.endsWith('/retrieveCloudPcRemoteActionResults')),
			).toHaveLength(0);
		} finally {
			await paged.close();
		}
	});

	test('version 2, by default: the same items delivered twice (two executions) reprovision each Cloud PC once', async () => {
		const first = await run(ids.slice(0, 5), 'webhook', {}, 2);
		// Graph's status still says "provisioned": a second reprovision would be accepted.
		const second = await run(ids.slice(0, 5), 'webhook', {}, 2);

		expect(outcomes(first.output)).toEqual(Array(5).fill('requested'));
		expect(first.output[0].json.reason).toBeNull();
		expect(outcomes(second.output)).toEqual(Array(5).fill('skipped'));
		for (const item of second.output) {
			expect(item.json.reason).toMatch(/\(active\), so it was not sent again \(Check for/);
			expect(item.json.error).toBeUndefined();
		}
		expect(graph.lostAndDuplicated(ids.slice(0, 5))).toEqual({ lost: 0, duplicated: 0 });
	});

	test('version 1, by default: no read outside a retry; a second start then wipes twice, unless Always', async () => {
		await run(ids.slice(0, 5), 'webhook');
		graph.requests.length = 0;
		const again = await run(ids.slice(0, 5), 'webhook');
		expect(reads()).toHaveLength(0);
		expect(outcomes(again.output)).toEqual(Array(5).fill('requested'));
		expect(graph.reprovisionCount(ids[0])).toBe(2);

		graph.reset();
		await run(ids.slice(0, 5), 'webhook');
		const always = await run(ids.slice(0, 5), 'webhook', {
			safety: { checkEarlierReprovision: 'always' },
		});
		expect(outcomes(always.output)).toEqual(Array(5).fill('skipped'));
		expect(graph.lostAndDuplicated(ids.slice(0, 5))).toEqual({ lost: 0, duplicated: 0 });
	});

	test('Never: a retry reads nothing', async () => {
		await run(ids.slice(0, 3), 'retry', { safety: { checkEarlierReprovision: 'never' } });
		expect(reads()).toHaveLength(0);
		expect(graph.lostAndDuplicated(ids.slice(0, 3))).toEqual({ lost: 0, duplicated: 0 });
	});

	test('an earlier reprovision that failed, or one older than 4 hours, does not stop a new one', async () => {
		graph.addRemoteAction(ids[0], {
			actionName: 'Reprovision',
			actionState: 'failed',
			startDateTime: new Date(Date.now() - 30 * 60_000).toISOString(),
		});
		graph.addRemoteAction(ids[1], {
			actionName: 'Reprovision',
			actionState: 'done',
			startDateTime: new Date(Date.now() - 5 * 60 * 60_000).toISOString(),
		});
		graph.addRemoteAction(ids[2], {
			actionName: 'Reprovision',
			actionState: 'done',
			startDateTime: new Date(Date.now() - 60 * 60_000).toISOString(),
		});

		const { output } = await run(ids.slice(0, 3), 'retry');

		expect(outcomes(output)).toEqual(['requested', 'requested', 'skipped']);
		expect(output[2].json.reason).toMatch(/\(done\), so it was not sent again/);
	});

	test('a check that cannot be read fails its item and sends nothing for it', async () => {
		graph.failNext(
			{ pathIncludes: `${ids[1]}/retrieveCloudPcRemoteActionResults` },
			{ status: 403, code: 'Forbidden', message: 'Not allowed' },
		);

		const { output } = await run(ids.slice(0, 3), 'retry');

		expect(outcomes(output)).toEqual(['requested', 'failed', 'requested']);
		expect(output[1].json.reason).toMatch(
			/^Its earlier reprovisions could not be checked, so it was not sent: /,
		);
		expect(output[1].json).toMatchObject({ errorCode: 'Forbidden', statusCode: 403 });
		expect(graph.reprovisionCount(ids[1])).toBe(0);
	});
});

describe('version 2 with Retry On Fail', () => {
	test('a next try reads Graph only for what the earlier try did not send', async () => {
		graph.failNext(
			{ method: 'POST', pathIncludes: `${ids[3]}/reprovision` },
			{ status: 400, code: 'BadRequest', message: 'Not now' },
		);

		const { output, error } = await runCloudPcNode({
			credentials: delegatedCredential(graph.url),
			parameters: reprovisionParameters(),
			items: ids.slice(0, 4).map((cloudPcId) => ({ cloudPcId })),
			typeVersion: 2,
			settings: { retryOnFail: true, maxTries: 2, waitBetweenTries: 0 },
		});

		expect(error).toBeUndefined();
		expect(outcomes(output)).toEqual(Array(4).fill('requested'));
		// 4 checks on the first try; the next one checks only the Cloud PC Graph refused
		expect(reads().map((r) => r.path.split('/')[5])).toEqual([...ids.slice(0, 4), ids[3]]);
		expect(graph.lostAndDuplicated(ids.slice(0, 4))).toEqual({ lost: 0, duplicated: 0 });
	});
});

describe('Check for an Earlier Reprovision on the user routes', () => {
	const runAsUser = async (cloudPcIds: string[]) =>
		await runCloudPcNode({
			credentials: delegatedCredential(graph.url),
			parameters: reprovisionParameters({ scope: 'user', user: ALEX.upn }),
			items: cloudPcIds.map((cloudPcId) => ({ cloudPcId })),
			typeVersion: 2,
		});
	const reprovisionedAnHourAgo = (id: string) =>
		graph.addRemoteAction(id, {
			actionName: 'Reprovision',
			actionState: 'done',
			startDateTime: new Date(Date.now() - 60 * 60_000).toISOString(),
		});
	/** A delegated user without an admin role: Graph refuses the admin route. */
	const adminRouteRefused = () =>
		graph.failNext({ pathIncludes: 'retrieveCloudPcRemoteActionResults' }, { status: 403 }, 10);

	test('the admin route is read first: a reprovision that already finished is seen (a ticket delivered twice)', async () => {
		reprovisionedAnHourAgo(PC.alexProvisioned);

		const { output } = await runAsUser([PC.alexProvisioned]);

		expect(outcomes(output)).toEqual(['skipped']);
		expect(output[0].json.reason).toMatch(/^A reprovision of this Cloud PC started at/);
		expect(reads()).toHaveLength(1);
		expect(graph.reprovisionCount(PC.alexProvisioned)).toBe(0);
	});

	test("admin route refused: a Cloud PC whose status shows an action running is skipped, through the user's own path", async () => {
		adminRouteRefused();
		const { output, error } = await runAsUser([PC.alexProvisioning, PC.alexProvisioned]);

		expect(error).toBeUndefined();
		expect(outcomes(output)).toEqual(['skipped', 'requested']);
		expect(output[0].json.reason).toMatch(
			/^Its status is "provisioning", so an action may be running on it and it was not sent \(Check for an Earlier Reprovision: on this scope Graph shows only the status, not a reprovision that already finished\)$/,
		);
		const statusReads = graph.requests.filter(
			(r) => r.method === 'GET' && !r.path.endsWith('/retrieveCloudPcRemoteActionResults'),
		);
		expect(statusReads.map((r) => r.path)).toEqual(
			[PC.alexProvisioning, PC.alexProvisioned].map(
				(id) => `/beta/users/${encodeURIComponent(ALEX.upn)}/cloudPCs/${id}`,
			),
		);
		expect(graph.reprovisionCount(PC.alexProvisioning)).toBe(0);
	});

	test('admin route refused, what it cannot see: a reprovision that already finished', async () => {
		reprovisionedAnHourAgo(PC.alexProvisioned);
		adminRouteRefused();

		const { output } = await runAsUser([PC.alexProvisioned]);

		expect(outcomes(output)).toEqual(['requested']);
		expect(graph.reprovisionCount(PC.alexProvisioned)).toBe(1);
	});
});

describe('a Cloud PC left alone by a safety option', () => {
	test('is "skipped" with the reason, not "failed" or cancelled, when both reads pass but the check finds a reprovision', async () => {
		// Reprovisioned an hour ago and provisioned again: Only If Reprovisionable lets it through,
		// Check for an Earlier Reprovision does not.
		graph.addRemoteAction(ids[0], {
			actionName: 'Reprovision',
			actionState: 'done',
			startDateTime: new Date(Date.now() - 60 * 60_000).toISOString(),
		});

		const { output, error } = await runCloudPcNode({
			credentials: delegatedCredential(graph.url),
			parameters: reprovisionParameters({
				safety: { onlyIfReprovisionable: true, checkEarlierReprovision: 'always' },
			}),
			items: [{ cloudPcId: ids[0] }, { cloudPcId: ids[1] }],
		});

		expect(error).toBeUndefined();
		expect(outcomes(output)).toEqual(['skipped', 'requested']);
		expect(output[0].json.reason).toMatch(/\(done\), so it was not sent again/);
		expect(output[0].json.error).toBeUndefined();
		expect(graph.reprovisionCount(ids[0])).toBe(0);
	});
});
