import type { IDataObject } from 'n8n-workflow';

import {
	sendBatched,
	type BatchOptions,
	type BatchResult,
	type Unverified,
} from '../../../transport/batch';
import { graphOutcome, sendDirect } from '../../../transport/direct';
import { GraphFailure } from '../../../transport/errors';
import type { GraphClient, GraphRequest } from '../../../transport/graph';
import type { Verdict } from '../../../transport/verdict';
import { latestReprovision, remoteActionResultsRequest } from '../remoteActions';
import { preReadRequest, type ReprovisionPlan } from './request';
import { resultsOrThrow } from '../items';
import { followPages } from '../pages';
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
			pending.map(async (_, k) => await allActions(graph, options, plans[k], actions[k])),
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

/** Pages of remote action results at most: an earlier action may be on any of them. */
const MAX_ACTION_PAGES = 20;

type ActionList = { ok: true; value: IDataObject[] } | { ok: false; why: string };

/**
 * Every page of one Cloud PC's remote action results, from the first page's answer on: an
 * action on page 2 is as much a wipe as one on page 1. Pages past the first are read one by one.
 */
async function allActions(
	graph: GraphClient,
	options: ReadOptions,
	plan: ReprovisionPlan,
	firstAnswer: BatchResult | undefined,
): Promise<ActionList> {
	if (!firstAnswer?.ok)
		return { ok: false, why: firstAnswer ? firstAnswer.failure.message : 'they were not read' };
	const first = remoteActionResultsRequest(plan.cloudPcId);
	const send = async (request: GraphRequest) =>
		request === first ? firstAnswer.response : await sendDirect<unknown>(graph, request, options);
	const value: IDataObject[] = [];
	const read = async () => {
		const pages = followPages(send, first, {
			maxPages: MAX_ACTION_PAGES,
			message: (_why, pages) => `The remote action results did not end after ${pages} pages`,
		});
		for await (const { page } of pages) value.push(...page.value);
	};
	const failed = await graphOutcome(read());
	return failed instanceof GraphFailure ? { ok: false, why: failed.message } : { ok: true, value };
}

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
