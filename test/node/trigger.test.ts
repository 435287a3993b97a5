import type { INodeParameters } from 'n8n-workflow';

import { cloudPcs, delegatedCredential, PC, startFleetServer } from '../fixtures';
import { manyCloudPcs } from '../graph-server';
import { useGraphServer } from '../harness/graph-per-file';
import { Poller } from '../harness/run-poll';

/*
 * Microsoft Cloud PC Trigger through n8n-core's poll path (PollContext, TriggersAndPollers)
 * against the local Graph server: the sample tenant plus 3 fleet Cloud PCs, two to a page.
 */
const fleet = manyCloudPcs(3);
const graph = useGraphServer(async () => await startFleetServer(fleet, { pageSize: 2 }));

const trigger = (parameters: INodeParameters = {}) =>
	new Poller(
		{ authentication: 'oAuth2', event: 'statusChanged', statuses: ['failed'], ...parameters },
		delegatedCredential(graph.url),
	);
const lists = () => graph.requests.filter((r) => r.path.endsWith('/cloudPCs'));
/** The trigger's state, as the database would hold it. */
const state = (poller: Poller) =>
	(
		JSON.parse(poller.staticData) as Record<
			string,
			{ cloudPcs?: { ids: string[]; entries: string[] } }
		>
	)['node:Microsoft Cloud PC Trigger']?.cloudPcs;

/** A poller whose first poll (activation) has recorded the tenant. */
async function activated(parameters: INodeParameters = {}) {
	const poller = trigger(parameters);
	const first = await poller.poll();
	expect(first).toEqual({ items: null });
	return poller;
}

