import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	updateDisplayOptions,
} from 'n8n-workflow';

import { sendBatched, type BatchResult, type BatchRunResult } from '../../transport/batch';
import type { GraphClient, GraphRequest } from '../../transport/graph';
import { toNodeApiError } from '../../transport/graphErrors';
import {
	cloudPcLocator,
	numberTypeOptions,
	scopeProperty,
	userProperty,
} from '../../shared/descriptions';
import { readThroughput } from '../throughput';
import { invalid } from '../validate';
import { fetchPlanned } from './batchedReads';
import { inSlices, ItemPlanner, SeenCloudPcs } from './itemPlanner';
import { firstFailure, sendReport, withReport } from './runReport';
import { EarlierTries, replayed } from './earlierTries';
import { listChoiceNames, namesWithoutReading } from './listEntry';
import { earlierCheckOption, fetchEarlier } from './reprovision/earlier';
import { ItemOutput, OutputShape, skipOf } from './reprovision/output';
import {
	defaultEarlierCheck,
	DEFAULT_POLL_SECONDS,
	DEFAULT_WAIT_MINUTES,
	planReprovision,
	POLL_INTERVAL_SECONDS,
	preReadRequest,
	reprovisionRequest,
	SAFETY,
	type ReprovisionPlan,
	WAIT_TIMEOUT_MINUTES,
} from './reprovision/request';
import { reprovisionVerifier } from './reprovision/verify';
import { waitForReprovisions, type Waiting, type WaitResult } from './reprovision/wait';
import type { ItemResult } from '../../shared/types';

const displayOptions = { show: { resource: ['cloudPc'], operation: ['reprovision'] } };

/** Check for an Earlier Reprovision as each node version offers it. */
const earlierCheckOptions = [1, 2].map((nodeVersion) =>
	earlierCheckOption(nodeVersion, {
		cost: 'one read per Cloud PC; with more than 20 Cloud PCs, one read per 999 Cloud PCs of the tenant instead',
		description:
			'Whether to skip a Cloud PC, outcome "skipped" with the reason, when a reprovision of it started in the last 4 hours is running or done. Needs an administrator\'s sign-in or app-only to see a reprovision that already finished; a user without an admin role is checked by status only (one still being rebuilt is skipped, one already rebuilt is not).',
	}),
);

const properties: INodeProperties[] = [
	{
		displayName:
			'Reprovisioning wipes the Cloud PC: the user loses everything stored on it. Only Cloud PCs whose status is "provisioned" or "failed" can be reprovisioned.',
		name: 'destructiveNotice',
		type: 'notice',
		default: '',
	},
	scopeProperty,
	userProperty,
	cloudPcLocator,
	{
		displayName: 'Reprovision Options',
		name: 'reprovisionOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { scope: ['organization'] } },
		options: [
			{
				displayName: 'OS Version',
				name: 'osVersion',
				type: 'options',
				options: [
					{ name: 'Windows 10', value: 'windows10' },
					{ name: 'Windows 11', value: 'windows11' },
				],
				default: 'windows11',
				description:
					"Operating system to provision; left out, Windows 365 keeps the policy's image",
			},
			{
				displayName: 'User Account Type',
				name: 'userAccountType',
				type: 'options',
				options: [
					{ name: 'Standard User', value: 'standardUser' },
					{ name: 'Administrator', value: 'administrator' },
				],
				default: 'standardUser',
				description: 'Whether the user is a local administrator on the new Cloud PC',
			},
		],
	},
	{
		displayName: SAFETY,
		name: 'safety',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description:
			'Check before, rehearse, or follow the reprovision to its end; outputs then carry a "reason"',
		options: [
			...earlierCheckOptions,
			{
				displayName: 'Dry Run',
				name: 'dryRun',
				type: 'boolean',
				default: false,
				description:
					'Whether to send nothing: each item is checked and output with the request it would send (outcome "dryRun"), to try a workflow on a real tenant without wiping anything',
			},
			{
				displayName: 'Only If Reprovisionable',
				name: 'onlyIfReprovisionable',
				type: 'boolean',
				default: false,
				description:
					'Whether to skip a Cloud PC that is busy (any status but "provisioned" or "failed") with outcome "skipped" and the reason, instead of failing it. Costs one read per Cloud PC first.',
			},
			{
				displayName: 'Poll Interval (Seconds)',
				name: 'pollIntervalSeconds',
				displayOptions: { show: { waitForCompletion: [true] } },
				type: 'number',
				typeOptions: numberTypeOptions(POLL_INTERVAL_SECONDS),
				default: DEFAULT_POLL_SECONDS,
				description:
					'How often to check progress while waiting. Every check counts against what Microsoft Graph allows this app, so keep it at 10 or more on a real tenant (60 is polite).',
			},
			{
				displayName: 'Wait for Completion',
				name: 'waitForCompletion',
				type: 'boolean',
				default: false,
				description: `Whether to wait until each reprovision is done or failed and output how it ended (outcome "done" or "failed"; "requested" if the wait times out). It checks every ${DEFAULT_POLL_SECONDS} s for up to ${DEFAULT_WAIT_MINUTES} minutes unless Poll Interval or Wait Timeout say otherwise; Organization (Admin) scope only. The execution stays busy meanwhile and is lost if n8n restarts: for the usual one to two hours, use a Wait node and Get Reprovision Status instead (example "Reprovision, wait, notify").`,
			},
			{
				displayName: 'Wait Timeout (Minutes)',
				name: 'waitTimeoutMinutes',
				displayOptions: { show: { waitForCompletion: [true] } },
				type: 'number',
				typeOptions: numberTypeOptions(WAIT_TIMEOUT_MINUTES),
				default: DEFAULT_WAIT_MINUTES,
				description:
					'How long to wait at most; Cloud PCs still being rebuilt then are output with outcome "requested" and the reason',
			},
		],
	},
];

