import { randomUUID } from 'node:crypto';

import { sleep, type IDataObject } from 'n8n-workflow';

import { failureFromAnswer, GraphFailure } from './errors';
import type { GraphClient, GraphRequest, GraphResponse, GraphVersion } from './graph';
import { backoffMs, isRetryableStatus, ThrottleGate, type RetryPolicy } from './retry';

/** Graph's limit of requests in one JSON batch. */
export const MAX_BATCH_SIZE = 20;

/** Items read but not sent yet, at most: memory stays bounded whatever the number of items. */
const READ_AHEAD_LIMIT = 25 * MAX_BATCH_SIZE;
/** How long one run of reading ahead may hold the event loop. */
const READ_AHEAD_SLICE_MS = 1;

export interface BatchOptions {
	policy: RetryPolicy;
	batchesInFlight: number;
	timeoutMs?: number;
	/**
	 * After an attempt whose outcome is unknown (timeout, dropped connection), a retry may meet
	 * the first attempt's effect; this says whether a failure means "already done".
	 */
	isAlreadyDone?: (failure: GraphFailure) => boolean;
	/** stop sending new batches after the first final failure */
	stopOnFailure?: boolean;
	signal?: AbortSignal;
	random?: () => number;
}

export type BatchResult = { attempts: number; answeredAt: string } & (
	| { ok: true; response: GraphResponse; alreadyDone: boolean }
	| { ok: false; failure: GraphFailure; sent: boolean }
);

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

interface Slot {
	index: number;
	request: GraphRequest;
	clientRequestId: string;
	attempts: number;
	/** retries spent on transient faults */
	retries: number;
	waitedMs: number;
	notBefore: number;
	/** an earlier attempt may have taken effect without us hearing back */
	unknownOutcome: boolean;
	lastFailure?: GraphFailure;
}

interface InnerResponse {
	id: string;
	status: number;
	headers?: Record<string, unknown>;
	body?: unknown;
}

const innerUrl = (request: GraphRequest) => {
	const query = request.qs
		? new URLSearchParams(request.qs as Record<string, string>).toString()
		: '';
	return query ? `${request.path}?${query}` : (request.path ?? '');
};

/**
 * Sends requests through Graph JSON batching, a bounded number of batches at a time, and
 * returns one result per item, in item order, whatever order Graph answered in. Throttled and
 * transiently failed requests are sent again; a request that succeeded, or failed for good,
 * never is.
 *
 * `prepare(index)` builds item `index`'s request, or returns undefined for an item that sends
 * nothing (its result is then undefined). It is called once per item, in item order, reading
 * ahead of the batches in short slices, so per-item parameter work overlaps with requests in
 * flight instead of holding them up.
 */
