import { randomUUID } from 'node:crypto';

import { batchBody, MAX_BATCH_SIZE, readBatchAnswer, type EntryAnswer } from './batchEnvelope';
import { nextTurn, sleep } from './clock';
import { GraphFailure } from './graphErrors';
import type { GraphClient, GraphRequest, GraphResponse } from './graph';
import {
	decide,
	spend,
	afterNotActed,
	isTransient,
	ThrottleGate,
	type Attempts,
	type DecisionRules,
	type RetryPolicy,
} from './retry';
import { CANCELLED, endedBy, confirmedResponse, unknownOutcome, type Verdict } from './verdict';

/** Items read but not sent yet, at most: memory stays bounded whatever the number of items. */
const READ_AHEAD_LIMIT = 25 * MAX_BATCH_SIZE;
/** How long one run of reading ahead may hold the event loop. */
const READ_AHEAD_SLICE_MS = 1;

/** A request whose outcome is unknown, for the caller to look up in what Graph recorded. */
export interface Unverified {
	index: number;
	request: GraphRequest;
	/** when the first attempt went out: an action Graph started before it is not ours */
	firstSentAt: string;
}

export interface BatchOptions {
	policy: RetryPolicy;
	batchesInFlight: number;
	timeoutMs?: number;
	/**
	 * For destructive requests: asked, once per request in `pending`, whether an attempt whose
	 * answer was lost took effect. Nothing whose outcome is unknown is sent again without it;
	 * without it, requests are taken to be safe to repeat (reads).
	 */
	verify?: (pending: Unverified[]) => Promise<Verdict[]>;
	/** stop sending new batches after the first final failure */
	stopOnFailure?: boolean;
	signal?: AbortSignal;
	random?: () => number;
}

export type BatchResult = { attempts: number; answeredAt: string } & (
	| { ok: true; response: GraphResponse; confirmedBy?: string }
	/** `outcomeUnknown`: Graph may have acted; otherwise it did not (or `sent` is false) */
	| { ok: false; failure: GraphFailure; sent: boolean; outcomeUnknown: boolean }
);

export interface BatchRunResult {
	/** one per item, in item order; undefined for an item that sent nothing */
	results: Array<BatchResult | undefined>;
	/** what ended the run early (a credential that stopped signing in, say), after batches in flight were answered */
	fatal?: unknown;
}

interface Slot extends Attempts {
	/** waiting for a check: the last attempt may have run */
	outcomeUnknown: boolean;
	index: number;
	request: GraphRequest;
	clientRequestId: string;
	/** attempts that went out */
	sent: number;
	firstSentAt?: string;
	notBefore: number;
	/** ask Graph what an earlier attempt did before sending again */
	verifyFirst: boolean;
	lastFailure?: GraphFailure;
}

type Settled = DistributiveOmit<BatchResult, 'answeredAt' | 'attempts'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Sends requests through Graph JSON batches, a bounded number at a time, and returns one result
 * per item, in item order, whatever order Graph answered in. What happens after each answer is
 * `decide`'s (transport/retry.ts): throttled and refused-before-running requests go again, an
 * unknown outcome of a destructive request is checked with `verify` first, and a request that
 * succeeded or failed for good is never sent again.
 *
 * `prepare(index)` builds item `index`'s request, or returns undefined for an item that sends
 * nothing. It is called once per item, in order, reading ahead in short slices, so per-item
 * parameter work overlaps with requests in flight instead of holding them up.
 */
export async function sendBatched(
	graph: GraphClient,
	count: number,
	prepare: (index: number) => GraphRequest | undefined,
	options: BatchOptions,
): Promise<BatchRunResult> {
	return await new BatchRun(graph, count, prepare, options).run();
}

class BatchRun {
	private readonly results: Array<BatchResult | undefined>;
	private readonly slots: Slot[] = [];
	/** slots waiting to be sent or checked, in the order they came */
	private queue: Slot[] = [];
	private readonly inFlight = new Set<Promise<void>>();
	private readonly gate: ThrottleGate;
	private readonly rules: DecisionRules;
	private nextToPrepare = 0;
	/** prepared items not sent yet */
	private preparedAhead = 0;
	private remaining: number;
	private stopped = false;
	private fatal: unknown;

	constructor(
		private readonly graph: GraphClient,
		private readonly count: number,
		private readonly prepare: (index: number) => GraphRequest | undefined,
		private readonly options: BatchOptions,
	) {
		this.results = new Array(count);
		this.remaining = count;
		this.gate = new ThrottleGate(options.batchesInFlight);
		this.rules = { policy: options.policy, destructive: !!options.verify, random: options.random };
	}

	async run(): Promise<BatchRunResult> {
		while (this.remaining > 0 && this.fatal === undefined && !this.options.signal?.aborted) {
			if (this.stopped && !this.queue.some((slot) => slot.verifyFirst) && this.inFlight.size === 0)
				break;
			if (this.startNext()) continue;
			await this.idle();
		}
		await Promise.all(this.inFlight);
		for (const slot of this.slots) this.results[slot.index] ??= this.unfinished(slot);
		return { results: this.results, fatal: this.fatal };
	}

