import {
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type IPollFunctions,
} from 'n8n-workflow';

import { remoteActionFields, text } from '../MicrosoftCloudPc/shared/outputFields';
import { outcomeOfAction } from '../MicrosoftCloudPc/shared/remoteActionResults';
import { textProblem, upnProblem } from '../MicrosoftCloudPc/shared/textChecks';
import { GraphFailure, toNodeApiError } from '../MicrosoftCloudPc/transport/graphErrors';
import { graphOutcome } from '../MicrosoftCloudPc/transport/direct';
import {
	createGraphClient,
	type Authentication,
	type GraphClient,
} from '../MicrosoftCloudPc/transport/graph';
import { fetchActionResults, MAX_READS_PER_POLL } from './actionResults';
import { EVENTS, type TriggerEvent } from './description';
import { listRequest, fetchTenant } from './read';
import {
	afterRead,
	compare,
	encodeState,
	isFinal,
	readState,
	type Change,
	type Entry,
	type PreviousState,
	type SeenCloudPc,
} from './state';

/** Static data key of the state (the node's own static data). */
const STATE_KEY = 'cloudPcs';
/** n8n 1.x has no poll budget; 2.x abandons a poll after getPollBudgetMs (5 minutes by default). */
const DEFAULT_BUDGET_MS = 5 * 60_000;
/** Share of n8n's poll budget the reads may spend, waits for throttling included. */
const BUDGET_SHARE = 0.8;
const MAX_PREFIX_LENGTH = 256;

interface Settings {
	event: TriggerEvent;
	/** empty: any status */
	statuses: string[];
	/** Action Finished and Reprovision Finished: Graph's action names, lower case; empty: any */
	actions: string[];
	filter?: string;
}

/** The events read from remote action results. */
const usesActions = (event: TriggerEvent) =>
	event === 'actionFinished' || event === 'reprovisionFinished';

/** A list of words set in the editor (or by an expression): trimmed, each checked. */
function words(ctx: IPollFunctions, raw: unknown, field: string, example: string): string[] {
	const list = (Array.isArray(raw) ? raw : [raw]).map((s) => String(s).trim());
	// any word passes (a value newer than this node); nothing else could be one
	const bad = list.find((s) => !/^[A-Za-z]{1,64}$/.test(s));
	if (bad !== undefined) {
		throw invalid(ctx, field, `must be ${example}; got ${JSON.stringify(bad)}`);
	}
	return list;
}

const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

function invalid(ctx: IPollFunctions, field: string, problem: string): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `"${field}" ${problem}`, {
		description: 'Nothing was sent to Microsoft Graph.',
	});
}

function readSettings(ctx: IPollFunctions): Settings {
	const event = ctx.getNodeParameter('event', 'statusChanged') as TriggerEvent;
	if (!EVENTS.includes(event)) throw invalid(ctx, 'Event', `is not one of ${EVENTS.join(', ')}`);
	const raw = event === 'statusChanged' ? ctx.getNodeParameter('statuses', []) : [];
	const statuses = words(ctx, raw, 'Statuses', 'Cloud PC statuses such as failed');
	const chosen =
		event === 'actionFinished'
			? words(
					ctx,
					ctx.getNodeParameter('actions', []),
					'Actions',
					'remote action names such as Reboot',
				)
			: event === 'reprovisionFinished'
				? ['Reprovision']
				: [];
	const actions = chosen.map((name) => name.toLowerCase());
	const filters = ctx.getNodeParameter('filters', {}) as IDataObject;
	const clauses: string[] = [];
	const upn = String(filters.userPrincipalName ?? '').trim();
	if (upn !== '') {
		const problem = upnProblem(upn);
		if (problem) throw invalid(ctx, 'Filters › User Principal Name', problem);
		clauses.push(`userPrincipalName eq ${literal(upn)}`);
	}
	const prefix = String(filters.displayNamePrefix ?? '');
	const prefixProblem = textProblem(prefix, MAX_PREFIX_LENGTH);
	if (prefixProblem) throw invalid(ctx, 'Filters › Display Name Starts With', prefixProblem);
	if (prefix !== '') clauses.push(`startswith(displayName,${literal(prefix)})`);
	return { event, statuses, actions, filter: clauses.length ? clauses.join(' and ') : undefined };
}

/** Why a finished action did not end in done; null when it did. */
function reasonOf(action: IDataObject): string | null {
	const { outcome } = outcomeOfAction(action.actionState);
	if (outcome === 'done') return null;
	const detail = (action.statusDetail ?? action.statusDetails) as IDataObject | null | undefined;
	const message = typeof detail?.message === 'string' ? `: ${detail.message}` : '';
	return `The ${String(action.actionName)} action ended as ${String(action.actionState)}${message}`;
}

