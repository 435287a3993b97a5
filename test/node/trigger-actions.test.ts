import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { cloudPcs, delegatedCredential, PC, startFleetServer } from '../fixtures';
import { manyCloudPcs, type SeedCloudPc } from '../graph-server';
import { useGraphServer } from '../harness/graph-per-file';
import { Poller } from '../harness/run-poll';

/*
 * Microsoft Cloud PC Trigger, Action Finished (and Reprovision Finished, its special case),
 * through n8n-core's poll path against the local Graph server: the sample tenant plus 3 fleet
 * Cloud PCs, two to a page; remote action results two to a page too.
 */
const fleet = manyCloudPcs(3);
const graph = useGraphServer(
	async () => await startFleetServer(fleet, { pageSize: 2, remoteActionPageSize: 2 }),
);

const trigger = (parameters: INodeParameters = {}) =>
	new Poller(
		{ authentication: 'oAuth2', event: 'actionFinished', actions: [], ...parameters },
		delegatedCredential(graph.url),
	);
const resultReads = () =>
	graph.requests.filter((r) => r.path.endsWith('/retrieveCloudPcRemoteActionResults'));
const state = (poller: Poller) =>
	(
		JSON.parse(poller.staticData) as Record<
			string,
			{ cloudPcs?: { ids: string[]; entries: string[] } }
		>
	)['node:Microsoft Cloud PC Trigger']?.cloudPcs;

async function activated(parameters: INodeParameters = {}) {
	const poller = trigger(parameters);
	expect(await poller.poll()).toEqual({ items: null });
	return poller;
}

/** A time this many minutes from now (negative: ago): each action its own start. */
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const secondsLater = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();

const actionsOf = (items: Array<Record<string, unknown>> | null) =>
	items?.map((i) => [i.cloudPcId, i.actionName, i.actionState]);

