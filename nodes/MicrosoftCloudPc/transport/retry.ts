import { clampDelay } from './clock';
import type { GraphFailure } from './graphErrors';
import { unknownOutcome } from './verdict';

/** How hard to try before an item fails; set from the node's "Throughput and Retries" options. */
export interface RetryPolicy {
	/** retries per request after a transient fault (429 does not count: throttled work did not run) */
	maxRetries: number;
	/** how long one request may spend waiting for throttling, backoff and checks, in ms */
	maxWaitMs: number;
	/** first backoff step; doubles per retry, with full jitter */
	baseDelayMs: number;
	maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxRetries: 5,
	maxWaitMs: 15 * 60_000,
	baseDelayMs: 1_000,
	maxDelayMs: 60_000,
};

/**
 * A throttled request waits at least this long, even when Graph says `Retry-After: 0` or
 * nothing, plus up to THROTTLE_JITTER_MS so that many clients do not come back in lockstep.
 */
export const MIN_THROTTLE_WAIT_MS = 1_000;
const THROTTLE_JITTER_MS = 250;

/**
 * The one answer that proves a request did not run, so even a reprovision may go again: 429.
 * Graph's throttling page: over a limit Graph "returns HTTP status code 429 Too Many Requests
 * and the requests fail" (learn.microsoft.com/graph/throttling). A 503 proves nothing of the
 * kind: Graph's error list says only that the service is "temporarily unavailable for
 * maintenance or is overloaded" and may be repeated after a delay (learn.microsoft.com/graph/errors),
 * and a gateway's or a $batch's 503 may come after the work ran.
 */
const DID_NOT_RUN = 429;

/** Network errors raised before anything is sent: the request never left n8n. */
const NEVER_LEFT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Status-0 failures for which an answer did come, only not a usable one (transport/errors.ts,
 * transport/batchEnvelope.ts): the server was done with the request. Any other status 0 is no
 * answer at all.
 */
const ANSWERED = new Set([
	'InvalidResponse',
	'UnreadableAnswer',
	'MalformedBatchAnswer',
	'MissingBatchResponse',
	'DuplicateBatchResponse',
]);

const neverLeft = (failure: GraphFailure) => failure.status === 0 && NEVER_LEFT.has(failure.code);

/**
 * Whether Graph may have acted although the answer says nothing of it: no answer (timeout,
 * reset), an answer that could not be read, or any 5xx, 503 included. A connection refused
 * before sending is not: nothing left.
 */
export function outcomeIsUnknown(failure: GraphFailure): boolean {
	return !neverLeft(failure) && (failure.status === 0 || failure.status >= 500);
}

/**
 * Whether the request may still reach Graph after the client stopped waiting: no answer came,
 * or a gateway gave up waiting on the server behind it (504, "didn't receive a timely response
 * from the upstream server", learn.microsoft.com/graph/errors). A check that finds nothing then
 * proves nothing. A 500, 502 or 503 is the server's last word: the request is finished there.
 */
export function mayStillLand(failure: GraphFailure): boolean {
	const noAnswer = failure.status === 0 && !neverLeft(failure) && !ANSWERED.has(failure.code);
	return noAnswer || failure.status === 504;
}

/**
 * A failure Graph may answer otherwise next time. Reads go again after any of these; for a
 * destructive request only 429 (and a connection refused) go again without a check.
 */
export function isTransient(status: number): boolean {
	return status === DID_NOT_RUN || status === 0 || status >= 500;
}

/** Exponential backoff with full jitter, so many clients do not retry in lockstep. */
export function backoffMs(retry: number, policy: RetryPolicy, random = Math.random): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(retry, 30));
	return Math.round(random() * ceiling);
}

/** How long a throttled request waits: Graph's Retry-After, never less than a floor, plus jitter. */
export function throttleWaitMs(failure: GraphFailure, random = Math.random): number {
	const asked = Math.max(failure.retryAfterMs ?? 0, MIN_THROTTLE_WAIT_MS);
	return clampDelay(asked + Math.round(random() * THROTTLE_JITTER_MS));
}

/** What one request has been through so far. */
export interface Attempts {
	/** retries spent on faults (throttling does not count) */
	retries: number;
	/** time spent waiting before attempts and checks */
	waitedMs: number;
	/**
	 * an earlier attempt's answer was lost: even after a check found nothing, that attempt may
	 * still show up in Graph's records, so a later refusal or a spent budget is checked again
	 */
	earlierUnknown: boolean;
}

export interface DecisionRules {
	policy: RetryPolicy;
	/**
	 * Sending it twice could do harm (a reprovision wipes the Cloud PC again): an unknown
	 * outcome is checked with Graph before anything is sent again.
	 */
	destructive: boolean;
	random?: () => number;
}

export type Decision =
	/** send again after `waitMs` */
	| { next: 'retry'; waitMs: number; throttled: boolean }
	/** ask Graph whether an earlier attempt took effect, after `waitMs`, before any resend */
	| { next: 'verify'; waitMs: number }
	/** Graph did not act, and will not: `failure` says why */
	| { next: 'fail'; failure: GraphFailure };

/**
 * The one decision after each failed answer, for batched and direct requests alike; status 0
 * stands for no answer. The caller books it with `spend` before it waits.
 */
