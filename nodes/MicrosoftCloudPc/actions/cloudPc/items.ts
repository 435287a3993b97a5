import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
} from 'n8n-workflow';

import { sendBatched, type BatchResult, type BatchRunResult } from '../../transport/batch';
import { nextTurn } from '../../transport/clock';
import { toNodeApiError, type GraphFailure } from '../../transport/errors';
import type { GraphClient, GraphRequest, GraphResponse } from '../../transport/graph';
import { readThroughput } from '../throughput';
import { failureFields } from './output';
import type { ItemResult } from '../types';

/** How long one slice of work over all items may hold the event loop. */
const PLAN_SLICE_MS = 5;

/**
 * Validates items into plans, each once. Without "Continue On Fail" a bad item throws at once
 * (call `planAll` before sending anything); with it, the item keeps its error as a result and
 * the others go on.
 */
export class ItemPlanner<P> {
	readonly stopOnError: boolean;

	private readonly plans: Array<P | undefined>;

	private readonly failures: Array<ItemResult | undefined>;

	private readonly planned: boolean[];

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly count: number,
		private readonly planOne: (itemIndex: number) => P,
		/** what a failed item's output carries besides the error */
		private readonly failedJson: (error: Error) => IDataObject = () => ({}),
	) {
		this.stopOnError = !ctx.continueOnFail();
		this.plans = new Array(count);
		this.failures = new Array(count);
		this.planned = new Array(count).fill(false);
	}

	/** The item's plan, or undefined when it failed validation (see `failure`). */
	plan(itemIndex: number): P | undefined {
		if (!this.planned[itemIndex]) {
			this.planned[itemIndex] = true;
			try {
				this.plans[itemIndex] = this.planOne(itemIndex);
			} catch (error) {
				const failure =
					error instanceof NodeOperationError
						? error
						: new NodeOperationError(this.ctx.getNode(), error as Error, { itemIndex });
				if (this.stopOnError) throw failure;
				this.failures[itemIndex] = { error: failure, json: this.failedJson(failure) };
			}
		}
		return this.plans[itemIndex];
	}

	/** Whether the item has been validated (a cancelled run may stop before some are). */
	wasPlanned(itemIndex: number): boolean {
		return this.planned[itemIndex];
	}

	/**
	 * Validates every item now; without "Continue On Fail" this throws on the first bad one. It
	 * goes in slices of a few milliseconds (10,000 items take seconds), so the other workflows of
	 * this n8n keep running meanwhile, and it stops when the execution is cancelled.
	 */
	async planAll(): Promise<void> {
		const signal = this.ctx.getExecutionCancelSignal();
		await inSlices(
			this.count,
			(itemIndex) => this.plan(itemIndex),
			() => !!signal?.aborted,
		);
	}

	/** The item's validation error as its result, when it has one. */
	failure(itemIndex: number): ItemResult | undefined {
		return this.failures[itemIndex];
	}
}

/**
 * Runs `step` for each index in slices of a few milliseconds (10,000 items take seconds), so the
 * other workflows of this n8n keep running meanwhile; `stop` ends it between slices.
 */
export async function inSlices(
	count: number,
	step: (index: number) => void,
	stop: () => boolean = () => false,
): Promise<void> {
	let index = 0;
	while (index < count && !stop()) {
		const sliceEnd = performance.now() + PLAN_SLICE_MS;
		do step(index++);
		while (index < count && performance.now() < sliceEnd);
		await nextTurn();
	}
}

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

/** Cloud PCs named so far in a run: Cloud PC IDs compare case-insensitively, as Graph's do. */
export class SeenCloudPcs {
	private readonly firstItemFor = new Map<string, number>();

	/** The earlier item that named this Cloud PC; undefined (and noted) when this is the first. */
	firstItemOf(cloudPcId: string, itemIndex: number): number | undefined {
		const key = cloudPcId.toLowerCase();
		const first = this.firstItemFor.get(key);
		if (first === undefined) this.firstItemFor.set(key, itemIndex);
		return first;
	}
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
			? `Reprovision requested in this run for items ${itemRanges(requested)}.`
			: 'No reprovision was requested in this run.',
		unknown.length
			? `Outcome unknown (may have run; not sent again): items ${itemRanges(unknown)}.`
			: '',
		notSent.length ? `Not sent: items ${itemRanges(notSent)}.` : '',
	]
		.filter(Boolean)
		.join(' ');
}

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

/**
 * One Graph read per item through JSON batches (20 per batch, throttling and faults handled by
 * transport/batch.ts): Get and Get Reprovision Status. Reads are safe to repeat.
 */
export async function readEach<P>(
	ctx: IExecuteFunctions,
	graph: GraphClient,
	count: number,
	spec: {
		plan: (itemIndex: number) => P;
		request: (p: P) => GraphRequest;
		/** what a failed item's output carries besides the failure */
		known: (p: P) => IDataObject;
		output: (p: P, response: GraphResponse) => IDataObject;
	},
): Promise<ItemResult[]> {
	const planner = new ItemPlanner(ctx, count, spec.plan);
	if (planner.stopOnError) await planner.planAll();
	const answers = await readPlanned(ctx, graph, planner, count, spec.request, readThroughput(ctx));
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
export async function readPlanned<P>(
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
