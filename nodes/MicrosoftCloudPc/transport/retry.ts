import { sleep } from 'n8n-workflow';

/** How hard to try before an item fails; set from the node's "Throughput and Retries" options. */
export interface RetryPolicy {
	/** retries per request after a transient fault (429 does not count: throttled work did not run) */
	maxRetries: number;
	/** how long one request may spend waiting for throttling and backoff, in ms */
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

/** Statuses where Graph did not act on the request, so sending it again is safe. */
export function isRetryableStatus(status: number): boolean {
	return status === 429 || status === 503 || status === 504;
}

/** `Retry-After` in ms: Graph sends seconds; HTTP also allows a date. */
export function retryAfterMs(headers: Record<string, unknown> | undefined, now = Date.now()) {
	const value = headers?.['retry-after'] ?? headers?.['Retry-After'];
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(String(value));
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with full jitter, so many clients do not retry in lockstep. */
export function backoffMs(retry: number, policy: RetryPolicy, random = Math.random): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
	return Math.round(random() * ceiling);
}

/**
 * Shared by every request of one execution: after a 429 nobody sends until Retry-After has
 * passed, and the number of batches in flight halves, growing back one by one on success.
 * This lets a long run settle at the rate Graph allows without a configured limit.
 */
export class ThrottleGate {
	private openAt = 0;

	inFlightLimit: number;

	constructor(private readonly maxInFlight: number) {
		this.inFlightLimit = maxInFlight;
	}

	throttled(waitMs: number, now = Date.now()) {
		// Many 429s from one moment are one signal: halve once per closing, not per request.
		if (now >= this.openAt) this.inFlightLimit = Math.max(1, Math.floor(this.inFlightLimit / 2));
		this.openAt = Math.max(this.openAt, now + waitMs);
	}

	succeeded() {
		this.inFlightLimit = Math.min(this.maxInFlight, this.inFlightLimit + 1);
	}

	/** ms until sending is allowed again */
	closedFor(now = Date.now()): number {
		return Math.max(0, this.openAt - now);
	}

	async waitUntilOpen(): Promise<void> {
		const wait = this.closedFor();
		if (wait > 0) await sleep(wait);
	}
}