/** One flat item per event, the same keys every time (null when unknown). */
function eventItem(change: Change, seenAt: string): IDataObject {
	const pc: IDataObject = 'seen' in change ? change.seen.pc : { id: change.id };
	const detail = (pc.statusDetail ?? {}) as IDataObject;
	const action = 'action' in change ? change.action : undefined;
	return {
		event: change.kind,
		cloudPcId: text(pc.id),
		cloudPcName: text(pc.displayName),
		userPrincipalName: text(pc.userPrincipalName),
		previousStatus: 'previousStatus' in change ? change.previousStatus : null,
		status: 'seen' in change ? change.seen.status : null,
		statusDetail: text(detail.message),
		statusDetailCode: text(detail.code),
		...remoteActionFields(action),
		// done, or failed (failed, canceled, notSupported): what an IF node tests
		outcome: action ? outcomeOfAction(action.actionState).outcome : null,
		reason: action ? reasonOf(action) : null,
		seenAt,
	};
}

const chosenAction = (settings: Settings, action: IDataObject) =>
	settings.actions.length === 0 ||
	settings.actions.includes(String(action.actionName ?? '').toLowerCase());

function wanted(settings: Settings): (change: Change) => boolean {
	return (change) =>
		change.kind === settings.event &&
		(change.kind !== 'statusChanged' ||
			settings.statuses.length === 0 ||
			settings.statuses.includes(change.seen.status));
}

/**
 * "Fetch Test Event" when nothing changed since the last poll: a Cloud PC as it is now that
 * matches the event (previousStatus null), so the next nodes can be built on real data. For the
 * action events, the latest finished action of a chosen kind the list shows (its last one).
 */
function example(settings: Settings, seen: ReadonlyMap<string, SeenCloudPc>): Change | undefined {
	const all = [...seen.values()];
	if (settings.event === 'statusChanged') {
		const match = all.find(
			(one) => settings.statuses.length === 0 || settings.statuses.includes(one.status),
		);
		return match && { kind: 'statusChanged', seen: match, previousStatus: null };
	}
	if (usesActions(settings.event)) {
		const finished = all.filter(
			(one) => one.lastAction && isFinal(one.lastAction) && chosenAction(settings, one.lastAction),
		);
		finished.sort((a, b) => finishedAt(b) - finishedAt(a));
		const latest = finished[0];
		return (
			latest && {
				kind: settings.event as 'actionFinished' | 'reprovisionFinished',
				seen: latest,
				action: latest.lastAction as IDataObject,
				previousStatus: null,
			}
		);
	}
	return undefined;
}

/** When a Cloud PC's last (finished) action ended. */
function finishedAt(one: SeenCloudPc): number {
	const action = one.lastAction ?? {};
	const at = Date.parse(String(action.lastUpdatedDateTime ?? action.startDateTime ?? ''));
	return Number.isNaN(at) ? 0 : at;
}

function nothingYet(ctx: IPollFunctions, settings: Settings): NodeOperationError {
	const what =
		settings.event === 'statusChanged'
			? `no Cloud PC is ${settings.statuses.length ? settings.statuses.join(' or ') : 'listed'} right now`
			: settings.event === 'reprovisionFinished'
				? 'no Cloud PC shows a finished reprovision'
				: settings.event === 'actionFinished'
					? `no Cloud PC shows a finished ${settings.actions.length ? settings.actions.join(' or ') : 'remote'} action as its last one`
					: `no Cloud PC was ${settings.event} since the last poll of the active workflow`;
	return new NodeOperationError(ctx.getNode(), `Nothing yet: ${what}`, {
		description:
			'The Cloud PC list was read; there is no real event to show. Publish the workflow (Activate in n8n 1.x): the first poll records the tenant, later polls fire on changes.',
	});
}

/** A read refused for want of a right (401, 403) is the credential's problem, not one Cloud PC's. */
const refused = (failure: GraphFailure) => failure.status === 401 || failure.status === 403;

/**
 * Action Finished and Reprovision Finished: reads the remote action results of the Cloud PCs
 * `compare` named (deferred ones first, MAX_READS_PER_POLL at most), and puts the actions that
 * finished since the last poll in `changes`, oldest first per Cloud PC. A Cloud PC not read
 * (above the cap, or its read failed) keeps its memory, marked to be read first next time.
 * When every read failed (404 aside: one Cloud PC's), or one was refused, the poll fails and
 * keeps its state.
 */