describe('Microsoft Cloud PC Trigger: Action Finished', () => {
	it('fires once when a reprovision finishes, as one flat item with its outcome and reason', async () => {
		const poller = await activated();
		graph.addRemoteAction(PC.adeleFailed, { actionName: 'Reprovision', actionState: 'active' });
		expect(await poller.poll()).toEqual({ items: null });
		graph.completeRemoteAction(PC.adeleFailed, 'failed');
		const { items } = await poller.poll();
		expect(items).toEqual([
			{
				event: 'actionFinished',
				cloudPcId: PC.adeleFailed,
				cloudPcName: 'CPC-adele-02',
				userPrincipalName: 'adele.vance@contoso.com',
				previousStatus: 'failed',
				status: 'failed',
				statusDetail: 'Provisioning failed. Reprovision the Cloud PC to try again.',
				statusDetailCode: 'internalServerError',
				actionName: 'Reprovision',
				actionState: 'failed',
				actionStartDateTime: expect.any(String),
				actionLastUpdatedDateTime: expect.any(String),
				actionStatusDetail:
					'Reprovisioning failed. Try again, or contact support if it fails again.',
				actionStatusDetailCode: 'internalServerError',
				outcome: 'failed',
				reason:
					'The Reprovision action ended as failed: Reprovisioning failed. Try again, or contact support if it fails again.',
				seenAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			},
		]);
		// read through JSON batches, beta, admin route, only for the Cloud PC whose action changed
		const reads = resultReads();
		expect(reads.every((r) => r.batchRequestId !== undefined)).toBe(true);
		expect(new Set(reads.map((r) => r.path))).toEqual(
			new Set([
				`/beta/deviceManagement/virtualEndpoint/cloudPCs/${PC.adeleFailed}/retrieveCloudPcRemoteActionResults`,
			]),
		);
		for (let i = 0; i < 3; i++) expect(await poller.poll()).toEqual({ items: null });
	});

	it('a reprovision followed by a reboot before the next poll fires both, oldest first; Reprovision Finished fires the reprovision', async () => {
		const any = await activated();
		const reprovisionOnly = await activated({ event: 'reprovisionFinished' });
		graph.addRemoteAction(PC.adeleProvisioned, {
			actionName: 'Troubleshoot',
			actionState: 'failed',
			startDateTime: secondsLater(0.5),
		});
		graph.addRemoteAction(PC.adeleProvisioned, {
			actionName: 'Reprovision',
			actionState: 'done',
			startDateTime: secondsLater(1),
			lastUpdatedDateTime: secondsLater(2),
		});
		graph.addRemoteAction(PC.adeleProvisioned, {
			actionName: 'Reboot',
			actionState: 'done',
			startDateTime: secondsLater(3),
			lastUpdatedDateTime: secondsLater(4),
		});
		// the list's lastRemoteActionResult shows only the reboot: the reprovision is behind it
		expect(actionsOf((await any.poll()).items)).toEqual([
			[PC.adeleProvisioned, 'Troubleshoot', 'failed'],
			[PC.adeleProvisioned, 'Reprovision', 'done'],
			[PC.adeleProvisioned, 'Reboot', 'done'],
		]);
		// two to a page, oldest first: the reboot was on the second page
		expect(resultReads().some((r) => r.query.$skiptoken !== undefined)).toBe(true);
		const { items } = await reprovisionOnly.poll();
		expect(items).toEqual([
			expect.objectContaining({
				event: 'reprovisionFinished',
				cloudPcId: PC.adeleProvisioned,
				actionName: 'Reprovision',
				outcome: 'done',
				reason: null,
			}),
		]);
		expect(await any.poll()).toEqual({ items: null });
		expect(await reprovisionOnly.poll()).toEqual({ items: null });
	});

	it('fires only for the chosen actions, and for canceled and not supported ones as failed', async () => {
		const poller = await activated({ actions: ['Troubleshoot', 'Rename'] });
		graph.addRemoteAction(PC.alexProvisioned, {
			actionName: 'Troubleshoot',
			actionState: 'canceled',
			startDateTime: secondsLater(1),
		});
		graph.addRemoteAction(PC.alexProvisioned, {
			actionName: 'Reboot',
			actionState: 'done',
			startDateTime: secondsLater(2),
		});
		graph.addRemoteAction(fleet[0].id, {
			actionName: 'Rename',
			actionState: 'notSupported',
			startDateTime: secondsLater(3),
		});
		const { items } = await poller.poll();
		expect(items?.map((i) => [i.actionName, i.actionState, i.outcome, i.reason])).toEqual([
			['Troubleshoot', 'canceled', 'failed', 'The Troubleshoot action ended as canceled'],
			['Rename', 'notSupported', 'failed', 'The Rename action ended as notSupported'],
		]);
		expect(await poller.poll()).toEqual({ items: null });
	});

	it('an action still running at a poll fires once when it ends, also when a later one finished first', async () => {
		const poller = await activated();
		graph.addRemoteAction(PC.adeleFailed, {
			actionName: 'Reprovision',
			actionState: 'active',
			startDateTime: minutesAgo(5),
		});
		expect(await poller.poll()).toEqual({ items: null });
		// a rename finishes while the reprovision still runs
		graph.addRemoteAction(PC.adeleFailed, {
			actionName: 'Rename',
			actionState: 'done',
			startDateTime: minutesAgo(1),
		});
		expect(actionsOf((await poller.poll()).items)).toEqual([[PC.adeleFailed, 'Rename', 'done']]);
		// still running: read again each poll, nothing fired
		const before = resultReads().length;
		expect(await poller.poll()).toEqual({ items: null });
		expect(resultReads().length).toBeGreaterThan(before);
		graph.completeRemoteAction(PC.adeleFailed, 'done');
		expect(actionsOf((await poller.poll()).items)).toEqual([
			[PC.adeleFailed, 'Reprovision', 'done'],
		]);
		// nothing runs any more: no reads at all
		const after = resultReads().length;
		for (let i = 0; i < 3; i++) expect(await poller.poll()).toEqual({ items: null });
		expect(resultReads()).toHaveLength(after);
	});

	it('the first poll fires nothing for history, and a Cloud PC added later brings none either', async () => {
		graph.addRemoteAction(PC.adeleProvisioned, {
			actionName: 'Reboot',
			actionState: 'done',
			startDateTime: minutesAgo(60),
		});
		const poller = await activated();
		expect(resultReads()).toHaveLength(0);
		expect(await poller.poll()).toEqual({ items: null });
		const [newcomer] = manyCloudPcs(4).slice(3);
		graph.addCloudPc(newcomer);
		graph.addRemoteAction(newcomer.id, {
			actionName: 'Restore',
			actionState: 'done',
			startDateTime: minutesAgo(30),
		});
		expect(await poller.poll()).toEqual({ items: null });
		graph.addRemoteAction(newcomer.id, { actionName: 'Reboot', actionState: 'failed' });
		expect(actionsOf((await poller.poll()).items)).toEqual([[newcomer.id, 'Reboot', 'failed']]);
	});

	it('a Cloud PC whose last action is in state none (not a valid state) is not read at every poll', async () => {
		graph.addRemoteAction(PC.alexProvisioned, {
			actionName: 'Reboot',
			actionState: 'none',
			startDateTime: minutesAgo(10),
		});
		const poller = await activated();
		for (let i = 0; i < 3; i++) expect(await poller.poll()).toEqual({ items: null });
		expect(resultReads()).toHaveLength(0);
	});

	it('Fetch Test Event shows the latest finished action of a chosen kind and writes no state', async () => {
		graph.addRemoteAction(PC.alexProvisioned, {
			actionName: 'Reboot',
			actionState: 'done',
			startDateTime: minutesAgo(10),
		});
		const poller = trigger({ actions: ['Reboot'] });
		const { items } = await poller.poll('manual');
		expect(items).toEqual([
			expect.objectContaining({
				event: 'actionFinished',
				cloudPcId: PC.alexProvisioned,
				actionName: 'Reboot',
				previousStatus: null,
				outcome: 'done',
			}),
		]);
		expect(state(poller)).toBeUndefined();
		const none = await trigger({ actions: ['Resize'] }).poll('manual');
		expect(none.error?.message).toMatch(
			/^Nothing yet: no Cloud PC shows a finished resize action as its last one/,
		);
	});

	it('a read that fails keeps the state; the next poll fires the action once', async () => {
		const poller = await activated();
		const before = poller.staticData;
		graph.addRemoteAction(PC.adeleProvisioned, { actionName: 'Reboot', actionState: 'done' });
		graph.failNext(
			{ pathIncludes: 'retrieveCloudPcRemoteActionResults' },
			{ status: 403, code: 'Forbidden' },
		);
		const failed = await poller.poll();
		expect(failed.items).toBeNull();
		expect(failed.error?.httpCode).toBe('403');
		expect(failed.error?.description).toContain('The poll kept its last state');
		expect(poller.staticData).toBe(before);
		expect(actionsOf((await poller.poll()).items)).toEqual([
			[PC.adeleProvisioned, 'Reboot', 'done'],
		]);
		expect(await poller.poll()).toEqual({ items: null });
	});

	it('reads a state written before Action Finished (version 1): Reprovision Finished fires once, nothing else', async () => {
		graph.addRemoteAction(PC.alexProvisioned, {
			actionName: 'Reprovision',
			actionState: 'done',
			startDateTime: minutesAgo(90),
		});
		const recorder = await activated({ event: 'statusChanged', statuses: [] });
		const raw = JSON.parse(recorder.staticData) as Record<string, { cloudPcs: IDataObject }>;
		const { query, statuses, ids, entries } = raw['node:Microsoft Cloud PC Trigger'].cloudPcs as {
			query: string;
			statuses: string[];
			ids: string[];
			entries: string[];
		};
		// version 1 kept the finished reprovision it had seen: alex's is not news
		const alexKey = `${Date.parse(graph.remoteActions(PC.alexProvisioned)[0].startDateTime).toString(36)}d`;
		const pcs = Object.fromEntries(
			ids.map((id, i) => [id, id === PC.alexProvisioned ? `${entries[i]}:${alexKey}` : entries[i]]),
		);
		const poller = trigger({ event: 'reprovisionFinished' });
		poller.staticData = JSON.stringify({
			'node:Microsoft Cloud PC Trigger': { cloudPcs: { v: 1, query, statuses, pcs } },
		});
		graph.addRemoteAction(PC.adeleFailed, { actionName: 'Reprovision', actionState: 'done' });
		expect(actionsOf((await poller.poll()).items)).toEqual([
			[PC.adeleFailed, 'Reprovision', 'done'],
		]);
		expect(state(poller)!.ids).toHaveLength(ids.length);
		expect(await poller.poll()).toEqual({ items: null });
	});

	it('a read answered 404 (one Cloud PC) does not fail the poll: that Cloud PC is read again at the next', async () => {
		const poller = await activated();
		graph.addRemoteAction(PC.adeleProvisioned, { actionName: 'Reboot', actionState: 'done' });
		graph.failNext(
			{ pathIncludes: 'retrieveCloudPcRemoteActionResults' },
			{ status: 404, code: 'ResourceNotFound' },
		);
		expect(await poller.poll()).toEqual({ items: null });
		expect(actionsOf((await poller.poll()).items)).toEqual([
			[PC.adeleProvisioned, 'Reboot', 'done'],
		]);
		expect(await poller.poll()).toEqual({ items: null });
	});

	it('names a bad action name and sends nothing', async () => {
		const { error } = await trigger({ actions: ['Reboot', 'x y'] }).poll();
		expect(error?.message).toBe('"Actions" must be remote action names such as Reboot; got "x y"');
		expect(graph.requests).toHaveLength(0);
	});
});