export const description = updateDisplayOptions(displayOptions, properties);

/**
 * Reprovisions each item's Cloud PC. Every item is validated first, so bad input anywhere
 * sends nothing at all unless "Continue On Fail" is on; a Cloud PC named twice is sent once.
 * Requests then go out in JSON batches (transport/batch.ts) where throttling and transient
 * faults are retried without ever repeating a reprovision that took effect.
 *
 * "Safety and Follow-Up" adds up to three steps around that: a batched read of each Cloud PC
 * first (Only If Reprovisionable), no sending at all (Dry Run), and polling the progress of
 * what was requested (Wait for Completion).
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	graph: GraphClient,
): Promise<ItemResult[]> {
	const { parameters } = this.getNode();
	const defaultCheck = defaultEarlierCheck(this.getNode().typeVersion);
	const shape = new OutputShape(parameters.safety, this.getMode() === 'retry', defaultCheck);
	const planner = planItems(this, items.length, graph, shape);
	// Without "Continue On Fail" one bad item must stop the run before anything is sent; with
	// it, items are read just before their batch goes out, overlapping with batches in flight.
	if (planner.stopOnError) await planner.planAll();
	const throughput = readThroughput(this);
	const tries = new EarlierTries(this, 'reprovision');
	const run: Run = { ctx: this, graph, planner, throughput, count: items.length };
	// A Cloud PC an earlier try of this node sent is neither read nor sent again.
	const fresh = (p: ReprovisionPlan) => tries.outcomeOf(p.cloudPcId) === undefined;

	const reads = shape.preReads
		? await fetchFirst(run, (p) =>
				fresh(p) && p.onlyIfReprovisionable ? preReadRequest(p) : undefined,
			)
		: [];
	const earlier = shape.checksEarlier ? await fetchEarlier(run, fresh, NOTHING_SENT) : [];
	const sends = (itemIndex: number): ReprovisionPlan | undefined => {
		const p = planner.plan(itemIndex);
		const itemReads = { read: reads[itemIndex], earlier: earlier[itemIndex] };
		if (!p || !fresh(p) || p.dryRun) return undefined;
		if (Object.values(itemReads).some((r) => r && !r.ok)) return undefined;
		return skipOf(p, itemReads) === undefined ? p : undefined;
	};
	const sent = await sendReprovisions(run, sends);
	const names = namesWithoutReading(items, listChoiceNames(parameters.cloudPcId));
	const output = new ItemOutput(this, shape, sent.fatal, names);
	const resultOf = (itemIndex: number, waited?: Map<number, WaitResult>): ItemResult => {
		if (!planner.wasPlanned(itemIndex)) return output.unsent(itemIndex);
		const p = planner.plan(itemIndex);
		if (!p) return planner.failure(itemIndex) as ItemResult;
		const before = tries.outcomeOf(p.cloudPcId);
		if (before) return { json: replayed(before) };
		const itemReads = { read: reads[itemIndex], earlier: earlier[itemIndex] };
		return output.of(p, itemReads, sent.results[itemIndex], waited?.get(itemIndex));
	};
	// Noted before anything can end the run, so that n8n's next try finds it.
	await remember(run, tries, sent.results, (itemIndex) => resultOf(itemIndex).json);
	if (planner.stopOnError) stopOnFailure(run, sent, sends, fresh);
	const waited = await waitForCompletion(run, sent.results);
	const results = items.map((_, itemIndex) => resultOf(itemIndex, waited));
	// What a wait found is the outcome a next try says again.
	for (const [itemIndex] of waited)
		tries.record(planner.plan(itemIndex)!.cloudPcId, results[itemIndex].json);
	return results;
}

const NOTHING_SENT = 'No reprovision was requested in this run.';

interface Run {
	ctx: IExecuteFunctions;
	graph: GraphClient;
	planner: ItemPlanner<ReprovisionPlan>;
	throughput: ReturnType<typeof readThroughput>;
	count: number;
}

/** Validates each item once; a Cloud PC named twice in one run fails the second item. */
function planItems(
	ctx: IExecuteFunctions,
	count: number,
	graph: GraphClient,
	shape: OutputShape,
): ItemPlanner<ReprovisionPlan> {
	const seen = new SeenCloudPcs();
	return new ItemPlanner(
		ctx,
		count,
		(itemIndex) => {
			const p = planReprovision(ctx, itemIndex, graph);
			const first = seen.firstItemOf(p.cloudPcId, itemIndex);
			if (first !== undefined) {
				throw invalid(
					ctx,
					itemIndex,
					'Cloud PC',
					`${p.cloudPcId} is already reprovisioned by item ${first} in this run; it is not sent twice`,
				);
			}
			return p;
		},
		(error) => shape.failed(error.message),
	);
}

