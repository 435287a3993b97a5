import { sleep as timer } from 'n8n-workflow';

/** The longest delay a Node.js timer holds; a longer one fires after 1 ms instead. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A delay a timer can hold: from 0 to MAX_TIMER_MS (NaN counts as 0). */
export function clampDelay(ms: number): number {
	return Number.isNaN(ms) ? 0 : Math.min(MAX_TIMER_MS, Math.max(0, ms));
}

/** Longest single timer of a wait: a cancelled wait leaves no timer behind for longer. */
const STEP_MS = 1_000;

/**
 * The one way this node waits: never longer than a timer can hold, and over as soon as the
 * execution is cancelled, so no wait outlives the run that asked for it. n8n's timer cannot be
 * cleared, so a long wait goes in steps of a second.
 */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	const end = Date.now() + clampDelay(ms);
	let onAbort = () => {};
	const aborted = new Promise<void>((resolve) => (onAbort = resolve));
	signal?.addEventListener('abort', onAbort, { once: true });
	for (let left = end - Date.now(); left > 0 && !signal?.aborted; left = end - Date.now()) {
		await Promise.race([timer(Math.min(left, STEP_MS)), aborted]);
	}
	signal?.removeEventListener('abort', onAbort);
}

/** Resolves after the event loop has run timers and I/O once: a yield, never a wait. */
export async function nextTurn(): Promise<void> {
	await timer(0);
}

/** `Retry-After` in ms: Graph sends seconds; HTTP also allows a date. Never above a timer's limit. */
export function retryAfterMs(headers: Record<string, unknown> | undefined, now = Date.now()) {
	const value = headers?.['retry-after'] ?? headers?.['Retry-After'];
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return clampDelay(seconds * 1000);
	const date = Date.parse(String(value));
	return Number.isNaN(date) ? undefined : clampDelay(date - now);
}
