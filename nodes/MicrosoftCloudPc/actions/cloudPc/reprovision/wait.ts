import type { IDataObject } from 'n8n-workflow';

import { sendBatched, type BatchOptions, type BatchResult } from '../../../transport/batch';
import type { GraphClient } from '../../../transport/graph';
import type { Outcome } from '../output';
import {
	latestReprovision,
	outcomeOfAction,
	reasonOfAction,
	remoteActionResultsRequest,
} from '../remoteActions';
import { sleep } from '../../../transport/clock';
import { isTransient } from '../../../transport/retry';
import type { WaitSettings } from './request';

export interface Waiting {
	itemIndex: number;
	cloudPcId: string;
	/** when Graph accepted the reprovision: older Reprovision actions are not this one */
	requestedAt: string;
	settings: WaitSettings;
}

export interface WaitResult {
	outcome: Outcome;
	reason: string | null;
	/** the last Reprovision action seen */
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
 * Polls beta `retrieveCloudPcRemoteActionResults` for every waiting Cloud PC each round, all of
 * them through JSON batches, until each reprovision is done or failed, the timeout ends the
 * wait, or the execution is cancelled. Interval and timeout are the first waiting item's.
 */
export async function waitForReprovisions(
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

	let pending = waiting;
	while (pending.length) {
		const left = deadline - Date.now();
		if (left <= 0 || signal?.aborted) break;
		await sleep(Math.min(intervalMs, left), signal);
		if (signal?.aborted) break;
		const round = pending;
		const { results: answers, fatal } = await readRound(graph, round, throughput, deadline);
		if (fatal !== undefined) {
			for (const w of pending)
				finish(
					w,
					'requested',
					`Reprovision requested, but following it stopped: ${(fatal as Error).message}`,
					lastSeen.get(w.itemIndex),
				);
			return results;
		}
		if (signal?.aborted) break;
		pending = round.filter((w, k) => stillWaiting(w, answers[k], lastSeen, finish));
	}
	const reason = signal?.aborted
		? 'Stopped waiting: the execution was cancelled'
		: `Still running after ${minutes(timeoutMs)}`;
	for (const w of pending) finish(w, 'requested', reason, lastSeen.get(w.itemIndex));
	return results;
}

/** One round's reads of the remote action results, in JSON batches. */
async function readRound(
	graph: GraphClient,
	round: Waiting[],
	throughput: ReadOptions,
	deadline: number,
): ReturnType<typeof sendBatched> {
	// A round's throttling waits and retries end by the Wait Timeout too: a read throttled
	// for an hour must not hold the wait past it. (One read in flight may still take up to
	// the Request Timeout: the last round starts at the deadline, and is worth its answer.)
	const untilDeadline = Math.max(0, deadline - Date.now());
	return await sendBatched(
		graph,
		round.length,
		(k) => remoteActionResultsRequest(round[k].cloudPcId),
		{
			...throughput,
			policy: {
				...throughput.policy,
				maxWaitMs: Math.min(throughput.policy.maxWaitMs, untilDeadline),
			},
			stopOnFailure: false,
		},
	);
}

/** Settles a Cloud PC on its answer, or not; true while it is to be read again next round. */
function stillWaiting(
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
			`Reprovision requested, but its progress could not be read: ${answer.failure.message}`,
		);
		return false;
	}
	const action = latestReprovision(answer.response.body, w.requestedAt);
	if (action) lastSeen.set(w.itemIndex, action);
	const { outcome, final } = outcomeOfAction(action?.actionState);
	if (!final || !action) return true;
	finish(w, outcome, reasonOfAction(action), action);
	return false;
}
