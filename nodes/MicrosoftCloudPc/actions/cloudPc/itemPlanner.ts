import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { nextTurn } from '../../transport/clock';
import type { ItemResult } from '../../shared/types';

/* Turning input items into plans: each validated once, in slices that leave the event loop free. */

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