	/** Starts a batch of checks or of requests if one is ready and allowed now. */
	private startNext(): boolean {
		if (this.gate.closedFor() > 0 || this.inFlight.size >= this.gate.inFlightLimit) return false;
		// Checks go first, and go on after a stop: they only read, and they settle what is unknown.
		const checks = this.take((slot) => slot.verifyFirst);
		const batch = checks.length || this.stopped ? [] : this.take((slot) => !slot.verifyFirst);
		if (!checks.length && !batch.length) return false;
		const work = checks.length ? this.verifyBatch(checks) : this.sendBatch(batch);
		const tracked: Promise<void> = work
			.catch((error: unknown) => {
				this.fatal ??= error;
			})
			.finally(() => this.inFlight.delete(tracked));
		this.inFlight.add(tracked);
		return true;
	}

	/**
	 * Up to 20 ready slots of one Graph version, in queue order. A batch goes out part-full only
	 * when reading on cannot fill it (the last items, or another version waiting next).
	 */
	private take(kind: (slot: Slot) => boolean): Slot[] {
		const now = Date.now();
		const taken: Slot[] = [];
		const rest: Slot[] = [];
		let otherVersionWaits = false;
		for (const slot of this.queue) {
			const ready = kind(slot) && slot.notBefore <= now && taken.length < MAX_BATCH_SIZE;
			if (ready && (taken.length === 0 || slot.request.version === taken[0].request.version)) {
				taken.push(slot);
			} else {
				otherVersionWaits ||= ready;
				rest.push(slot);
			}
		}
		const fillsLater = !taken[0]?.verifyFirst && !otherVersionWaits && this.canReadAhead();
		if (taken.length < MAX_BATCH_SIZE && fillsLater) return [];
		this.queue = rest;
		return taken;
	}

	/** Nothing to start now: read ahead, or wait until a batch ends, the gate opens or a wait is over. */
	private async idle(): Promise<void> {
		if (this.canReadAhead()) return await this.readAhead();
		// A closed gate opens at a known time; a full set of batches in flight frees up when one
		// ends; otherwise the first queued wait ends. Never 0: that would spin.
		const gateWait = this.gate.closedFor();
		let wakeIn = Infinity;
		if (gateWait > 0) wakeIn = gateWait;
		else if (this.inFlight.size < this.gate.inFlightLimit) {
			const startable = this.queue.filter((slot) => !this.stopped || slot.verifyFirst);
			wakeIn = Math.min(...startable.map((slot) => Math.max(1, slot.notBefore - Date.now())));
		}
		if (wakeIn === Infinity && this.inFlight.size === 0) {
			// Nothing could ever wake the loop: end the run rather than spin or hang.
			this.fatal = new Error(
				'Internal error: the batch sender has work left but nothing to wait for',
			);
			return;
		}
		const timer = wakeIn === Infinity ? [] : [sleep(wakeIn, this.options.signal)];
		await Promise.race([...timer, ...this.inFlight]);
	}

	private canReadAhead(): boolean {
		return (
			!this.stopped && this.nextToPrepare < this.count && this.preparedAhead < READ_AHEAD_LIMIT
		);
	}

	/**
	 * Reads items in slices of about a millisecond: reading costs n8n's expression evaluation, and
	 * a request on its way out or an answer coming in never waits behind more than one slice.
	 */
	private async readAhead(): Promise<void> {
		// The timer starts first, so it is due when the slice ends: the loop yields, never idles.
		const yieldTurn = nextTurn();
		const sliceEnd = performance.now() + READ_AHEAD_SLICE_MS;
		do {
			const slot = this.prepareNext();
			if (!slot) break;
			this.queue.push(slot);
		} while (performance.now() < sliceEnd && this.preparedAhead < READ_AHEAD_LIMIT);
		await Promise.race([yieldTurn, ...this.inFlight]);
	}

	/** The next item's slot, preparing items until one has a request to send. */
	private prepareNext(): Slot | undefined {
		while (this.nextToPrepare < this.count) {
			const index = this.nextToPrepare++;
			const request = this.prepare(index);
			if (!request) {
				this.remaining--;
				continue;
			}
			const slot: Slot = {
				index,
				request,
				clientRequestId: randomUUID(),
				sent: 0,
				retries: 0,
				waitedMs: 0,
				earlierUnknown: false,
				outcomeUnknown: false,
				notBefore: 0,
				verifyFirst: false,
			};
			this.slots.push(slot);
			this.preparedAhead++;
			return slot;
		}
		return undefined;
	}