describe('Microsoft Cloud PC Trigger', () => {
	it('records the tenant at the first poll without firing, reading paged beta lists of only what it needs', async () => {
		const poller = await activated();
		expect(state(poller)!.ids).toHaveLength(7);
		const [first, ...rest] = lists();
		expect(first.path).toBe('/beta/deviceManagement/virtualEndpoint/cloudPCs');
		expect(first.query).toEqual({
			$select: 'id,displayName,userPrincipalName,status,statusDetail,lastRemoteActionResult',
			$top: '999',
		});
		// 7 Cloud PCs, two to a page: the rest followed through @odata.nextLink
		expect(rest.map((r) => r.query.$skiptoken !== undefined)).toEqual([true, true, true]);
		// the adele-02 Cloud PC was failed already: not an event
		expect(await poller.poll()).toEqual({ items: null });
	});

	it('fires once for a Cloud PC whose status changed to one of the chosen, as one flat item', async () => {
		const poller = await activated();
		graph.setStatus(PC.adeleProvisioned, 'failed');
		graph.setStatus(PC.alexProvisioned, 'inGracePeriod');
		const { items } = await poller.poll();
		expect(items).toEqual([
			{
				event: 'statusChanged',
				cloudPcId: PC.adeleProvisioned,
				cloudPcName: 'CPC-adele-01',
				userPrincipalName: 'adele.vance@contoso.com',
				previousStatus: 'provisioned',
				status: 'failed',
				statusDetail: 'Provisioning failed. Reprovision the Cloud PC to try again.',
				statusDetailCode: 'internalServerError',
				actionName: null,
				actionState: null,
				actionStartDateTime: null,
				actionLastUpdatedDateTime: null,
				actionStatusDetail: null,
				actionStatusDetailCode: null,
				outcome: null,
				reason: null,
				seenAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			},
		]);
		expect(await poller.poll()).toEqual({ items: null });
	});

	it('fires on any change when no status is chosen, and passes a status newer than the node through', async () => {
		const any = await activated({ statuses: [] });
		const newer = await activated({ statuses: ['hibernated'] });
		graph.setStatus(PC.adeleProvisioned, 'hibernated');
		for (const poller of [any, newer]) {
			const { items } = await poller.poll();
			expect(items?.map((i) => [i.previousStatus, i.status])).toEqual([
				['provisioned', 'hibernated'],
			]);
		}
	});

	it('fires at most once per poll for a status that flaps between polls', async () => {
		const poller = await activated();
		for (const status of ['failed', 'provisioned', 'failed', 'provisioning', 'failed']) {
			graph.setStatus(PC.adeleProvisioned, status);
		}
		expect((await poller.poll()).items).toHaveLength(1);
		// back and forth again, ending where it was: nothing new to report
		graph.setStatus(PC.adeleProvisioned, 'provisioned');
		graph.setStatus(PC.adeleProvisioned, 'failed');
		expect(await poller.poll()).toEqual({ items: null });
		graph.setStatus(PC.adeleProvisioned, 'provisioned');
		expect(await poller.poll()).toEqual({ items: null });
		graph.setStatus(PC.adeleProvisioned, 'failed');
		expect((await poller.poll()).items).toHaveLength(1);
	});

	it('waits out a 429 within the poll, then fires', async () => {
		const poller = await activated();
		graph.setStatus(PC.adeleProvisioned, 'failed');
		graph.failNext(
			{ pathIncludes: '/cloudPCs', queryHas: '$skiptoken' },
			{ status: 429, code: 'TooManyRequests', headers: { 'Retry-After': '1' } },
		);
		const { items, error } = await poller.poll();
		expect(error).toBeUndefined();
		expect(items?.map((i) => i.cloudPcId)).toEqual([PC.adeleProvisioned]);
		expect(lists().filter((r) => r.status === 429)).toHaveLength(1);
	});

	it('a poll throttled past its budget fails and keeps its state: the next poll fires the change once', async () => {
		const poller = await activated();
		const before = poller.staticData;
		graph.setStatus(PC.adeleProvisioned, 'failed');
		// on the third page: two pages were read, and nothing of them may be kept
		graph.failNext(
			{ pathIncludes: '/cloudPCs', queryHas: '$skiptoken', skip: 1 },
			{ status: 429, code: 'TooManyRequests', headers: { 'Retry-After': '3600' } },
		);
		const failed = await poller.poll();
		expect(failed.items).toBeNull();
		expect(failed.error?.httpCode).toBe('429');
		expect(failed.error?.message).toMatch(/^Microsoft Graph answered 429 TooManyRequests/);
		expect(failed.error?.description).toContain('The poll kept its last state');
		expect(poller.staticData).toBe(before);

		expect((await poller.poll()).items?.map((i) => i.cloudPcId)).toEqual([PC.adeleProvisioned]);
		expect(await poller.poll()).toEqual({ items: null });
	});

	it('a list that links back to a page already read fails the poll, keeping its state, instead of paging forever', async () => {
		const poller = await activated();
		const before = poller.staticData;
		graph.setStatus(PC.adeleProvisioned, 'failed');
		const loop = `${graph.url}/beta/deviceManagement/virtualEndpoint/cloudPCs?$skiptoken=loop`;
		graph.failNext(
			{ pathIncludes: '/cloudPCs' },
			{ status: 200, body: { value: [], '@odata.nextLink': loop } },
			2,
		);
		const failed = await poller.poll();
		expect(failed.items).toBeNull();
		expect(failed.error?.message).toContain(
			"RepeatedNextLink: Graph's list of Cloud PCs did not end after 2 pages",
		);
		expect(poller.staticData).toBe(before);
		expect((await poller.poll()).items?.map((i) => i.cloudPcId)).toEqual([PC.adeleProvisioned]);
	});

	it('fires Reprovision Finished when a reprovision ends, with its times and detail, not when it starts', async () => {
		const poller = await activated({ event: 'reprovisionFinished' });
		graph.addRemoteAction(PC.adeleFailed, { actionName: 'Reprovision', actionState: 'active' });
		expect(await poller.poll()).toEqual({ items: null });
		graph.completeRemoteAction(PC.adeleFailed, 'failed');
		const { items } = await poller.poll();
		expect(items).toEqual([
			expect.objectContaining({
				event: 'reprovisionFinished',
				cloudPcId: PC.adeleFailed,
				actionName: 'Reprovision',
				actionState: 'failed',
				actionStartDateTime: expect.any(String),
				actionLastUpdatedDateTime: expect.any(String),
				actionStatusDetail:
					'Reprovisioning failed. Try again, or contact support if it fails again.',
			}),
		]);
		expect(await poller.poll()).toEqual({ items: null });
	});

	it('fires Cloud PC Added for a new one, and Removed once it is missing from two polls in a row', async () => {
		const added = await activated({ event: 'added' });
		const removed = await activated({ event: 'removed' });
		const [newcomer] = manyCloudPcs(4).slice(3);
		graph.addCloudPc(newcomer);
		graph.removeCloudPc(PC.alexProvisioning);
		expect((await added.poll()).items).toEqual([
			expect.objectContaining({
				event: 'added',
				cloudPcId: newcomer.id,
				cloudPcName: newcomer.displayName,
				previousStatus: null,
				status: 'provisioned',
			}),
		]);
		expect(await removed.poll()).toEqual({ items: null });
		expect((await removed.poll()).items).toEqual([
			expect.objectContaining({
				event: 'removed',
				cloudPcId: PC.alexProvisioning,
				previousStatus: 'provisioning',
				status: null,
			}),
		]);
		expect(await removed.poll()).toEqual({ items: null });
		expect(await added.poll()).toEqual({ items: null });
	});

	it('a Cloud PC missing from one poll only (a list that shifted while paged) fires neither Removed nor Added', async () => {
		const removed = await activated({ event: 'removed' });
		const added = await activated({ event: 'added' });
		const seed = cloudPcs.find((pc) => pc.id === PC.alexProvisioning)!;
		graph.removeCloudPc(seed.id);
		expect(await removed.poll()).toEqual({ items: null });
		expect(await added.poll()).toEqual({ items: null });
		graph.addCloudPc(seed);
		for (const poller of [removed, added, removed, added]) {
			expect(await poller.poll()).toEqual({ items: null });
		}
		expect(state(removed)).toEqual(state(added));
		expect(state(removed)!.entries.some((entry) => entry.endsWith('!'))).toBe(false);
	});

	it('starts over when the filters change, and sends them as $filter', async () => {
		const poller = await activated();
		const filtered = trigger({ filters: { displayNamePrefix: 'CPC-alex' } });
		filtered.staticData = poller.staticData;
		graph.setStatus(PC.alexProvisioned, 'failed');
		expect(await filtered.poll()).toEqual({ items: null });
		expect(lists().at(-1)?.query.$filter).toBe("startswith(displayName,'CPC-alex')");
		expect(state(filtered)!.ids).toHaveLength(2);
	});

	it('Fetch Test Event shows a real Cloud PC in the chosen status and writes no state', async () => {
		const poller = trigger();
		const { items } = await poller.poll('manual');
		expect(items).toEqual([
			expect.objectContaining({
				cloudPcId: PC.adeleFailed,
				previousStatus: null,
				status: 'failed',
			}),
		]);
		expect(state(poller)).toBeUndefined();
	});

	it('Fetch Test Event says "nothing yet" when there is nothing to show', async () => {
		const { error } = await trigger({ event: 'added' }).poll('manual');
		expect(error?.message).toMatch(/^Nothing yet: no Cloud PC was added since the last poll/);
	});

	it('names the field of a bad status or filter and sends nothing', async () => {
		const { error } = await trigger({ statuses: ['failed', "x' or 1 eq 1"] }).poll();
		expect(error?.message).toContain('"Statuses" must be Cloud PC statuses');
		const prefix = await trigger({ filters: { displayNamePrefix: 'CPC-\u0000' } }).poll();
		expect(prefix.error?.message).toBe(
			'"Filters › Display Name Starts With" contains the control character U+0000',
		);
		expect(lists()).toHaveLength(0);
	});
});

