import type { IDataObject } from 'n8n-workflow';

import { sendBatched, type BatchOptions, type BatchResult } from '../../transport/batch';
import { MAX_BATCH_SIZE } from '../../transport/batchEnvelope';
import { graphOutcome, sendDirect } from '../../transport/direct';
import type { GraphClient, GraphRequest } from '../../transport/graph';
import { MAX_TOP, cloudPcPath } from '../../model';
import { followPages } from '../../shared/paging';
import type { Outcome } from '../../shared/outputFields';
import {
	latestAction,
	outcomeOfAction,
	reasonOfAction,
	remoteActionResultsRequest,
} from '../../shared/remoteActionResults';
import { sleep } from '../../transport/clock';
import { isTransient } from '../../transport/retry';
import type { WaitSettings } from './request';
import type { RemoteActionDescriptor } from '../../remoteActions/descriptor';

export interface Waiting {
	itemIndex: number;
	cloudPcId: string;
	/** when Graph accepted the action: older actions of the same name are not this one */
	requestedAt: string;
	settings: WaitSettings;
}

export interface WaitResult {
	outcome: Outcome;
	reason: string | null;
	/** the last action of this name seen */
	action?: IDataObject;
	completedAt: string | null;
	waitedSeconds: number;
}

const minutes = (ms: number) => {
	const value = Number((ms / 60_000).toFixed(2));
	return `${value} minute${value === 1 ? '' : 's'}`;
};

type ReadOptions = Omit<BatchOptions, 'verify' | 'stopOnFailure'>;

type Finish = (w: Waiting, outcome: Outcome, reason: string | null, action?: IDataObject) => void;

/**
 * Up to this many waiting Cloud PCs are read one by one every poll: one $batch, as cheap as a
 * list page, and it shows each action's state. More than that are found in a list first.
 */
const READ_EACH_UP_TO = MAX_BATCH_SIZE;

/**
 * Windows 365's published read budgets per app (half the tenant's, since 2025-09-30), per 60 s:
 * List Cloud PCs 90 and Get Cloud PC 270. A poll spends at most its interval's share of each,
 * counting a read of a Cloud PC's action results as a Get.
 */
const LIST_PAGES_PER_MINUTE = 90;
const READS_PER_MINUTE = 270;

const share = (perMinute: number, intervalMs: number) =>
	Math.max(1, Math.floor((perMinute * intervalMs) / 60_000));

/** What one poll may spend, at this poll interval: list pages, and reads of action results. */
export function pollBudget(intervalMs: number): { listPages: number; reads: number } {
	return {
		listPages: share(LIST_PAGES_PER_MINUTE, intervalMs),
		reads: share(READS_PER_MINUTE, intervalMs),
	};
}

/**
 * Polls until each action (the descriptor's actionName) is done or failed, the timeout ends the
 * wait, or the execution is cancelled. Interval and timeout are the first waiting item's. A few
 * waiting Cloud PCs have their beta `retrieveCloudPcRemoteActionResults` read every poll. With
 * more, for an action that shows in the status (`runningStatus`, e.g. `provisioning`), a poll
 * first lists the Cloud PCs in that status (still running: nothing to read) and reads the action
 * results of the others only, least recently read first, within the poll's budget; the rest wait
 * for the next poll. Without a running status, the budget alone picks who is read.
 */
export async function waitForActions(
	d: RemoteActionDescriptor,
	graph: GraphClient,
	waiting: Waiting[],
	throughput: ReadOptions,
): Promise<Map<number, WaitResult>> {
	const { timeoutMs, intervalMs } = waiting[0].settings;
	const { signal } = throughput;
	const started = Date.now();
	const deadline = started + timeoutMs;
	const results = new Map<number, WaitResult>();
	const lastSeen = new Map<number, IDataObject>();
	/** the poll in which each item's action results were last read */
	const lastRead = new Map<number, number>();
	const finish = (w: Waiting, outcome: Outcome, reason: string | null, action?: IDataObject) =>
		results.set(w.itemIndex, {
			outcome,
			reason,
			action,
			completedAt:
				outcome === 'requested'
					? null
					: String(action?.lastUpdatedDateTime ?? new Date().toISOString()),
			waitedSeconds: Math.round((Date.now() - started) / 1000),
		});
	const stopped = (fatal: unknown) => {
		for (const w of pending)
			finish(
				w,
				'requested',
				`${d.displayName} requested, but following it stopped: ${(fatal as Error).message}`,
				lastSeen.get(w.itemIndex),
			);
		return results;
	};

	let pending = waiting;
	let polledAt = started;
	for (let poll = 1; pending.length; poll++) {
		const left = deadline - Date.now();
		if (left <= 0 || signal?.aborted) break;
		await sleep(Math.min(intervalMs, left), signal);
		if (signal?.aborted) break;
		// the last poll comes early, at the deadline: its budget is the share of a shorter wait
		const budget = pollBudget(Math.min(intervalMs, Date.now() - polledAt));
		polledAt = Date.now();
		const options = untilDeadline(throughput, deadline);
		let round: Waiting[];
		try {
			round =
				pending.length <= READ_EACH_UP_TO
					? pending
					: await changedOnes(d, graph, pending, options, budget, lastRead);
		} catch (fatal) {
			return stopped(fatal);
		}
		if (!round.length) continue;
		for (const w of round) lastRead.set(w.itemIndex, poll);
		const { results: answers, fatal } = await readRound(graph, round, options);
		if (fatal !== undefined) return stopped(fatal);
		if (signal?.aborted) break;
		const settled = new Set(
			round.filter((w, k) => !stillWaiting(d, w, answers[k], lastSeen, finish)),
		);
		pending = pending.filter((w) => !settled.has(w));
	}
	const reason = signal?.aborted
		? 'Stopped waiting: the execution was cancelled'
		: `Still running after ${minutes(timeoutMs)}`;
	for (const w of pending) finish(w, 'requested', reason, lastSeen.get(w.itemIndex));
	return results;
}

