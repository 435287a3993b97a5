import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { sendBatched, type BatchResult } from '../../transport/batch';
import { MAX_BATCH_SIZE } from '../../transport/batchEnvelope';
import { graphOutcome, sendDirect } from '../../transport/direct';
import type { GraphClient, GraphRequest, GraphResponse } from '../../transport/graph';
import type { readThroughput } from '../throughput';
import { type ItemPlanner } from '../cloudPc/itemPlanner';
import { firstFailure, resultsOrThrow } from '../cloudPc/runReport';
import { withEveryPage } from '../../shared/remoteActionPages';
import { toNodeApiError } from '../../transport/graphErrors';
import { followPages } from '../../shared/paging';
import { earlierAction, remoteActionResultsRequest } from '../../shared/remoteActionResults';
import { defaultEarlierCheck, preReadRequest, type ActionPlan } from './request';
import { cloudPcPath, MAX_TOP } from '../../model';
import type { RemoteActionDescriptor } from '../../remoteActions/descriptor';

/*
 * Check for an Earlier <action>, per scope, for any remote action (its descriptor's actionName
 * and window). The admin route lists a Cloud PC's remote actions
 * (beta retrieveCloudPcRemoteActionResults); the user routes have no such function, so there the
 * Cloud PC's beta status is all Graph shows: an action still running, not one that finished.
 * For many Cloud PCs on the admin route, the tenant's list (999 a page, each with its last remote
 * action) stands in for most of the per-Cloud-PC reads.
 */

/** Above one batch of per-Cloud-PC reads, the tenant's list is read first. */
const LIST_ABOVE = MAX_BATCH_SIZE;
/**
 * Pages of the list read at most: half of Windows 365's List Cloud PCs budget per app (90 per
 * 60 s), so other workflows keep the rest. Cloud PCs beyond them are read one by one.
 */
const MAX_LIST_PAGES = 45;

export interface EarlierRun {
	ctx: IExecuteFunctions;
	action: RemoteActionDescriptor;
	graph: GraphClient;
	planner: ItemPlanner<ActionPlan>;
	count: number;
	throughput: ReturnType<typeof readThroughput>;
}

/**
 * Each item's answer to the earlier check, in item order, for the items `include`
 * lets through; undefined where nothing was read or the tenant's list cleared it. Every scope
 * asks the admin route first: its remote action results also show an action that already
 * finished, which the user routes cannot. Where that is refused (a user without an admin role),
 * the Specific User and Signed-In User scopes read the status through their own route. Without
 * "Continue On Fail" a read that fails throws with `report`.
 */
export async function fetchEarlier(
	run: EarlierRun,
	include: (p: ActionPlan) => boolean,
	report: string,
): Promise<Array<BatchResult | undefined>> {
	const { ctx, planner, count } = run;
	const checks = (p: ActionPlan) => include(p) && p.checkEarlier && !p.dryRun;
	const listed = await fromTenantList(run, checks);
	const actions = await readAll(run, (p) =>
		checks(p) && !listed.has(p.itemIndex) ? remoteActionResultsRequest(p.cloudPcId) : undefined,
	);
	await readEveryPage(run, actions);
	const statuses = await readAll(run, (p) =>
		p.scope !== 'organization' && actions[p.itemIndex]?.ok === false
			? preReadRequest(p)
			: undefined,
	);
	const answers = Array.from(
		{ length: count },
		(_, itemIndex) => statuses[itemIndex] ?? actions[itemIndex] ?? listed.get(itemIndex),
	);
	const failed = planner.stopOnError ? firstFailure(answers) : undefined;
	if (failed) throw toNodeApiError(ctx.getNode(), failed.failure, failed.itemIndex, report);
	return answers;
}

/** Batched reads for the planned items `request` names; failures stay with their items. */
async function readAll(
	{ graph, planner, count, throughput }: EarlierRun,
	request: (p: ActionPlan) => GraphRequest | undefined,
): Promise<Array<BatchResult | undefined>> {
	const read = (itemIndex: number) => {
		const p = planner.plan(itemIndex);
		return p && request(p);
	};
	return resultsOrThrow(
		await sendBatched(graph, count, read, { ...throughput, stopOnFailure: false }),
	);
}

/** The remote action results read, completed with their later pages (an earlier action may be on any). */
async function readEveryPage(
	{ graph, planner, throughput }: EarlierRun,
	reads: Array<BatchResult | undefined>,
): Promise<void> {
	for (const [itemIndex, answer] of reads.entries()) {
		if (answer) {
			const { cloudPcId } = planner.plan(itemIndex)!;
			reads[itemIndex] = await withEveryPage(graph, throughput, cloudPcId, answer);
		}
	}
}

/**
 * What the tenant's list settles, by item: a skip (as the answer of a remote action read
 * holding the last action), or undefined for a Cloud PC it clears. Items it leaves open (another
 * action started in the window could hide an earlier one of this action; a Cloud PC not in the pages
 * read) are read one by one.
 */
async function fromTenantList(
	run: EarlierRun,
	checks: (p: ActionPlan) => boolean,
): Promise<Map<number, BatchResult | undefined>> {
	const settled = new Map<number, BatchResult | undefined>();
	if (run.count <= LIST_ABOVE) return settled;
	// the whole run's Cloud PCs, to know when the list has shown them all
	await run.planner.planAll();
	const wanted = new Map<string, number>();
	for (let itemIndex = 0; itemIndex < run.count; itemIndex++) {
		const p = run.planner.wasPlanned(itemIndex) ? run.planner.plan(itemIndex) : undefined;
		if (p && checks(p)) {
			wanted.set(p.cloudPcId.toLowerCase(), itemIndex);
		}
	}
	if (wanted.size <= LIST_ABOVE) return settled;
	const now = Date.now();
	for (const { pc, response } of await listLastActions(run, wanted)) {
		const itemIndex = wanted.get(String(pc.id).toLowerCase()) as number;
		const last = pc.lastRemoteActionResult;
		const verdict = fromLastAction(run.action, last, now);
		if (verdict === 'clear') settled.set(itemIndex, undefined);
		if (verdict === 'skip') {
			const body = { value: [last] };
			settled.set(itemIndex, {
				ok: true,
				attempts: 1,
				answeredAt: new Date(now).toISOString(),
				response: { ...response, body },
			});
		}
	}
	return settled;
}