export function decide(failure: GraphFailure, attempts: Attempts, rules: DecisionRules): Decision {
	const { policy, destructive, random = Math.random } = rules;
	const left = policy.maxWaitMs - attempts.waitedMs;
	if (destructive && outcomeIsUnknown(failure)) {
		// Give Graph a moment to record what it did (at least its Retry-After), within the
		// budget; then ask it.
		const waitMs = failure.retryAfterMs ?? backoffMs(attempts.retries, policy, random);
		return { next: 'verify', waitMs: Math.max(0, Math.min(left, waitMs)) };
	}
	if (isTransient(failure.status)) {
		const throttled = failure.status === DID_NOT_RUN;
		const waitMs = throttled
			? throttleWaitMs(failure, random)
			: (failure.retryAfterMs ?? backoffMs(attempts.retries, policy, random));
		const retries = attempts.retries + (throttled ? 0 : 1);
		if (retries <= policy.maxRetries && waitMs <= left) return { next: 'retry', waitMs, throttled };
		if (attempts.earlierUnknown && destructive) return { next: 'verify', waitMs: 0 };
		return { next: 'fail', failure: givenUp(failure, attempts, policy, waitMs > left) };
	}
	// A refusal after an unchecked attempt may be that attempt's effect ("already provisioning"):
	// Graph's words are no evidence, its record of actions is.
	if (attempts.earlierUnknown && destructive) return { next: 'verify', waitMs: 0 };
	return { next: 'fail', failure };
}

/** Books a decision against the request's budgets: a throttled wait costs time, not a retry. */
export function spend(attempts: Attempts, decision: Decision): void {
	if (decision.next === 'fail') return;
	attempts.waitedMs += decision.waitMs;
	if (decision.next === 'verify' || !decision.throttled) attempts.retries++;
	if (decision.next === 'verify') attempts.earlierUnknown = true;
}

/**
 * Why a request that may still land is not sent again, although the check found nothing: in
 * an admin's words, with what to check.
 */
export const MAY_STILL_LAND =
	'Graph had no record of it when checked, but a request that got no answer (or that a gateway gave up on) may still reach Graph later. Check the Cloud PC in Intune, or run Get Reprovision Status later, before running it again';

/**
 * After a check found no record of earlier attempts: how the request ends, or undefined when it
 * may be sent again. A refusal (a 4xx after a resend) stands as Graph's answer; a request that
 * may still land stays unknown; an answered failure goes again unless a budget is spent.
 */
export function afterNotActed(
	failure: GraphFailure,
	attempts: Pick<Attempts, 'retries' | 'waitedMs'>,
	policy: RetryPolicy,
): { failure: GraphFailure; outcomeUnknown: boolean } | undefined {
	if (mayStillLand(failure))
		return { failure: unknownOutcome(failure, MAY_STILL_LAND), outcomeUnknown: true };
	if (!isTransient(failure.status)) return { failure, outcomeUnknown: false };
	const outOfTime = attempts.waitedMs >= policy.maxWaitMs;
	if (attempts.retries > policy.maxRetries || outOfTime)
		return { failure: givenUp(failure, attempts, policy, outOfTime), outcomeUnknown: false };
	return undefined;
}

/** The failure, saying which limit ended the tries. */
function givenUp(
	failure: GraphFailure,
	attempts: Pick<Attempts, 'retries' | 'waitedMs'>,
	policy: RetryPolicy,
	outOfTime: boolean,
): GraphFailure {
	const how = outOfTime
		? `gave up: the next wait would pass the ${Math.round(policy.maxWaitMs / 1000)} s Max Wait per Item, ${Math.round(attempts.waitedMs / 1000)} s of it spent`
		: `gave up after ${policy.maxRetries} retries`;
	return failure.rephrased(failure.code, `${failure.graphMessage} (${how})`);
}

/**
 * Batches in flight when a run starts: 20 × 20 = 400 requests, so 1,000 reprovisions take two
 * round trips when Graph keeps up (at 8 it was three: at 500 ms per answer that round trip was a
 * third of the run). No write budget is published for this API; a tenant that is already busy
 * answers the first burst with 429s, which did not run, and the gate halves at once.
 */
export const START_IN_FLIGHT = 20;

/**
 * Shared by every request of one execution; decides how many batches may be in flight. It starts
 * at START_IN_FLIGHT (or the ceiling, when lower) and adds one per batch Graph answers without
 * throttling (no 429 or 503), so it doubles per round trip while Graph keeps up, up to the
 * ceiling (the node's "Batches in Flight"). After a 429 nobody sends until Retry-After has
 * passed, and the number halves, never below one. Graph's latency then no longer sets the pace:
 * a long run settles at the rate Graph allows without a configured limit.
 */
export class ThrottleGate {
	private openAt = 0;

	/** when the last throttling came: batches sent before it say nothing about the rate now */
	private throttledAt = -Infinity;

	inFlightLimit: number;

	readonly ceiling: number;

	constructor(ceiling: number, start = START_IN_FLIGHT) {
		// At least one batch in flight, whatever the caller passed: zero would never send.
		this.ceiling = Number.isInteger(ceiling) && ceiling >= 1 ? ceiling : 1;
		this.inFlightLimit = Math.max(1, Math.min(this.ceiling, start));
	}

	throttled(waitMs: number, now = Date.now()) {
		// Many 429s from one moment are one signal: halve once per closing, not per request.
		if (now >= this.openAt) this.inFlightLimit = Math.max(1, Math.floor(this.inFlightLimit / 2));
		this.openAt = Math.max(this.openAt, now + clampDelay(waitMs));
		this.throttledAt = now;
	}

	/**
	 * A batch sent at `sentAt` was answered clean: nothing in it was throttled, refused as too
	 * busy or lost. Its siblings of a round that was throttled do not grow the limit back.
	 */
	succeeded(sentAt: number) {
		if (sentAt < this.throttledAt) return;
		this.inFlightLimit = Math.min(this.ceiling, this.inFlightLimit + 1);
	}

	/** ms until sending is allowed again */
	closedFor(now = Date.now()): number {
		return Math.max(0, this.openAt - now);
	}
}