export async function sendBatched(
	graph: GraphClient,
	count: number,
	prepare: (index: number) => GraphRequest | undefined,
	options: BatchOptions,
): Promise<Array<BatchResult | undefined>> {
	const results: Array<BatchResult | undefined> = new Array(count);
	const gate = new ThrottleGate(options.batchesInFlight);
	const random = options.random ?? Math.random;
	const slots: Slot[] = [];
	/** slots waiting to be sent again, in the order they came back */
	let queue: Slot[] = [];
	let nextToPrepare = 0;
	/** prepared items not sent yet */
	let preparedAhead = 0;
	let remaining = count;
	let stopped = false;
	let fatal: unknown;

	/** The next item's slot, preparing items until one has a request to send. */
	const prepareNext = (): Slot | undefined => {
		while (nextToPrepare < count) {
			const index = nextToPrepare++;
			const request = prepare(index);
			if (!request) {
				remaining--;
				continue;
			}
			const slot: Slot = {
				index,
				request,
				clientRequestId: randomUUID(),
				attempts: 0,
				retries: 0,
				waitedMs: 0,
				notBefore: 0,
				unknownOutcome: false,
			};
			slots.push(slot);
			preparedAhead++;
			return slot;
		}
		return undefined;
	};

	const settle = (slot: Slot, result: DistributiveOmit<BatchResult, 'answeredAt'>) => {
		results[slot.index] = { ...result, answeredAt: new Date().toISOString() } as BatchResult;
		remaining--;
		if (!result.ok && options.stopOnFailure) stopped = true;
	};

	const fail = (slot: Slot, failure: GraphFailure) =>
		settle(slot, { ok: false, failure, attempts: slot.attempts, sent: slot.attempts > 0 });

	/** Puts a slot back for another attempt, unless its retry or wait budget is spent. */
	const retryLater = (
		slot: Slot,
		failure: GraphFailure,
		waitMs: number,
		countsAsRetry: boolean,
	) => {
		slot.lastFailure = failure;
		if (countsAsRetry) slot.retries++;
		slot.waitedMs += waitMs;
		if (slot.retries > options.policy.maxRetries) {
			return fail(slot, exhausted(failure, `after ${slot.attempts} attempts`));
		}
		if (slot.waitedMs > options.policy.maxWaitMs) {
			return fail(slot, exhausted(failure, `after waiting ${Math.round(slot.waitedMs / 1000)} s`));
		}
		slot.notBefore = Date.now() + waitMs;
		queue.push(slot);
	};

	const transientWait = (slot: Slot, failure: GraphFailure) =>
		failure.retryAfterMs ?? backoffMs(slot.retries, options.policy, random);

	const settleInner = (slot: Slot, inner: InnerResponse | undefined, batch: GraphResponse) => {
		if (!inner) {
			slot.unknownOutcome = true;
			const failure = new GraphFailure(
				0,
				'MissingBatchResponse',
				'The batch answer left this request out',
				batch.requestId,
				slot.clientRequestId,
			);
			return retryLater(slot, failure, backoffMs(slot.retries, options.policy, random), true);
		}
		const headers = inner.headers ?? {};
		if (inner.status >= 200 && inner.status < 300) {
			const requestId =
				typeof headers['request-id'] === 'string' ? headers['request-id'] : batch.requestId;
			return settle(slot, {
				ok: true,
				response: {
					statusCode: inner.status,
					body: (inner.body ?? {}) as IDataObject,
					headers: headers as IDataObject,
					requestId,
					clientRequestId: slot.clientRequestId,
				},
				attempts: slot.attempts,
				alreadyDone: false,
			});
		}
		const failure = failureFromAnswer(inner.status, headers, inner.body, slot.clientRequestId);
		if (inner.status === 429) {
			const wait = failure.retryAfterMs ?? backoffMs(0, options.policy, random);
			gate.throttled(wait);
			return retryLater(slot, failure, wait, false);
		}
		if (isRetryableStatus(inner.status)) {
			return retryLater(slot, failure, transientWait(slot, failure), true);
		}
		if (slot.unknownOutcome && options.isAlreadyDone?.(failure)) {
			return settle(slot, {
				ok: true,
				response: {
					statusCode: inner.status,
					body: {},
					headers: headers as IDataObject,
					requestId: failure.requestId,
					clientRequestId: slot.clientRequestId,
				},
				attempts: slot.attempts,
				alreadyDone: true,
			});
		}
		fail(slot, failure);
	};

	const sendBatch = async (batch: Slot[], version: GraphVersion) => {
		for (const slot of batch) if (slot.attempts++ === 0) preparedAhead--;
		let answer: GraphResponse<{ responses?: InnerResponse[] }>;
		try {
			answer = await graph.request<{ responses?: InnerResponse[] }>({
				method: 'POST',
				version,
				path: '/$batch',
				body: {
					requests: batch.map((slot) => ({
						id: String(slot.index),
						method: slot.request.method,
						url: innerUrl(slot.request),
						headers: {
							'client-request-id': slot.clientRequestId,
							...(slot.request.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
						},
						...(slot.request.body !== undefined ? { body: slot.request.body } : {}),
					})),
				},
				timeoutMs: options.timeoutMs,
			});
		} catch (error) {
			// Anything but a Graph answer (a credential that cannot sign, say) ends the whole run.
			if (!(error instanceof GraphFailure)) {
				fatal ??= error;
				return;
			}
			return settleEnvelopeFailure(batch, error);
		}
		const byId = new Map((answer.body.responses ?? []).map((inner) => [String(inner.id), inner]));
		const throttledBefore = gate.closedFor();
		for (const slot of batch) settleInner(slot, byId.get(String(slot.index)), answer);
		if (gate.closedFor() <= throttledBefore) gate.succeeded();
	};

	/** The whole batch failed: nothing ran (429, 503, 504), maybe something ran (no answer, 5xx), or nothing will. */
	const settleEnvelopeFailure = (batch: Slot[], failure: GraphFailure) => {
		if (failure.status === 429) {
			const wait = failure.retryAfterMs ?? backoffMs(0, options.policy, random);
			gate.throttled(wait);
			for (const slot of batch) retryLater(slot, failure, wait, false);
			return;
		}
		const outcomeUnknown =
			failure.status === 0 || (failure.status >= 500 && !isRetryableStatus(failure.status));
		if (isRetryableStatus(failure.status) || outcomeUnknown) {
			for (const slot of batch) {
				slot.unknownOutcome ||= outcomeUnknown;
				retryLater(slot, failure, transientWait(slot, failure), true);
			}
			return;
		}
		for (const slot of batch) fail(slot, failure);
	};

	/** Whether reading more items could still add to a batch. */
	const canReadAhead = () => !stopped && nextToPrepare < count && preparedAhead < READ_AHEAD_LIMIT;

	/**
	 * Up to 20 requests of one Graph version, in queue order: retries whose wait is over and items
	 * read ahead. A batch goes out part-full only when reading on cannot fill it (the last items,
	 * or another version waiting next); otherwise nothing is taken and the loop reads on.
	 */
	const takeReady = (now: number): Slot[] => {
		const taken: Slot[] = [];
		const rest: Slot[] = [];
		let otherVersionWaits = false;
		for (const slot of queue) {
			const ready = slot.notBefore <= now && taken.length < MAX_BATCH_SIZE;
			if (ready && (taken.length === 0 || slot.request.version === taken[0].request.version)) {
				taken.push(slot);
			} else {
				otherVersionWaits ||= ready;
				rest.push(slot);
			}
		}
		if (taken.length < MAX_BATCH_SIZE && !otherVersionWaits && canReadAhead()) return [];
		queue = rest;
		return taken;
	};

	const inFlight = new Set<Promise<void>>();
	while (remaining > 0 && fatal === undefined) {
		if (options.signal?.aborted || (stopped && inFlight.size === 0)) break;
		if (queue.length === 0 && inFlight.size === 0 && nextToPrepare >= count) break;
		const now = Date.now();
		const gateWait = gate.closedFor(now);
		if (!stopped && gateWait === 0 && inFlight.size < gate.inFlightLimit) {
			const batch = takeReady(now);
			if (batch.length) {
				const sending = sendBatch(batch, batch[0].request.version).finally(() =>
					inFlight.delete(sending),
				);
				inFlight.add(sending);
				continue;
			}
		}
		// Read the next items ahead, so a full batch is ready the moment a slot frees up. Reading
		// an item costs n8n's expression evaluation, so it goes in slices of about a millisecond:
		// a request on its way out or an answer coming in never waits behind more than one slice.
		if (canReadAhead()) {
			// The timer starts first, so it is due when the slice ends: the loop yields, never idles.
			const yieldTurn = sleep(0);
			const sliceEnd = performance.now() + READ_AHEAD_SLICE_MS;
			do {
				const slot = prepareNext();
				if (!slot) break;
				queue.push(slot);
			} while (performance.now() < sliceEnd && preparedAhead < READ_AHEAD_LIMIT);
			await Promise.race([yieldTurn, ...inFlight]);
			continue;
		}
		// Nothing to send now: wake when a batch finishes, the gate opens or a backoff ends.
		let wakeIn = gateWait;
		if (gateWait === 0) {
			wakeIn = Infinity;
			if (!stopped && inFlight.size < gate.inFlightLimit) {
				for (const slot of queue) wakeIn = Math.min(wakeIn, Math.max(1, slot.notBefore - now));
			}
		}
		if (wakeIn === Infinity && inFlight.size === 0) continue;
		await Promise.race(wakeIn === Infinity ? [...inFlight] : [sleep(wakeIn), ...inFlight]);
	}
	await Promise.all(inFlight);
	if (fatal !== undefined) throw fatal;

	for (const slot of slots) results[slot.index] ??= unsent(slot, options.signal?.aborted === true);
	return results;
}

/** A request the run stopped before finishing: cancelled, or after another item failed. */
function unsent(slot: Slot, cancelled: boolean): BatchResult {
	const reason = cancelled
		? 'The execution was cancelled before this request finished'
		: 'Stopped after another item failed ("Continue On Fail" is off)';
	return {
		ok: false,
		answeredAt: new Date().toISOString(),
		failure:
			slot.lastFailure ??
			new GraphFailure(
				0,
				cancelled ? 'Cancelled' : 'NotSent',
				reason,
				undefined,
				slot.clientRequestId,
			),
		attempts: slot.attempts,
		sent: slot.attempts > 0,
	};
}

function exhausted(failure: GraphFailure, how: string): GraphFailure {
	return new GraphFailure(
		failure.status,
		failure.code,
		`${failure.graphMessage} (gave up ${how})`,
		failure.requestId,
		failure.clientRequestId,
		failure.retryAfterMs,
	);
}