async function readFinishedActions(
	ctx: IPollFunctions,
	graph: GraphClient,
	run: {
		kind: 'actionFinished' | 'reprovisionFinished';
		previous: PreviousState;
		next: Map<string, Entry>;
		seen: ReadonlyMap<string, SeenCloudPc>;
		toRead: string[];
		changes: Change[];
		deadline: number;
	},
): Promise<void> {
	const { previous, next, seen, toRead, changes } = run;
	const chosen = toRead.slice(0, MAX_READS_PER_POLL);
	const defer = (id: string) => {
		const entry = next.get(id) as Entry;
		entry.memory = { ...(entry.memory as NonNullable<Entry['memory']>), deferred: true };
	};
	toRead.slice(MAX_READS_PER_POLL).forEach(defer);
	const reads = await fetchActionResults(graph, chosen, run.deadline);
	if (reads.fatal !== undefined) throw reads.fatal;
	const failures = [...reads.failed.values()];
	// a 404 is one Cloud PC's (gone since the list was read): it never fails the whole poll
	const general = failures.filter((failure) => failure.status !== 404);
	const allFailed = reads.actions.size === 0 && general.length === failures.length;
	const stop = failures.find(refused) ?? (allFailed ? general[0] : undefined);
	if (stop) {
		throw toNodeApiError(
			ctx.getNode(),
			stop,
			undefined,
			`Reading the remote action results failed for ${failures.length} of ${chosen.length} Cloud PCs. The poll kept its last state: the next poll reads them again, so no action is lost or fired twice.`,
		);
	}
	for (const id of chosen) {
		const actions = reads.actions.get(id);
		const entry = next.get(id) as Entry;
		const before = previous.entries.get(id) as Entry;
		if (!actions || !entry.memory) {
			defer(id);
			continue;
		}
		const now = seen.get(id) as SeenCloudPc;
		const { finished, memory } = afterRead(entry.memory, now, actions);
		entry.memory = memory;
		for (const action of finished) {
			changes.push({ kind: run.kind, seen: now, action, previousStatus: before.status });
		}
	}
}

/**
 * One poll: read the tenant, compare with the last successful poll, return the events. The
 * state is written only after the whole list (and, for the action events, the remote action
 * results) was read, so a failed poll (throttled past the budget, a Graph error) loses nothing
 * and repeats nothing: the next one compares with the same state. "Fetch Test Event" (manual)
 * never writes it.
 */
export async function pollCloudPcs(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const authentication = this.getNodeParameter('authentication', 'oAuth2') as Authentication;
	const settings = readSettings(this);
	const query = `beta|${settings.filter ?? ''}`;
	const budget =
		typeof this.getPollBudgetMs === 'function' ? this.getPollBudgetMs() : DEFAULT_BUDGET_MS;
	const deadline = Date.now() + budget * BUDGET_SHARE;
	const graph = await createGraphClient(this, authentication);
	const pollTime = Date.now();
	const seenAt = new Date(pollTime).toISOString();

	// anything but a Graph answer (a credential that cannot sign in) stays n8n's own error
	const seen = await graphOutcome(fetchTenant(graph, listRequest(settings.filter), deadline));
	if (seen instanceof GraphFailure) {
		throw toNodeApiError(
			this.getNode(),
			seen,
			undefined,
			'The poll kept its last state: the next poll compares with it, so no change is lost or fired twice.',
		);
	}

	const staticData = this.getWorkflowStaticData('node');
	const previous = readState(staticData[STATE_KEY], query);
	const actions = usesActions(settings.event);
	const { next, changes, toRead } = compare(previous, seen, { actions, pollTime });
	if (actions && previous && toRead.length) {
		const kind = settings.event as 'actionFinished' | 'reprovisionFinished';
		await readFinishedActions(this, graph, {
			kind,
			previous,
			next,
			seen,
			toRead,
			changes,
			deadline,
		});
	}
	const events = changes
		.filter(wanted(settings))
		.filter((change) => !('action' in change) || chosenAction(settings, change.action))
		.map((change) => eventItem(change, seenAt));

	if (this.getMode() === 'manual') {
		if (events.length) return [this.helpers.returnJsonArray(events)];
		const one = example(settings, seen);
		if (!one) throw nothingYet(this, settings);
		return [this.helpers.returnJsonArray([eventItem(one, seenAt)])];
	}
	staticData[STATE_KEY] = encodeState(query, next) as unknown as IDataObject;
	return events.length ? [this.helpers.returnJsonArray(events)] : null;
}
