import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { sendBatched, type BatchResult, type BatchRunResult } from '../../transport/batch';
import { credentialTypeFor, type GraphClient, type GraphRequest } from '../../transport/graph';
import { toNodeApiError, type ActionHints } from '../../transport/graphErrors';
import { readThroughput } from '../throughput';
import { invalid } from '../validate';
import { fetchPlanned } from '../cloudPc/batchedReads';
import { inSlices, ItemPlanner, SeenCloudPcs } from '../cloudPc/itemPlanner';
import { firstFailure, nothingSent, sendReport, withReport } from '../cloudPc/runReport';
import { EarlierTries, replayed } from '../cloudPc/earlierTries';
import { listChoiceNames, namesWithoutReading } from '../cloudPc/listEntry';
import { fetchEarlier } from './earlier';
import { auditFields, ItemOutput, OutputShape, skipOf } from './itemOutput';
import {
	actionRequest,
	defaultEarlierCheck,
	planAction,
	preReadRequest,
	type ActionPlan,
} from './request';
import { actionVerifier } from './verify';
import { waitForActions, type Waiting, type WaitResult } from './wait';
import type { ItemResult } from '../../shared/types';
import type { RemoteActionDescriptor } from '../../remoteActions/descriptor';

/**
 * Runs one remote action (its descriptor) on each item's Cloud PC. Every item is validated
 * first, so bad input anywhere sends nothing at all unless "Continue On Fail" is on; a Cloud PC
 * named twice is sent once. Requests then go out in JSON batches (transport/batch.ts) where
 * throttling and transient faults are retried without ever repeating an action that took
 * effect.
 *
 * "Safety and Follow-Up" adds steps around that: a batched read of each Cloud PC first (the
 * state guard), a check for the same action started earlier, no sending at all (Dry Run), and
 * polling the progress of what was requested (Wait for Completion).
 */
export async function execute(
	this: IExecuteFunctions,
	d: RemoteActionDescriptor,
	items: INodeExecutionData[],
	graph: GraphClient,
): Promise<ItemResult[]> {
	const run = startRun(this, d, items.length, graph);
	// Without "Continue On Fail" one bad item must stop the run before anything is sent; with
	// it, items are read just before their batch goes out, overlapping with batches in flight.
	if (run.planner.stopOnError) await run.planner.planAll();
	const reads = await readFirst(run);
	const sends = (itemIndex: number) => toSend(run, reads, itemIndex);
	const sent = await sendActions(run, sends);
	const output = outputOf(run, items, graph, sent);
	const resultOf = (itemIndex: number, waited?: Map<number, WaitResult>) =>
		itemResult(run, output, reads, sent, itemIndex, waited);
	// Noted before anything can end the run, so that n8n's next try finds it.
	await remember(run, sent.results, (itemIndex) => resultOf(itemIndex).json);
	if (run.planner.stopOnError) stopOnFailure(run, sent, sends);
	const waited = await waitForCompletion(run, sent.results);
	const results = items.map((_, itemIndex) => resultOf(itemIndex, waited));
	// What a wait found is the outcome a next try says again.
	for (const [itemIndex] of waited)
		run.tries.record(run.planner.plan(itemIndex)!.cloudPcId, results[itemIndex].json);
	return results;
}

interface Run {
	ctx: IExecuteFunctions;
	action: RemoteActionDescriptor;
	graph: GraphClient;
	planner: ItemPlanner<ActionPlan>;
	throughput: ReturnType<typeof readThroughput>;
	count: number;
	shape: OutputShape;
	tries: EarlierTries;
	/** the action's words for Graph's refusals */
	hints: ActionHints;
	/** what an error before any send says was sent */
	nothingSent: string;
}

/** What one item's reads before sending found. */
interface Reads {
	read: Array<BatchResult | undefined>;
	earlier: Array<BatchResult | undefined>;
}

function startRun(
	ctx: IExecuteFunctions,
	d: RemoteActionDescriptor,
	count: number,
	graph: GraphClient,
): Run {
	const { parameters, typeVersion } = ctx.getNode();
	const defaultCheck = defaultEarlierCheck(d, typeVersion);
	const shape = new OutputShape(d, parameters.safety, ctx.getMode() === 'retry', defaultCheck);
	return {
		ctx,
		action: d,
		graph,
		planner: planItems(ctx, d, count, graph, shape),
		throughput: readThroughput(ctx),
		count,
		shape,
		tries: new EarlierTries(ctx, d.operation),
		hints: hintsOf(d),
		nothingSent: nothingSent(d.words.noun),
	};
}

export function hintsOf(d: RemoteActionDescriptor): ActionHints {
	return { byCode: d.hints, state: d.statusHint, segment: d.segment, reference: d.docs[0] };
}

/** A Cloud PC an earlier try of this node sent is neither read nor sent again. */
const fresh = (run: Run, p: ActionPlan) => run.tries.outcomeOf(p.cloudPcId) === undefined;

/**
 * Reads of each Cloud PC before anything is sent: its status (the state guard), and its remote
 * actions (the earlier check, so that a retried execution does not act again on what its first
 * attempt already did).
 */
async function readFirst(run: Run): Promise<Reads> {
	const { ctx, graph, planner, throughput, count, shape } = run;
	const guard = (p: ActionPlan) => (fresh(run, p) && p.onlyIfReady ? preReadRequest(p) : undefined);
	const read = shape.preReads
		? await fetchPlanned(ctx, graph, planner, count, guard, throughput, run.nothingSent)
		: [];
	const earlier = shape.checksEarlier
		? await fetchEarlier(run, (p) => fresh(run, p), run.nothingSent)
		: [];
	return { read, earlier };
}

