import type { IDataObject } from 'n8n-workflow';

import {
	sendBatched,
	type BatchOptions,
	type BatchResult,
	type Unverified,
} from '../../../transport/batch';
import type { GraphClient } from '../../../transport/graph';
import type { Verdict } from '../../../transport/verdict';
import { latestReprovision, remoteActionResultsRequest } from '../../../shared/remoteActionResults';
import { preReadRequest, type ReprovisionPlan } from './request';
import { resultsOrThrow } from '../runReport';
import { withEveryPage } from '../../../shared/remoteActionPages';
import { REPROVISIONABLE_STATUSES } from '../../../model';

type ReadOptions = Omit<BatchOptions, 'verify' | 'stopOnFailure'>;

/**
 * Tells whether reprovisions whose answers were lost took effect, from Graph's own records:
 * the Cloud PC's remote action results (beta, admin route) list a Reprovision action started
 * since the first attempt, or they do not. Where that list cannot be read (a delegated user
 * without an admin role), a Cloud PC that is already rebuilding counts as requested; its status
 * alone never proves that nothing ran, because status lags behind an accepted reprovision.
 */
export function reprovisionVerifier(
	graph: GraphClient,
	options: ReadOptions,
	planOf: (itemIndex: number) => ReprovisionPlan,
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
		return pending.map((p, k) => verdictOf(p, lists[k], statusOf.get(k)));
	};
}

async function readAll(
	graph: GraphClient,
	options: ReadOptions,
	plans: ReprovisionPlan[],
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
	plan: ReprovisionPlan,
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
	pending: Unverified,
	actions: ActionList,
	status: BatchResult | undefined,
): Verdict {
	if (actions.ok) {
		const action = latestReprovision({ value: actions.value }, pending.firstSentAt);
		if (!action) return { verdict: 'notActed' };
		return {
			verdict: 'acted',
			evidence: `Graph's remote action results list a Reprovision action started ${String(action.startDateTime)} (${String(action.actionState)})`,
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
	if (typeof current === 'string' && !REPROVISIONABLE_STATUSES.includes(current)) {
		return { verdict: 'acted', evidence: `its status is "${current}": a reprovision is running` };
	}
	return {
		verdict: 'unknown',
		reason: `its remote action results could not be read (${why}), and its status "${String(current)}" cannot tell: status lags behind an accepted reprovision. Check the Cloud PC in Intune before running it again`,
	};
}