/** One Cloud PC's last remote action, as the list shows it: enough to decide, or not. */
function fromLastAction(
	d: RemoteActionDescriptor,
	last: unknown,
	now: number,
): 'clear' | 'skip' | 'open' {
	const windowMs = d.earlier.windowMinutes * 60_000;
	// null: no remote action has run on it
	if (last === null) return 'clear';
	if (typeof last !== 'object' || Array.isArray(last)) return 'open';
	const started = Date.parse(String((last as IDataObject).startDateTime ?? ''));
	if (Number.isNaN(started)) return 'open';
	// the last action started before the window, so did every other
	if (started < now - windowMs) return 'clear';
	return earlierAction({ value: [last as IDataObject] }, d.actionName, windowMs, now)
		? 'skip'
		: 'open';
}

/**
 * The wanted Cloud PCs as the tenant's list shows them (beta, `$select` of the id and the last
 * remote action), up to MAX_LIST_PAGES pages; it stops once all were seen. The list takes
 * `$select` and `$top` (learn.microsoft.com/graph/api/virtualendpoint-list-cloudpcs); beta's
 * cloudPC has `lastRemoteActionResult`, returned when selected
 * (learn.microsoft.com/graph/api/cloudpc-get?view=graph-rest-beta, example 2). A failure keeps what
 * was read before it: the rest is read one by one.
 */
async function listLastActions(
	{ graph, throughput }: EarlierRun,
	wanted: Map<string, number>,
): Promise<Array<{ pc: IDataObject; response: GraphResponse<unknown> }>> {
	const found: Array<{ pc: IDataObject; response: GraphResponse<unknown> }> = [];
	const first: GraphRequest = {
		method: 'GET',
		version: 'beta',
		path: cloudPcPath('organization', undefined),
		qs: { $select: 'id,lastRemoteActionResult', $top: MAX_TOP },
	};
	const pages = followPages(
		async (request) => await sendDirect<unknown>(graph, request, throughput),
		first,
		{
			maxPages: MAX_LIST_PAGES,
			message: () => 'The tenant has more Cloud PCs than one check reads',
		},
	);
	const collect = async () => {
		for await (const { page, response } of pages) {
			for (const pc of page.value) {
				if (wanted.has(String(pc.id).toLowerCase())) found.push({ pc, response });
			}
			if (found.length === wanted.size) return;
		}
	};
	await graphOutcome(collect());
	return found;
}

/**
 * The earlier check's option of one node version (the action's, and Bulk Reprovision's):
 * versions differ only in the default, so each is shown to its own version.
 */
export function earlierCheckOption(
	d: RemoteActionDescriptor,
	nodeVersion: number,
	texts: { cost: string; description: string },
): INodeProperties {
	const check = defaultEarlierCheck(d, nodeVersion);
	const unset = `Not set, it is ${check === 'always' ? 'Always' : check === 'onRetry' ? 'On Retry' : 'Never'}.`;
	const twice = d.destructive
		? `${d.words.noun}s the Cloud PCs twice`
		: `runs the ${d.words.noun} twice`;
	return {
		displayName: d.earlier.displayName,
		name: d.earlier.parameter,
		type: 'options',
		displayOptions: { show: { '@version': [nodeVersion] } },
		options: [
			{
				name: 'Always',
				value: 'always',
				description: `Protects against the same request arriving twice (a webhook sent again, overlapping schedules, Execute clicked twice). Costs ${texts.cost}.`,
			},
			{
				name: 'On Retry',
				value: 'onRetry',
				description: `Only when you retry a failed execution: no extra reads otherwise, but the same request arriving twice ${twice}`,
			},
			{
				name: 'Never',
				value: 'never',
				description: `No extra reads; a request that arrives again ${twice}`,
			},
		],
		default: check,
		description: `${texts.description} ${unset}`,
	};
}

/** Why a Cloud PC is not sent again after that read; undefined when nothing stops it. */
export function startedEarlier(
	d: RemoteActionDescriptor,
	earlier: BatchResult | undefined,
): string | undefined {
	if (!earlier?.ok) return undefined;
	const body = earlier.response.body as IDataObject;
	// remote action results are a list; the user routes' fallback is the Cloud PC itself
	return Array.isArray(body.value) ? actionFound(d, body) : actionRunning(d, body);
}

function actionFound(d: RemoteActionDescriptor, body: IDataObject): string | undefined {
	const action = earlierAction(body, d.actionName, d.earlier.windowMinutes * 60_000);
	if (!action) return undefined;
	return `A ${d.words.noun} of this Cloud PC started at ${String(action.startDateTime)} (${String(action.actionState)}), so it was not sent again (${d.earlier.displayName})`;
}

function actionRunning(d: RemoteActionDescriptor, body: IDataObject): string | undefined {
	const { status } = body;
	if (typeof status === 'string' && d.acceptedStatuses.includes(status)) return undefined;
	const shown =
		typeof status === 'string' ? `Its status is "${status}"` : 'Graph did not report its status';
	return `${shown}, so an action may be running on it and it was not sent (${d.earlier.displayName}: on this scope Graph shows only the status, not a ${d.words.noun} that already finished)`;
}