const readsOf = (reads: Reads, itemIndex: number) => ({
	read: reads.read[itemIndex],
	earlier: reads.earlier[itemIndex],
});

/** The item's plan when its request goes out: fresh, not a dry run, reads clean, nothing skips it. */
function toSend(run: Run, reads: Reads, itemIndex: number): ActionPlan | undefined {
	const p = run.planner.plan(itemIndex);
	const itemReads = readsOf(reads, itemIndex);
	if (!p || !fresh(run, p) || p.dryRun) return undefined;
	if (Object.values(itemReads).some((r) => r && !r.ok)) return undefined;
	return skipOf(run.action, itemReads) === undefined ? p : undefined;
}

function outputOf(
	run: Run,
	items: INodeExecutionData[],
	graph: GraphClient,
	sent: BatchRunResult,
): ItemOutput {
	const { ctx, action, shape } = run;
	const names = namesWithoutReading(items, listChoiceNames(ctx.getNode().parameters.cloudPcId));
	const audit = auditFields(action, credentialTypeFor(graph.authentication));
	return new ItemOutput(ctx, action, audit, run.hints, shape, sent.fatal, names);
}

/** One item's output: not planned, refused, replayed from an earlier try, or what it did. */
function itemResult(
	run: Run,
	output: ItemOutput,
	reads: Reads,
	sent: BatchRunResult,
	itemIndex: number,
	waited?: Map<number, WaitResult>,
): ItemResult {
	const { planner, tries } = run;
	if (!planner.wasPlanned(itemIndex)) return output.unsent(itemIndex);
	const p = planner.plan(itemIndex);
	if (!p) return planner.failure(itemIndex) as ItemResult;
	const before = tries.outcomeOf(p.cloudPcId);
	if (before) return { json: replayed(before) };
	return output.of(p, readsOf(reads, itemIndex), sent.results[itemIndex], waited?.get(itemIndex));
}

/** Validates each item once; a Cloud PC named twice in one run fails the second item. */
function planItems(
	ctx: IExecuteFunctions,
	d: RemoteActionDescriptor,
	count: number,
	graph: GraphClient,
	shape: OutputShape,
): ItemPlanner<ActionPlan> {
	const seen = new SeenCloudPcs();
	return new ItemPlanner(
		ctx,
		count,
		(itemIndex) => {
			const p = planAction(ctx, itemIndex, graph, d);
			const first = seen.firstItemOf(p.cloudPcId, itemIndex);
			if (first !== undefined) {
				throw invalid(
					ctx,
					itemIndex,
					'Cloud PC',
					`${p.cloudPcId} is already ${d.words.pastParticiple} by item ${first} in this run; it is not sent twice`,
				);
			}
			return p;
		},
		(error) => shape.failed(error.message),
	);
}

/**
 * The actions, through transport/batch.ts; a lost answer is checked with Graph (verify.ts)
 * before anything is sent again, and never resent while unknown.
 */
async function sendActions(
	{ action, graph, planner, throughput, count }: Run,
	sends: (itemIndex: number) => ActionPlan | undefined,
): Promise<BatchRunResult> {
	const request = (itemIndex: number): GraphRequest | undefined => {
		const p = sends(itemIndex);
		return p ? actionRequest(p, action) : undefined;
	};
	const planOf = (itemIndex: number) => planner.plan(itemIndex)!;
	return await sendBatched(graph, count, request, {
		...throughput,
		verify: actionVerifier(action, graph, throughput, planOf),
		stopOnFailure: planner.stopOnError,
	});
}

/** Notes each item Graph acted on (or may have), with its output, for n8n's next try. */
async function remember(
	{ planner, count, tries }: Run,
	outcomes: Array<BatchResult | undefined>,
	jsonOf: (itemIndex: number) => IDataObject,
): Promise<void> {
	await inSlices(count, (itemIndex) => {
		const outcome = outcomes[itemIndex];
		if (outcome && (outcome.ok || outcome.outcomeUnknown)) {
			tries.record(planner.plan(itemIndex)!.cloudPcId, jsonOf(itemIndex));
		}
	});
}

/**
 * Without "Continue On Fail" the first failure, or an error that ends the run, is thrown with
 * what was requested so far, in this try and in earlier ones.
 */
function stopOnFailure(
	run: Run,
	sent: BatchRunResult,
	sends: (itemIndex: number) => ActionPlan | undefined,
): void {
	const { ctx, action, planner, count } = run;
	const sentBefore = (itemIndex: number) => {
		const p = planner.plan(itemIndex);
		return p !== undefined && !fresh(run, p);
	};
	const report = () =>
		sendReport(
			{ displayName: action.displayName, noun: action.words.noun },
			count,
			sent.results,
			(itemIndex) => sends(itemIndex) !== undefined,
			sentBefore,
		);
	if (sent.fatal !== undefined) throw withReport(ctx, sent.fatal, report());
	const sendFailed = firstFailure(sent.results);
	if (sendFailed) {
		const { failure, itemIndex } = sendFailed;
		throw toNodeApiError(ctx.getNode(), failure, itemIndex, report(), run.hints);
	}
}

/** Wait for Completion: polls what was requested until it ends or the time is up. */
async function waitForCompletion(
	{ action, graph, planner, throughput }: Run,
	outcomes: Array<BatchResult | undefined>,
): Promise<Map<number, WaitResult>> {
	const waiting = outcomes.flatMap((outcome, itemIndex): Waiting[] => {
		const p = planner.wasPlanned(itemIndex) ? planner.plan(itemIndex) : undefined;
		return p?.wait && outcome?.ok
			? [{ itemIndex, cloudPcId: p.cloudPcId, requestedAt: outcome.answeredAt, settings: p.wait }]
			: [];
	});
	return waiting.length ? await waitForActions(action, graph, waiting, throughput) : new Map();
}
