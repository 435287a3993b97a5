import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { sendBatched, type BatchResult } from '../../transport/batch';
import { toNodeApiError } from '../../transport/graphErrors';
import type { GraphClient, GraphRequest, GraphResponse } from '../../transport/graph';
import { readThroughput } from '../throughput';
import type { ItemResult } from '../../shared/types';
import { withLaterPages } from '../../shared/everyPage';
import type { PageLimit } from '../../shared/paging';
import { ItemPlanner } from './itemPlanner';
import { firstFailure, graphFailureResult, notReached, resultsOrThrow } from './runReport';

/* Graph reads for many items at once, through JSON batches (reads are safe to repeat). */

/**
 * One Graph read per item through JSON batches (20 per batch, throttling and faults handled by
 * transport/batch.ts): Get, Get Reprovision Status and the per-Cloud-PC lists (every page with
 * `everyPage`). Reads are safe to repeat.
 */
export async function fetchEach<P>(
	ctx: IExecuteFunctions,
	graph: GraphClient,
	count: number,
	spec: {
		plan: (itemIndex: number) => P;
		request: (p: P) => GraphRequest;
		/** what a failed item's output carries besides the failure */
		known: (p: P) => IDataObject;
		output: (p: P, response: GraphResponse) => IDataObject;
		/**
		 * For a list: every page is read (`@odata.nextLink`, at most `maxPages`) and `output`
		 * gets them all in one `value`; a page that fails fails the item.
		 */
		everyPage?: PageLimit;
	},
): Promise<ItemResult[]> {
	const planner = new ItemPlanner(ctx, count, spec.plan);
	if (planner.stopOnError) await planner.planAll();
	const throughput = readThroughput(ctx);
	const answers = await fetchPlanned(ctx, graph, planner, count, spec.request, throughput);
	if (spec.everyPage) {
		for (const [itemIndex, answer] of answers.entries()) {
			if (!answer?.ok) continue;
			const first = spec.request(planner.plan(itemIndex) as P);
			answers[itemIndex] = await withLaterPages(graph, throughput, first, answer, spec.everyPage);
			// without Continue On Fail the run ends at this item: no more pages are read
			if (planner.stopOnError && !answers[itemIndex]?.ok) break;
		}
		const failed = planner.stopOnError ? firstFailure(answers) : undefined;
		if (failed) throw toNodeApiError(ctx.getNode(), failed.failure, failed.itemIndex);
	}
	return Array.from({ length: count }, (_, itemIndex): ItemResult => {
		if (!planner.wasPlanned(itemIndex)) return { error: notReached(ctx), json: {} };
		const p = planner.plan(itemIndex);
		if (p === undefined) return planner.failure(itemIndex) as ItemResult;
		const answer = answers[itemIndex];
		if (!answer) return { error: notReached(ctx), json: spec.known(p) };
		return answer.ok
			? { json: spec.output(p, answer.response) }
			: graphFailureResult(ctx, answer.failure, itemIndex, spec.known(p));
	});
}

/**
 * Batched reads for the planned items that `request` names (reads are safe to repeat). Without
 * "Continue On Fail" the first failed read is thrown, `report` added to its description.
 */
export async function fetchPlanned<P>(
	ctx: IExecuteFunctions,
	graph: GraphClient,
	planner: ItemPlanner<P>,
	count: number,
	request: (p: P) => GraphRequest | undefined,
	throughput: ReturnType<typeof readThroughput>,
	report?: string,
): Promise<Array<BatchResult | undefined>> {
	const answers = resultsOrThrow(
		await sendBatched(
			graph,
			count,
			(itemIndex) => {
				const p = planner.plan(itemIndex);
				return p === undefined ? undefined : request(p);
			},
			{ ...throughput, stopOnFailure: planner.stopOnError },
		),
	);
	const failed = planner.stopOnError ? firstFailure(answers) : undefined;
	if (failed) throw toNodeApiError(ctx.getNode(), failed.failure, failed.itemIndex, report);
	return answers;
}
