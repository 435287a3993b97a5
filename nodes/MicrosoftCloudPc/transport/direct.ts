import { sleep } from './clock';
import { GraphFailure } from './graphErrors';
import type { GraphClient, GraphRequest, GraphResponse } from './graph';
import { afterNotActed, decide, spend, type Attempts, type RetryPolicy } from './retry';
import { CANCELLED, confirmedResponse, endedBy, unknownOutcome, type Verdict } from './verdict';

export interface DirectOptions {
	policy: RetryPolicy;
	timeoutMs?: number;
	signal?: AbortSignal;
	/**
	 * For a destructive request: asked whether an attempt whose answer was lost took effect.
	 * Without it the request is taken to be safe to repeat (a read).
	 */
	verify?: (firstSentAt: string) => Promise<Verdict>;
	random?: () => number;
}

export type DirectResponse<T> = GraphResponse<T> & { confirmedBy?: string };

/**
 * One request sent on its own (not in a JSON batch), for what a batch cannot carry: following
 * an absolute `@odata.nextLink`, creating one bulk action. After each answer it does what
 * `decide` says, as the batch sender does; a GraphFailure is thrown when it ends without success
 * (code `OutcomeUnknown` when the request may have run).
 */
export async function sendDirect<T>(
	graph: GraphClient,
	request: GraphRequest,
	options: DirectOptions,
): Promise<DirectResponse<T>> {
	const { policy, signal, verify } = options;
	const rules = { policy, destructive: verify !== undefined, random: options.random };
	const attempts: Attempts = { retries: 0, waitedMs: 0, earlierUnknown: false };
	const firstSentAt = new Date().toISOString();
	for (;;) {
		const failure = await graphOutcome(
			graph.request<T>({ timeoutMs: options.timeoutMs, signal, ...request }),
		);
		if (!(failure instanceof GraphFailure)) return failure;
		const decision = decide(failure, attempts, rules);
		if (decision.next === 'fail') throw decision.failure;
		spend(attempts, decision);
		await sleep(decision.waitMs, signal);
		if (decision.next === 'retry') {
			if (signal?.aborted) throw endedBy(failure, CANCELLED);
			continue;
		}
		const verdict = await (verify as NonNullable<DirectOptions['verify']>)(firstSentAt);
		if (verdict.verdict === 'acted') {
			return {
				...confirmedResponse(failure, failure.clientRequestId, verdict.body),
				confirmedBy: verdict.evidence,
			} as DirectResponse<T>;
		}
		if (verdict.verdict === 'unknown') throw unknownOutcome(failure, verdict.reason);
		if (signal?.aborted) throw endedBy(failure, CANCELLED);
		const settled = afterNotActed(failure, attempts, policy);
		if (settled) throw settled.failure;
	}
}

/**
 * The response, or the GraphFailure it ended in, as a value to decide on; anything else (a
 * credential that cannot sign in) is no Graph answer and stays an error.
 */
export async function graphOutcome<T>(promise: Promise<T>): Promise<T | GraphFailure> {
	return await promise.then(
		(value) => value,
		async (error: unknown) =>
			error instanceof GraphFailure ? error : await Promise.reject(error as Error),
	);
}
