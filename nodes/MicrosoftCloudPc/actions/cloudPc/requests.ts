import { sleep, type IExecuteFunctions } from 'n8n-workflow';

import { GraphFailure } from '../../transport/errors';
import type { GraphClient, GraphRequest, GraphResponse } from '../../transport/graph';
import { backoffMs, isRetryableStatus } from '../../transport/retry';
import { readThroughput } from '../throughput';

/**
 * Waits `ms` with n8n's `sleep`, or less when the execution is cancelled meanwhile, so a
 * long wait between status polls never holds up a cancelled execution.
 */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
	if (ms <= 0 || signal?.aborted) return;
	if (!signal) return await sleep(ms);
	await new Promise<void>((resolve) => {
		const done = () => {
			signal.removeEventListener('abort', done);
			resolve();
		};
		signal.addEventListener('abort', done, { once: true });
		void sleep(ms).then(done);
	});
}

/**
 * One request sent directly (not in a JSON batch), for what a batch cannot carry: following an
 * absolute `@odata.nextLink`, one bulk action. Throttling (429) waits its Retry-After and 503/504
 * back off, within the "Throughput and Retries" limits; Graph did not act on those, so even a
 * POST is safe to send again. A lost answer (timeout, dropped connection) is retried only when
 * `safeToRepeat` (reads): a POST might have taken effect.
 */
export async function requestDirect<T>(
	ctx: IExecuteFunctions,
	graph: GraphClient,
	request: GraphRequest,
	{ safeToRepeat }: { safeToRepeat: boolean },
): Promise<GraphResponse<T>> {
	const { policy, signal, timeoutMs } = readThroughput(ctx);
	let retries = 0;
	let waitedMs = 0;
	for (;;) {
		const sent = await settled(graph.request<T>({ timeoutMs, ...request }));
		if (sent.ok) return sent.value;
		const { error } = sent;
		if (!(error instanceof GraphFailure)) throw error;
		const again = isRetryableStatus(error.status) || (safeToRepeat && error.status === 0);
		if (!again || signal?.aborted) throw error;
		if (error.status !== 429) retries++;
		const waitMs = error.retryAfterMs ?? backoffMs(retries, policy);
		waitedMs += waitMs;
		if (retries > policy.maxRetries || waitedMs > policy.maxWaitMs) throw error;
		await pause(waitMs, signal);
	}
}

/**
 * A promise's outcome as a value. Callers look at a Graph failure and either make it the
 * item's result or throw it on, where it becomes n8n's NodeApiError (transport/errors.ts).
 */
export async function settled<T>(
	promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
	return await promise.then(
		(value) => ({ ok: true as const, value }),
		(error: unknown) => ({ ok: false as const, error }),
	);
}
