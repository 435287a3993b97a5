import type { IDataObject } from 'n8n-workflow';

import {
	sendBatched,
	type BatchOptions,
	type BatchResult,
	type Unverified,
} from '../../transport/batch';
import type { GraphClient } from '../../transport/graph';
import type { Verdict } from '../../transport/verdict';
import { latestAction, remoteActionResultsRequest } from '../../shared/remoteActionResults';
import { preReadRequest, type ActionPlan } from './request';
import { resultsOrThrow } from '../cloudPc/runReport';
import { withEveryPage } from '../../shared/remoteActionPages';
import type { RemoteActionDescriptor } from '../../remoteActions/descriptor';

type ReadOptions = Omit<BatchOptions, 'verify' | 'stopOnFailure'>;

/**
 * Tells whether actions whose answers were lost took effect, from Graph's own records: the
 * Cloud PC's remote action results (beta, admin route) list the action (its descriptor's
 * actionName) started since the first attempt, or they do not. Where that list cannot be read
 * (a delegated user without an admin role), a Cloud PC busy in a status the action is not
 * accepted in counts as requested, for an action that shows in the status (`runningStatus`); its status alone never proves that nothing ran, because status lags
 * behind an accepted action, and an action without a running status stays unknown.
 */
export function actionVerifier(
	d: RemoteActionDescriptor,
	graph: GraphClient,
	options: ReadOptions,
	planOf: (itemIndex: number) => ActionPlan,
): NonNullable<BatchOptions['verify']> {
	return async (pending) => {
		const plans = pending.map((p) => planOf(p.index));
		const actions = await readAll(graph, options, plans, (p) =>
			remoteActionResultsRequest(p.cloudPcId),
		);
		const lists = await Promise.all(
			pending.map(async (_, k) => await everyPage(graph, options, plans[k], actions[k])),
		);
		const unread = pending.flatMap((_, k) => (lists[k].ok ? [] : [k]));
		const statuses = await readAll(
			graph,
			options,
			unread.map((k) => plans[k]),
			preReadRequest,
		);
		const statusOf = new Map(unread.map((k, n) => [k, statuses[n]]));
		return pending.map((p, k) => verdictOf(d, p, lists[k], statusOf.get(k)));
	};
}

async function readAll(
	graph: GraphClient,
	options: ReadOptions,
	plans: ActionPlan[],
	request: typeof preReadRequest,
): Promise<Array<BatchResult | undefined>> {
	if (!plans.length) return [];
	return resultsOrThrow(
		await sendBatched(graph, plans.length, (k) => request(plans[k]), {
			...options,
			stopOnFailure: false,
		}),
	);
}

async function everyPage(
	graph: GraphClient,
	options: ReadOptions,
	plan: ActionPlan,
	firstAnswer: BatchResult | undefined,
): Promise<ActionList> {
	if (!firstAnswer) return { ok: false, why: 'they were not read' };
	const list = await withEveryPage(graph, options, plan.cloudPcId, firstAnswer);
	return list.ok
		? { ok: true, value: list.response.body.value as IDataObject[] }
		: { ok: false, why: list.failure.message };
}

type ActionList = { ok: true; value: IDataObject[] } | { ok: false; why: string };

function verdictOf(
	d: RemoteActionDescriptor,
	pending: Unverified,
	actions: ActionList,
	status: BatchResult | undefined,
): Verdict {
	if (actions.ok) {
		const action = latestAction({ value: actions.value }, d.actionName, pending.firstSentAt);
		if (!action) return { verdict: 'notActed' };
		return {
			verdict: 'acted',
			evidence: `Graph's remote action results list a ${d.actionName} action started ${String(action.startDateTime)} (${String(action.actionState)})`,
			body: action,
		};
	}
	const { why } = actions;
	if (!status?.ok) {
		const statusWhy = status ? status.failure.message : 'it was not read';
		return {
			verdict: 'unknown',
			reason: `neither its remote action results (${why}) nor its status (${statusWhy}) could be read`,
		};
	}
	const current = (status.response.body as IDataObject).status;
	// an action that shows in the status: any status it is not accepted in means one is running
	const busy = typeof current === 'string' && !d.acceptedStatuses.includes(current);
	if (d.runningStatus !== undefined && busy) {
		return {
			verdict: 'acted',
			evidence: `its status is "${current}": a ${d.words.noun} is running`,
		};
	}
	const why2 = d.runningStatus
		? `status lags behind an accepted ${d.words.noun}`
		: `a ${d.words.noun} does not show in the status`;
	return {
		verdict: 'unknown',
		reason: `its remote action results could not be read (${why}), and its status "${String(current)}" cannot tell: ${why2}. Check the Cloud PC in Intune before running it again`,
	};
}