/**
 * Reads of each Cloud PC before anything is sent: its status (Only If Reprovisionable), or its
 * remote actions (Check for an Earlier Reprovision, so that a retried execution does not wipe
 * again what its first attempt already had rebuilt).
 */
async function fetchFirst(
	{ ctx, graph, planner, throughput, count }: Run,
	request: (p: ReprovisionPlan) => GraphRequest | undefined,
) {
	return await fetchPlanned(ctx, graph, planner, count, request, throughput, NOTHING_SENT);
}

/**
 * The reprovisions, through transport/batch.ts; a lost answer is checked with Graph
 * (reprovision/verify.ts) before anything is sent again.
 */
async function sendReprovisions(
	{ graph, planner, throughput, count }: Run,
	sends: (itemIndex: number) => ReprovisionPlan | undefined,
): Promise<BatchRunResult> {
	return await sendBatched(
		graph,
		count,
		(itemIndex) => {
			const p = sends(itemIndex);
			return p ? reprovisionRequest(p) : undefined;
		},
		{
			...throughput,
			verify: reprovisionVerifier(graph, throughput, (itemIndex) => planner.plan(itemIndex)!),
			stopOnFailure: planner.stopOnError,
		},
	);
}

/** Notes each item Graph acted on (or may have), with its output, for n8n's next try. */
async function remember(
	{ planner, count }: Run,
	tries: EarlierTries,
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
	{ ctx, planner, count }: Run,
	sent: BatchRunResult,
	sends: (itemIndex: number) => ReprovisionPlan | undefined,
	fresh: (p: ReprovisionPlan) => boolean,
): void {
	const report = () =>
		sendReport(
			count,
			sent.results,
			(itemIndex) => sends(itemIndex) !== undefined,
			(itemIndex) => {
				const p = planner.plan(itemIndex);
				return p !== undefined && !fresh(p);
			},
		);
	if (sent.fatal !== undefined) throw withReport(ctx, sent.fatal, report());
	const sendFailed = firstFailure(sent.results);
	if (sendFailed) {
		throw toNodeApiError(ctx.getNode(), sendFailed.failure, sendFailed.itemIndex, report());
	}
}

/** Wait for Completion: polls what was requested until it ends or the time is up. */
async function waitForCompletion(
	{ graph, planner, throughput }: Run,
	outcomes: Array<BatchResult | undefined>,
): Promise<Map<number, WaitResult>> {
	const waiting = outcomes.flatMap((outcome, itemIndex): Waiting[] => {
		const p = planner.wasPlanned(itemIndex) ? planner.plan(itemIndex) : undefined;
		return p?.wait && outcome?.ok
			? [{ itemIndex, cloudPcId: p.cloudPcId, requestedAt: outcome.answeredAt, settings: p.wait }]
			: [];
	});
	return waiting.length ? await waitForReprovisions(graph, waiting, throughput) : new Map();
}