/**
 * A poll's throttling waits and retries end by the Wait Timeout too: a read throttled for an
 * hour must not hold the wait past it. (One read in flight may still take up to the Request
 * Timeout: the last poll starts at the deadline, and is worth its answer.)
 */
function untilDeadline(throughput: ReadOptions, deadline: number): ReadOptions {
	const left = Math.max(0, deadline - Date.now());
	return {
		...throughput,
		policy: { ...throughput.policy, maxWaitMs: Math.min(throughput.policy.maxWaitMs, left) },
	};
}

/**
 * The waiting Cloud PCs to read this poll: those the list of `provisioning` ones leaves out
 * (their status changed, or the list's budget ran out before it reached them), least recently
 * read first, at most the poll's budget of reads. A list Graph refuses leaves them all.
 */
async function changedOnes(
	d: RemoteActionDescriptor,
	graph: GraphClient,
	pending: Waiting[],
	options: ReadOptions,
	budget: ReturnType<typeof pollBudget>,
	lastRead: Map<number, number>,
): Promise<Waiting[]> {
	const running = d.runningStatus
		? await idsInStatus(d.runningStatus, graph, options, budget.listPages)
		: new Set<string>();
	const readAt = (w: Waiting) => lastRead.get(w.itemIndex) ?? 0;
	return pending
		.filter((w) => !running.has(w.cloudPcId.toLowerCase()))
		.sort((a, b) => readAt(a) - readAt(b))
		.slice(0, budget.reads);
}

/**
 * Ids (lower case) of the tenant's Cloud PCs whose status is `status` (e.g. `provisioning`), in
 * up to `maxPages` pages. A list cut short (no admin role, throttled past the budget, not a list, more pages than
 * the budget) leaves out the rest: those Cloud PCs are read one by one instead.
 */
async function idsInStatus(
	status: string,
	graph: GraphClient,
	options: ReadOptions,
	maxPages: number,
): Promise<Set<string>> {
	const ids = new Set<string>();
	const first: GraphRequest = {
		method: 'GET',
		version: 'beta',
		path: cloudPcPath('organization', undefined),
		qs: { $filter: `status eq '${status}'`, $select: 'id,status', $top: MAX_TOP },
	};
	const pages = followPages(
		async (request) => await sendDirect<unknown>(graph, request, options),
		first,
		{
			maxPages,
			message: () => `The list of ${status} Cloud PCs is longer than this poll reads`,
		},
	);
	const collect = async () => {
		for await (const { page } of pages) {
			for (const pc of page.value) if (pc.status === status) ids.add(String(pc.id).toLowerCase());
		}
	};
	// a failure keeps the ids found before it
	await graphOutcome(collect());
	return ids;
}

/** One poll's reads of the remote action results, in JSON batches. */
async function readRound(
	graph: GraphClient,
	round: Waiting[],
	options: ReadOptions,
): ReturnType<typeof sendBatched> {
	return await sendBatched(
		graph,
		round.length,
		(k) => remoteActionResultsRequest(round[k].cloudPcId),
		{ ...options, stopOnFailure: false },
	);
}

/** Settles a Cloud PC on its answer, or not; true while it is to be read again next round. */
function stillWaiting(
	d: RemoteActionDescriptor,
	w: Waiting,
	answer: BatchResult | undefined,
	lastSeen: Map<number, IDataObject>,
	finish: Finish,
): boolean {
	if (!answer) return true;
	// Throttled or unanswered: read again next round, or the Wait Timeout ends it.
	if (!answer.ok && isTransient(answer.failure.status)) return true;
	if (!answer.ok) {
		finish(
			w,
			'requested',
			`${d.displayName} requested, but its progress could not be read: ${answer.failure.message}`,
		);
		return false;
	}
	const action = latestAction(answer.response.body, d.actionName, w.requestedAt);
	if (action) lastSeen.set(w.itemIndex, action);
	const { outcome, final } = outcomeOfAction(action?.actionState);
	if (!final || !action) return true;
	finish(w, outcome, reasonOfAction(action, d.words.noun), action);
	return false;
}
