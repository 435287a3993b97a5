import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
} from 'n8n-workflow';

import type { BatchResult, BatchRunResult } from '../../transport/batch';
import { toNodeApiError, type GraphFailure } from '../../transport/graphErrors';
import { failureFields } from '../../shared/outputFields';
import type { ItemResult } from '../../shared/types';

/* What a run did, item by item, for the outputs and for the error that ends it early. */

/** A Graph failure as an item's result: n8n's API error, and the failure as data. */
export function graphFailureResult(
	ctx: IExecuteFunctions,
	failure: GraphFailure,
	itemIndex: number,
	json: IDataObject,
): ItemResult {
	return {
		error: toNodeApiError(ctx.getNode(), failure, itemIndex),
		json: { ...json, ...failureFields(failure) },
	};
}

const notReachedIn = new WeakMap<IExecuteFunctions, NodeOperationError>();

/**
 * The run was cancelled before this item was sent. One error serves every such item of a run:
 * building one per item takes seconds at 10,000 items, after the user asked it to stop.
 */
export function notReached(ctx: IExecuteFunctions): NodeOperationError {
	let error = notReachedIn.get(ctx);
	if (!error) {
		error = new NodeOperationError(ctx.getNode(), 'Not sent: the execution was cancelled');
		notReachedIn.set(ctx, error);
	}
	return error;
}

/** The first failed item of a batched run, for "Continue On Fail" off. */
export function firstFailure(
	outcomes: Array<BatchResult | undefined>,
): { itemIndex: number; failure: GraphFailure } | undefined {
	const itemIndex = outcomes.findIndex(
		(outcome) => outcome && !outcome.ok && !outcome.outcomeUnknown,
	);
	if (itemIndex === -1) return undefined;
	const outcome = outcomes[itemIndex] as Extract<BatchResult, { ok: false }>;
	return { itemIndex, failure: outcome.failure };
}

/** A run of reads: nothing it did needs reporting, so whatever ended it early is thrown on. */
export function resultsOrThrow({ results, fatal }: BatchRunResult): Array<BatchResult | undefined> {
	if (fatal !== undefined) throw fatal;
	return results;
}

/**
 * What a run of destructive requests did, for the error that ends it: which items Graph
 * accepted, which may have run, and which were never sent.
 */
export function sendReport(
	/** the action as sentences name it: 'Reprovision', 'reprovision' */
	action: { displayName: string; noun: string },
	count: number,
	outcomes: Array<BatchResult | undefined>,
	wasToSend: (itemIndex: number) => boolean,
	/** sent by an earlier try of the node in this execution (Retry On Fail) */
	sentBefore: (itemIndex: number) => boolean = () => false,
): string {
	const indexes = (keep: (outcome: BatchResult | undefined) => boolean) =>
		Array.from({ length: count }, (_, i) => i).filter((i) => wasToSend(i) && keep(outcomes[i]));
	const requested = indexes((o) => o?.ok === true);
	const unknown = indexes((o) => o?.ok === false && o.outcomeUnknown);
	const notSent = indexes((o) => !o || (!o.ok && !o.sent));
	const before = Array.from({ length: count }, (_, i) => i).filter(sentBefore);
	return [
		before.length
			? `Requested by an earlier try of this node (not sent again): items ${itemRanges(before)}.`
			: '',
		requested.length
			? `${action.displayName} requested in this run for items ${itemRanges(requested)}.`
			: nothingSent(action.noun),
		unknown.length
			? `Outcome unknown (may have run; not sent again): items ${itemRanges(unknown)}.`
			: '',
		notSent.length ? `Not sent: items ${itemRanges(notSent)}.` : '',
	]
		.filter(Boolean)
		.join(' ');
}

/** What the error of a run that stopped before sending says. */
export const nothingSent = (noun: string) => `No ${noun} was requested in this run.`;

/** The error that ended a run early, with the run's report added to its description. */
export function withReport(ctx: IExecuteFunctions, error: unknown, report: string): Error {
	const failure =
		error instanceof NodeApiError || error instanceof NodeOperationError
			? error
			: new NodeOperationError(ctx.getNode(), error as Error);
	failure.description = [failure.description, report].filter(Boolean).join(' ');
	return failure;
}

/** "0-3, 7, 9-12": item numbers for an error message that stays readable at 10,000 items. */
export function itemRanges(indexes: number[]): string {
	const ranges: string[] = [];
	for (let i = 0; i < indexes.length; i++) {
		const start = indexes[i];
		while (indexes[i + 1] === indexes[i] + 1) i++;
		ranges.push(start === indexes[i] ? `${start}` : `${start}-${indexes[i]}`);
	}
	return ranges.join(', ');
}