describe('Microsoft Cloud PC Trigger: Cloud PC IDs that are words of JavaScript or n8n', () => {
	const odd = ['__proto__', 'constructor', 'hasOwnProperty', '__dataChanged', 'toString'].map(
		(id, index): SeedCloudPc => ({
			...manyCloudPcs(index + 1)[index],
			id,
			displayName: `CPC-odd-${id}`,
		}),
	);
	const server = useGraphServer(async () => await startFleetServer(odd, { pageSize: 3 }));
	const poll = (parameters: INodeParameters) =>
		new Poller({ authentication: 'oAuth2', ...parameters }, delegatedCredential(server.url));

	it('keeps them in the state like any other: statuses, actions, added and removed each fire once', async () => {
		const status = poll({ event: 'statusChanged', statuses: [] });
		const action = poll({ event: 'actionFinished', actions: [] });
		const added = poll({ event: 'added' });
		const removed = poll({ event: 'removed' });
		const all = [status, action, added, removed];
		for (const poller of all) expect(await poller.poll()).toEqual({ items: null });
		// nothing changed: nothing fires (an id read from a prototype would fire Added each poll)
		for (const poller of all) expect(await poller.poll()).toEqual({ items: null });
		const ids = state(status)!.ids;
		expect(ids).toEqual(expect.arrayContaining(odd.map((pc) => pc.id)));
		expect(ids).toHaveLength(cloudPcs.length + odd.length);

		for (const pc of odd) server.setStatus(pc.id, 'failed');
		for (const pc of odd)
			server.addRemoteAction(pc.id, { actionName: 'Reboot', actionState: 'done' });
		expect(new Set((await status.poll()).items?.map((i) => i.cloudPcId))).toEqual(
			new Set(odd.map((pc) => pc.id)),
		);
		expect(new Set((await action.poll()).items?.map((i) => i.cloudPcId))).toEqual(
			new Set(odd.map((pc) => pc.id)),
		);
		for (const poller of [status, action]) expect(await poller.poll()).toEqual({ items: null });

		server.removeCloudPc('__proto__');
		server.addCloudPc({ ...odd[0], id: 'valueOf', displayName: 'CPC-odd-valueOf' });
		expect((await added.poll()).items?.map((i) => i.cloudPcId)).toEqual(['valueOf']);
		expect(await removed.poll()).toEqual({ items: null });
		expect((await removed.poll()).items?.map((i) => i.cloudPcId)).toEqual(['__proto__']);
		for (const poller of all) expect(await poller.poll()).toEqual({ items: null });
	});
});