	private async sendBatch(batch: Slot[]): Promise<void> {
		const sentAtMs = Date.now();
		const sentAt = new Date(sentAtMs).toISOString();
		for (const slot of batch) {
			if (slot.sent++ === 0) {
				this.preparedAhead--;
				slot.firstSentAt = sentAt;
			}
		}
		const entries = batch.map((slot) => ({
			id: String(slot.index),
			request: slot.request,
			clientRequestId: slot.clientRequestId,
		}));
		let envelope: GraphResponse<unknown>;
		try {
			envelope = await this.graph.request<unknown>({
				method: 'POST',
				version: batch[0].request.version,
				path: '/$batch',
				body: batchBody(entries),
				timeoutMs: this.options.timeoutMs,
				signal: this.options.signal,
			});
		} catch (error) {
			if (!(error instanceof GraphFailure)) {
				// No Graph answer at all (a credential that cannot sign in): this attempt never left.
				for (const slot of batch) slot.sent--;
				this.fatal ??= error;
				return;
			}
			const failed = { ok: false as const, failure: error };
			return this.onAnswers(batch, sentAtMs, new Map(entries.map((e) => [e.id, failed])));
		}
		this.onAnswers(batch, sentAtMs, readBatchAnswer(envelope, entries, this.graph.cloud));
	}

	private onAnswers(batch: Slot[], sentAtMs: number, answers: Map<string, EntryAnswer>): void {
		// Clean: Graph kept up with every request (no throttling, no 503, nothing lost).
		let clean = true;
		for (const slot of batch) {
			const answer = answers.get(String(slot.index)) as EntryAnswer;
			if (!answer.ok && isTransient(answer.failure.status)) clean = false;
			this.onAnswer(slot, answer);
		}
		if (clean) this.gate.succeeded(sentAtMs);
	}

	private onAnswer(slot: Slot, answer: EntryAnswer): void {
		if (answer.ok) return this.settle(slot, { ok: true, response: answer.response });
		const decision = decide(answer.failure, slot, this.rules);
		if (decision.next === 'fail') {
			return this.settle(slot, {
				ok: false,
				failure: decision.failure,
				sent: true,
				outcomeUnknown: false,
			});
		}
		spend(slot, decision);
		if (decision.next === 'retry' && decision.throttled) this.gate.throttled(decision.waitMs);
		slot.outcomeUnknown = decision.next === 'verify';
		this.requeue(slot, answer.failure, decision.waitMs, decision.next === 'verify');
	}

	private requeue(slot: Slot, failure: GraphFailure, waitMs: number, verifyFirst: boolean): void {
		slot.lastFailure = failure;
		slot.notBefore = Date.now() + waitMs;
		slot.verifyFirst = verifyFirst;
		this.queue.push(slot);
	}

	private async verifyBatch(batch: Slot[]): Promise<void> {
		const verify = this.options.verify as NonNullable<BatchOptions['verify']>;
		const pending = batch.map((slot) => ({
			index: slot.index,
			request: slot.request,
			firstSentAt: slot.firstSentAt as string,
		}));
		const verdicts = await verify(pending).catch((error: unknown) =>
			batch.map(
				(): Verdict => ({
					verdict: 'unknown',
					reason: `checking failed: ${(error as Error).message}`,
				}),
			),
		);
		batch.forEach((slot, k) => this.onVerdict(slot, verdicts[k]));
	}

	private onVerdict(slot: Slot, verdict: Verdict | undefined): void {
		const failure = slot.lastFailure as GraphFailure;
		if (verdict?.verdict === 'acted') {
			const response = confirmedResponse(failure, slot.clientRequestId, verdict.body);
			return this.settle(slot, { ok: true, response, confirmedBy: verdict.evidence });
		}
		if (verdict?.verdict !== 'notActed') {
			const reason = verdict?.reason ?? 'no answer from the check';
			return this.settle(slot, {
				ok: false,
				failure: unknownOutcome(failure, reason),
				sent: true,
				outcomeUnknown: true,
			});
		}
		// Graph has no record of it: what it refused stays refused, what may still arrive stays
		// unknown, what was answered without running goes again.
		slot.outcomeUnknown = false;
		const settled = afterNotActed(failure, slot, this.options.policy);
		if (settled) return this.settle(slot, { ok: false, sent: true, ...settled });
		this.requeue(slot, failure, 0, false);
	}

	private settle(slot: Slot, result: Settled): void {
		this.results[slot.index] = {
			...result,
			attempts: slot.sent,
			answeredAt: new Date().toISOString(),
		} as BatchResult;
		this.remaining--;
		if (!result.ok && this.options.stopOnFailure) this.stopped = true;
	}

	/** A request the run stopped before it finished: cancelled, ended early, or after another item failed. */
	private unfinished(slot: Slot): BatchResult {
		const reason = this.options.signal?.aborted
			? CANCELLED
			: this.fatal !== undefined
				? `The run ended before this request finished: ${(this.fatal as Error).message}`
				: 'Stopped after another item failed ("Continue On Fail" is off)';
		const last = slot.lastFailure;
		const base = { ok: false as const, attempts: slot.sent, answeredAt: new Date().toISOString() };
		if (slot.outcomeUnknown && last) {
			return {
				...base,
				failure: unknownOutcome(last, reason),
				sent: true,
				outcomeUnknown: true,
			};
		}
		// A request waiting to go again ends for the run's reason, not for the answer it waited
		// out: a 429 it was cancelled in is no throttling failure.
		const failure = last
			? endedBy(last, reason)
			: new GraphFailure(0, 'NotSent', reason, undefined, slot.clientRequestId);
		return { ...base, failure, sent: slot.sent > 0, outcomeUnknown: false };
	}
}
