import type { IDataObject } from 'n8n-workflow';

import type { GraphRequest } from '../transport/graph';
import type { Outcome } from './outputFields';
import { cloudPcPath } from '../model';

/** How far before our request an action may have started and still be ours (clock skew). */
const CLOCK_SKEW_MS = 5 * 60_000;

/** beta only, admin route only: Graph has no such function on v1.0 or below /me and /users. */
export function remoteActionResultsRequest(cloudPcId: string): GraphRequest {
	return {
		method: 'GET',
		version: 'beta',
		path: `${cloudPcPath('organization', undefined, cloudPcId)}/retrieveCloudPcRemoteActionResults`,
	};
}

/**
 * The latest action named `actionName` (Graph's `actionName`, any case; by startDateTime) in a
 * `retrieveCloudPcRemoteActionResults` answer; with `requestedAt`, only one that started around
 * or after that request, so an old, finished action is never taken for the one just requested.
 */
export function latestAction(
	body: IDataObject,
	actionName: string,
	requestedAt?: string,
): IDataObject | undefined {
	const value = Array.isArray(body.value) ? (body.value as IDataObject[]) : [];
	const wanted = actionName.toLowerCase();
	const notBefore = requestedAt === undefined ? -Infinity : Date.parse(requestedAt) - CLOCK_SKEW_MS;
	let latest: IDataObject | undefined;
	let latestStart = -Infinity;
	for (const action of value) {
		if (String(action?.actionName ?? '').toLowerCase() !== wanted) continue;
		const started = Date.parse(String(action.startDateTime ?? ''));
		const start = Number.isNaN(started) ? -Infinity : started;
		if (requestedAt !== undefined && start < notBefore) continue;
		if (latest === undefined || start >= latestStart) {
			latest = action;
			latestStart = start;
		}
	}
	return latest;
}

/**
 * Action states after which nothing more will happen, and what they mean for the item. A Map:
 * Graph's value is the key, and a plain object would answer "constructor" from its prototype.
 */
const FINAL_STATES = new Map<string, Outcome>([
	['done', 'done'],
	['failed', 'failed'],
	['canceled', 'failed'],
	['notsupported', 'failed'],
]);

/** done → done; failed, canceled, notSupported → failed; anything else (or newer) is still running. */
export function outcomeOfAction(actionState: unknown): { outcome: Outcome; final: boolean } {
	const final = FINAL_STATES.get(String(actionState ?? '').toLowerCase());
	return final ? { outcome: final, final: true } : { outcome: 'requested', final: false };
}

/** How far back a reprovision counts as "earlier": longer than one takes (one to two hours). */
export const EARLIER_WINDOW_MS = 4 * 60 * 60_000;

/**
 * An action named `actionName` started in the last `windowMs` that is running or done, in a
 * `retrieveCloudPcRemoteActionResults` answer: sending another would act twice. One that failed
 * or was canceled does not count: sending again is what the user wants.
 */
export function earlierAction(
	body: IDataObject,
	actionName: string,
	windowMs: number,
	now = Date.now(),
): IDataObject | undefined {
	const action = latestAction(body, actionName, new Date(now - windowMs).toISOString());
	return action && outcomeOfAction(action.actionState).outcome !== 'failed' ? action : undefined;
}

/** Why a finished action did not end in done; null when it did or is still running. */
export function reasonOfAction(action: IDataObject, noun: string): string | null {
	const { outcome, final } = outcomeOfAction(action.actionState);
	if (!final || outcome === 'done') return null;
	const detail = (action.statusDetail ?? action.statusDetails) as IDataObject | null | undefined;
	const message = typeof detail?.message === 'string' ? `: ${detail.message}` : '';
	return `The ${noun} action ended as ${String(action.actionState)}${message}`;
}