describe('Microsoft Cloud PC Trigger: Action Finished above its cap', () => {
	const many = manyCloudPcs(150);
	const server = useGraphServer(
		async () => await startFleetServer(many, { pageSize: 999, logRequests: true }),
	);

	it('reads 100 Cloud PCs a poll, the others at the next poll first; every action fires once', async () => {
		const poller = new Poller(
			{ authentication: 'oAuth2', event: 'actionFinished', actions: ['Reboot'] },
			delegatedCredential(server.url),
		);
		expect(await poller.poll()).toEqual({ items: null });
		for (const pc of many)
			server.addRemoteAction(pc.id, { actionName: 'Reboot', actionState: 'done' });
		const reads = () =>
			server.requests.filter((r) => r.path.endsWith('/retrieveCloudPcRemoteActionResults'));
		const envelopes = () => server.requests.filter((r) => r.path.endsWith('$batch'));

		const first = await poller.poll();
		expect(first.items).toHaveLength(100);
		expect(reads()).toHaveLength(100);
		expect(envelopes()).toHaveLength(5);
		const second = await poller.poll();
		expect(second.items).toHaveLength(50);
		expect(reads()).toHaveLength(150);
		const fired = [...first.items!, ...second.items!].map((i) => i.cloudPcId);
		expect(new Set(fired)).toEqual(new Set(many.map((pc) => pc.id)));
		expect(await poller.poll()).toEqual({ items: null });
		expect(reads()).toHaveLength(150);
	});
});

describe('Microsoft Cloud PC Trigger: Action Finished on a slow Graph', () => {
	const slow = useGraphServer(
		async () => await startFleetServer(fleet, { pageSize: 999, latencyMs: 500 }),
	);
	const poller = (budgetMs: number) =>
		new Poller(
			{ authentication: 'oAuth2', event: 'actionFinished', actions: [] },
			delegatedCredential(slow.url),
			budgetMs,
		);

	it("reads of remote action results stop at 80% of n8n's poll budget: the poll fails, keeps its state, and the next one fires", async () => {
		const first = poller(10_000);
		expect(await first.poll()).toEqual({ items: null });
		slow.addRemoteAction(PC.adeleProvisioned, { actionName: 'Reboot', actionState: 'done' });
		// the list takes 500 ms of the 800 ms the poll may spend; the read's batch does not fit
		const short = poller(1_000);
		short.staticData = first.staticData;
		const failed = await short.poll();
		expect(failed.items).toBeNull();
		expect(failed.error?.description).toContain('The poll kept its last state');
		expect(short.staticData).toBe(first.staticData);
		expect(failed.error?.message).toMatch(
			/PollBudgetSpent: Reading the remote action results took longer than this poll may take/,
		);
		const { items } = await first.poll();
		expect(actionsOf(items)).toEqual([[PC.adeleProvisioned, 'Reboot', 'done']]);
		expect(await first.poll()).toEqual({ items: null });
	});
});
