import {
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type IPollFunctions,
} from 'n8n-workflow';

import { remoteActionFields, text } from '../MicrosoftCloudPc/shared/outputFields';
import { textProblem, upnProblem } from '../MicrosoftCloudPc/shared/textChecks';
import { GraphFailure, toNodeApiError } from '../MicrosoftCloudPc/transport/graphErrors';
import { graphOutcome } from '../MicrosoftCloudPc/transport/direct';
import { createGraphClient, type Authentication } from '../MicrosoftCloudPc/transport/graph';
import { EVENTS, type TriggerEvent } from './description';
import { listRequest, fetchTenant } from './read';
import { compare, readState, type Change, type SeenCloudPc } from './state';

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
	filter?: string;
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
	const statuses = (Array.isArray(raw) ? raw : [raw]).map((s) => String(s).trim());
	// any word passes (a status newer than this node); nothing else could be a status
	const bad = statuses.find((s) => !/^[A-Za-z]{1,64}$/.test(s));
	if (bad !== undefined) {
		throw invalid(
			ctx,
			'Statuses',
			`must be Cloud PC statuses such as failed; got ${JSON.stringify(bad)}`,
		);
	}
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
	return { event, statuses, filter: clauses.length ? clauses.join(' and ') : undefined };
}

/** One flat item per event, the same keys every time (null when unknown). */
function eventItem(change: Change, seenAt: string): IDataObject {
	const pc: IDataObject = 'seen' in change ? change.seen.pc : { id: change.id };
	const detail = (pc.statusDetail ?? {}) as IDataObject;
	const reprovision = change.kind === 'reprovisionFinished' ? change.seen.reprovision : undefined;
	return {
		event: change.kind,
		cloudPcId: text(pc.id),
		cloudPcName: text(pc.displayName),
		userPrincipalName: text(pc.userPrincipalName),
		previousStatus: 'previousStatus' in change ? change.previousStatus : null,
		status: 'seen' in change ? change.seen.status : null,
		statusDetail: text(detail.message),
		statusDetailCode: text(detail.code),
		...remoteActionFields(reprovision),
		seenAt,
	};
}

function wanted(settings: Settings): (change: Change) => boolean {
	return (change) =>
		change.kind === settings.event &&
		(change.kind !== 'statusChanged' ||
			settings.statuses.length === 0 ||
			settings.statuses.includes(change.seen.status));
}

/**
 * "Fetch Test Event" when nothing changed since the last poll: a Cloud PC as it is now that
 * matches the event (previousStatus null), so the next nodes can be built on real data.
 */
function example(settings: Settings, seen: ReadonlyMap<string, SeenCloudPc>): Change | undefined {
	const all = [...seen.values()];
	if (settings.event === 'statusChanged') {
		const match = all.find(
			(one) => settings.statuses.length === 0 || settings.statuses.includes(one.status),
		);
		return match && { kind: 'statusChanged', seen: match, previousStatus: null };
	}
	if (settings.event === 'reprovisionFinished') {
		const finished = all.filter((one) => one.reprovision && finishedAt(one) !== undefined);
		finished.sort((a, b) => (finishedAt(b) ?? 0) - (finishedAt(a) ?? 0));
		const latest = finished[0];
		return latest && { kind: 'reprovisionFinished', seen: latest, previousStatus: null };
	}
	return undefined;
}

/** When a finished reprovision ended; undefined while it runs. */
function finishedAt(one: SeenCloudPc): number | undefined {
	const action = one.reprovision as IDataObject;
	const state = String(action.actionState ?? '').toLowerCase();
	if (state !== 'done' && state !== 'failed') return undefined;
	const at = Date.parse(String(action.lastUpdatedDateTime ?? action.startDateTime ?? ''));
	return Number.isNaN(at) ? 0 : at;
}

function nothingYet(ctx: IPollFunctions, settings: Settings): NodeOperationError {
	const what =
		settings.event === 'statusChanged'
			? `no Cloud PC is ${settings.statuses.length ? settings.statuses.join(' or ') : 'listed'} right now`
			: settings.event === 'reprovisionFinished'
				? 'no Cloud PC shows a finished reprovision'
				: `no Cloud PC was ${settings.event} since the last poll of the active workflow`;
	return new NodeOperationError(ctx.getNode(), `Nothing yet: ${what}`, {
		description:
			'The Cloud PC list was read; there is no real event to show. Publish the workflow (Activate in n8n 1.x): the first poll records the tenant, later polls fire on changes.',
	});
}

/**
 * One poll: read the tenant, compare with the last successful poll, return the events. The
 * state is written only after the whole list was read, so a failed poll (throttled past the
 * budget, a Graph error) loses nothing and repeats nothing: the next one compares with the same
 * state. "Fetch Test Event" (manual) never writes it.
 */
export async function pollCloudPcs(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const authentication = this.getNodeParameter('authentication', 'oAuth2') as Authentication;
	const settings = readSettings(this);
	const query = `beta|${settings.filter ?? ''}`;
	const budget =
		typeof this.getPollBudgetMs === 'function' ? this.getPollBudgetMs() : DEFAULT_BUDGET_MS;
	const graph = await createGraphClient(this, authentication);
	const seenAt = new Date().toISOString();

	// anything but a Graph answer (a credential that cannot sign in) stays n8n's own error
	const seen = await graphOutcome(
		fetchTenant(graph, listRequest(settings.filter), Date.now() + budget * BUDGET_SHARE),
	);
	if (seen instanceof GraphFailure) {
		throw toNodeApiError(
			this.getNode(),
			seen,
			undefined,
			'The poll kept its last state: the next poll compares with it, so no change is lost or fired twice.',
		);
	}

	const staticData = this.getWorkflowStaticData('node');
	const { next, changes } = compare(readState(staticData[STATE_KEY], query), seen, query);
	const events = changes.filter(wanted(settings)).map((change) => eventItem(change, seenAt));

	if (this.getMode() === 'manual') {
		if (events.length) return [this.helpers.returnJsonArray(events)];
		const one = example(settings, seen);
		if (!one) throw nothingYet(this, settings);
		return [this.helpers.returnJsonArray([eventItem(one, seenAt)])];
	}
	staticData[STATE_KEY] = next as unknown as IDataObject;
	return events.length ? [this.helpers.returnJsonArray(events)] : null;
}
