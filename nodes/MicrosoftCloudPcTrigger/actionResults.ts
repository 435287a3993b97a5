import { randomUUID } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import { withEveryPage } from '../MicrosoftCloudPc/shared/remoteActionPages';
import { remoteActionResultsRequest } from '../MicrosoftCloudPc/shared/remoteActionResults';
import { sendBatched } from '../MicrosoftCloudPc/transport/batch';
import { sleep } from '../MicrosoftCloudPc/transport/clock';
import { GraphFailure } from '../MicrosoftCloudPc/transport/graphErrors';
import type { GraphClient } from '../MicrosoftCloudPc/transport/graph';
import { DEFAULT_RETRY_POLICY } from '../MicrosoftCloudPc/transport/retry';

/**
 * Cloud PCs whose remote action results one poll reads at most: 5 JSON batches of 20. Windows
 * 365 publishes no budget for this read; this stays below half of the one it publishes for Get
 * Cloud PC (270 per 60 s per app) at a poll a minute. The rest wait for the next poll, first.
 */
export const MAX_READS_PER_POLL = 100;
/** Batches in flight at once: a poll is background work and leaves room to other workflows. */
const BATCHES_IN_FLIGHT = 2;
/** A request unanswered this long is sent again (a read: safe to repeat). */
const REQUEST_TIMEOUT_MS = 60_000;

export interface ActionReads {
	/** every page of each Cloud PC's remote action results, by Cloud PC id */
	actions: Map<string, IDataObject[]>;
	/** the Cloud PCs whose read failed (throttled past the poll's budget, a Graph error) */
	failed: Map<string, GraphFailure>;
	/** what ended the reads that is no Graph answer (a credential that stopped signing in) */
	fatal?: unknown;
}

/**
 * beta `retrieveCloudPcRemoteActionResults` (admin route) of each of `ids`, every page, through
 * JSON batches (transport/batch.ts: throttling, faults, retries of reads). Nothing is waited for
 * past `deadline` (ms since the epoch): what is not read by then is failed, for the next poll.
 */
export async function fetchActionResults(
	graph: GraphClient,
	ids: readonly string[],
	deadline: number,
): Promise<ActionReads> {
	const reads: ActionReads = { actions: new Map(), failed: new Map() };
	const left = deadline - Date.now();
	const spent = () =>
		new GraphFailure(
			0,
			'PollBudgetSpent',
			'Reading the remote action results took longer than this poll may take; the Cloud PCs not read wait for the next poll',
			undefined,
			randomUUID(),
		);
	if (ids.length === 0) return reads;
	if (left <= 0) {
		for (const id of ids) reads.failed.set(id, spent());
		return reads;
	}
	// the batches stop at the deadline; `finished` ends the timer as soon as they are done
	const stop = new AbortController();
	const finished = new AbortController();
	void sleep(left, finished.signal).then(() => {
		if (!finished.signal.aborted) stop.abort();
	});
	try {
		const options = {
			policy: { ...DEFAULT_RETRY_POLICY, maxRetries: 3, maxWaitMs: left },
			timeoutMs: Math.max(1_000, Math.min(REQUEST_TIMEOUT_MS, left)),
			signal: stop.signal,
		};
		const { results, fatal } = await sendBatched(
			graph,
			ids.length,
			(index) => remoteActionResultsRequest(ids[index]),
			{ ...options, batchesInFlight: BATCHES_IN_FLIGHT, stopOnFailure: false },
		);
		reads.fatal = fatal;
		for (const [index, id] of ids.entries()) {
			const first = results[index];
			// later pages (rare) one by one; one that cannot be read fails this Cloud PC's read
			const answer = first && (await withEveryPage(graph, options, id, first));
			if (answer?.ok) {
				reads.actions.set(id, (answer.response.body as { value: IDataObject[] }).value);
			} else if (stop.signal.aborted) {
				// cancelled at the deadline: say so, not what the cancelled request saw
				reads.failed.set(id, spent());
			} else if (answer) {
				reads.failed.set(id, answer.failure);
			}
		}
	} finally {
		finished.abort();
	}
	return reads;
}