describe('Microsoft Cloud PC Trigger on a slow Graph', () => {
	const slow = useGraphServer(
		async () => await startFleetServer(fleet, { pageSize: 2, latencyMs: 500 }),
	);

	it("stops reading at 80% of n8n's poll budget, fails and keeps its state", async () => {
		// 4 pages of 500 ms do not fit in 80% of 1.5 s: the fourth is never asked for
		const poller = new Poller(
			{ authentication: 'oAuth2', event: 'statusChanged', statuses: ['failed'] },
			delegatedCredential(slow.url),
			1_500,
		);
		const { items, error } = await poller.poll();
		expect(items).toBeNull();
		expect(error?.message).toMatch(/PollBudgetSpent: Reading the Cloud PCs took longer/);
		expect(slow.requests.filter((r) => r.path.endsWith('/cloudPCs')).length).toBeLessThan(4);
		expect(poller.staticData).toBe('{}');
	});
});

describe('Microsoft Cloud PC Trigger on 10,000 Cloud PCs', () => {
	const big = manyCloudPcs(10_000);
	const server = useGraphServer(
		async () => await startFleetServer(big, { pageSize: 999, logRequests: false }),
	);

	it('keeps its state under 1 MB of static data and reads 11 pages per poll', async () => {
		// every Cloud PC with a finished reprovision: the largest entry per Cloud PC
		for (const pc of big) {
			server.addRemoteAction(pc.id, { actionName: 'Reprovision', actionState: 'done' });
		}
		const poller = new Poller(
			{ authentication: 'oAuth2', event: 'statusChanged', statuses: ['failed'] },
			delegatedCredential(server.url),
		);
		expect(await poller.poll()).toEqual({ items: null });
		const requests = server.stats().graphOperations;
		const bytes = Buffer.byteLength(poller.staticData);
		// eslint-disable-next-line no-console -- the figure docs/trigger.md quotes
		console.log(`static data for ${big.length + 4} Cloud PCs: ${bytes} bytes`);
		expect(bytes).toBeLessThan(1_000_000);
		expect(requests).toBe(11);

		server.setStatus(big[9_876].id, 'failed');
		expect((await poller.poll()).items?.map((i) => i.cloudPcId)).toEqual([big[9_876].id]);
	});

	it('Action Finished keeps its state under 1 MB too, and reads only the Cloud PCs whose action changed', async () => {
		for (const pc of big) {
			server.addRemoteAction(pc.id, { actionName: 'Reprovision', actionState: 'done' });
		}
		const poller = new Poller(
			{ authentication: 'oAuth2', event: 'actionFinished', actions: [] },
			delegatedCredential(server.url),
		);
		expect(await poller.poll()).toEqual({ items: null });
		const bytes = Buffer.byteLength(poller.staticData);
		// eslint-disable-next-line no-console -- the figure docs/trigger.md quotes
		console.log(`Action Finished static data for ${big.length + 4} Cloud PCs: ${bytes} bytes`);
		expect(bytes).toBeLessThan(1_000_000);
		expect(await poller.poll()).toEqual({ items: null });
		expect(server.stats().graphOperations).toBe(22);

		server.addRemoteAction(big[1_234].id, { actionName: 'Reboot', actionState: 'done' });
		expect((await poller.poll()).items?.map((i) => [i.cloudPcId, i.actionName])).toEqual([
			[big[1_234].id, 'Reboot'],
		]);
		// 11 list pages and one read of remote action results
		expect(server.stats().graphOperations).toBe(34);
	});
});
