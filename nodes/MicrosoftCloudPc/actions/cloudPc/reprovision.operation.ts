import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { sendBatched, type BatchResult } from '../../transport/batch';
import type { GraphClient, GraphRequest } from '../../transport/graph';
import { toNodeApiError } from '../../transport/errors';
import {
	cloudPcLocator,
	numberTypeOptions,
	scopeProperty,
	userProperty,
} from '../common.descriptions';
import { readThroughput } from '../throughput';
import { invalid } from '../validate';
import {
	firstFailure,
	graphFailureResult,
	ItemPlanner,
	notReached,
	resultsOrThrow,
	sendReport,
	withReport,
} from './items';
import { cloudPcFields, failureFields, remoteActionFields, UNKNOWN_HINT } from './output';
import {
	DEFAULT_POLL_SECONDS,
	DEFAULT_WAIT_MINUTES,
	planReprovision,
	POLL_INTERVAL_SECONDS,
	preReadRequest,
	reprovisionRequest,
	SAFETY,
	SAFETY_SWITCHES,
	skipReason,
	summary,
	type ReprovisionPlan,
	WAIT_TIMEOUT_MINUTES,
} from './reprovision/request';
import { reprovisionVerifier } from './reprovision/verify';
import { waitForReprovisions, type Waiting, type WaitResult } from './reprovision/wait';
import type { ItemResult } from '../types';

const show = { show: { resource: ['cloudPc'], operation: ['reprovision'] } };

export const description: INodeProperties[] = [
	{
		displayName:
			'Reprovisioning wipes the Cloud PC: the user loses everything stored on it. Only Cloud PCs whose status is "provisioned" or "failed" can be reprovisioned.',
		name: 'destructiveNotice',
		type: 'notice',
		default: '',
		displayOptions: show,
	},
	{ ...scopeProperty, displayOptions: show },
	{ ...userProperty, displayOptions: { show: { ...show.show, scope: ['user'] } } },
	{ ...cloudPcLocator, displayOptions: show },
	{
		displayName: 'Reprovision Options',
		name: 'reprovisionOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { ...show.show, scope: ['organization'] } },
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
		displayOptions: show,
		description:
			'Check before, rehearse, or follow the reprovision to its end; outputs then carry a "reason"',
		options: [
			{
				displayName: 'Dry Run',
				name: 'dryRun',
				type: 'boolean',
				default: false,
				description:
					'Whether to only validate and resolve every item and output the request that would be sent (method, path, body) with outcome "dryRun"; no reprovision is sent',
			},
			{
				displayName: 'Only If Reprovisionable',
				name: 'onlyIfReprovisionable',
				type: 'boolean',
				default: false,
				description:
					'Whether to read each Cloud PC first (its beta status, whatever the API Version) and skip it, outcome "skipped" with the reason, unless its status is "provisioned" or "failed"',
			},
			{
				displayName: 'Poll Interval (Seconds)',
				name: 'pollIntervalSeconds',
				type: 'number',
				typeOptions: numberTypeOptions(POLL_INTERVAL_SECONDS),
				default: DEFAULT_POLL_SECONDS,
				description:
					'With Wait for Completion: seconds between status checks of all waiting Cloud PCs. Keep it at 10 or more against a real tenant (60 is polite); every check counts against Graph throttling.',
			},
			{
				displayName: 'Wait for Completion',
				name: 'waitForCompletion',
				type: 'boolean',
				default: false,
				description:
					'Whether to wait after the request until each reprovision is done or failed, polling its status (beta, Organization (Admin) scope only), and output the final state; outcome "done", "failed", or "requested" when the timeout ends the wait',
			},
			{
				displayName: 'Wait Timeout (Minutes)',
				name: 'waitTimeoutMinutes',
				type: 'number',
				typeOptions: numberTypeOptions(WAIT_TIMEOUT_MINUTES),
				default: DEFAULT_WAIT_MINUTES,
				description:
					'With Wait for Completion: stop waiting after this long; Cloud PCs still being rebuilt are output with outcome "requested" and the reason',
			},
		],
	},
];

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
	// What the node is configured to do decides the output's shape, the same for every item.
	const configured = (this.getNode().parameters.safety ?? {}) as IDataObject;
	const isOn = (key: string) => configured[key] !== undefined && configured[key] !== false;
	const preReads = isOn('onlyIfReprovisionable');
	const rehearses = isOn('dryRun');
	const waits = isOn('waitForCompletion');
	const followUp = SAFETY_SWITCHES.some(isOn);

	const shape = {
		reason: (reason: string | null): IDataObject => (followUp ? { reason } : {}),
		pc: (read: BatchResult | undefined): IDataObject =>
			preReads ? cloudPcFields(read?.ok ? read.response.body : {}) : {},
		dryRun: (request?: GraphRequest): IDataObject =>
			rehearses
				? {
						method: request?.method ?? null,
						path: request ? `/${request.version}${request.path}` : null,
						body: request?.body ?? null,
					}
				: {},
		wait: (result?: WaitResult): IDataObject =>
			waits
				? {
						...remoteActionFields(result?.action),
						completedAt: result?.completedAt ?? null,
						waitedSeconds: result?.waitedSeconds ?? null,
					}
				: {},
	};
	const failed = (reason: string): IDataObject => ({
		outcome: 'failed',
		...shape.reason(reason),
		requestedAt: null,
	});

	const firstItemFor = new Map<string, number>();
	const planner = new ItemPlanner(
		this,
		items.length,
		(itemIndex) => {
			const p = planReprovision(this, itemIndex, graph);
			const key = p.cloudPcId.toLowerCase();
			const first = firstItemFor.get(key);
			if (first !== undefined) {
				throw invalid(
					this,
					itemIndex,
					'Cloud PC',
					`${p.cloudPcId} is already reprovisioned by item ${first} in this run; it is not sent twice`,
				);
			}
			firstItemFor.set(key, itemIndex);
			return p;
		},
		(error) => failed(error.message),
	);
	const stopOnError = planner.stopOnError;
	// Without "Continue On Fail" one bad item must stop the run before anything is sent; with
	// it, items are read just before their batch goes out, overlapping with batches in flight.
	if (stopOnError) planner.planAll();
	const throughput = readThroughput(this);

	// 1. Only If Reprovisionable: read each Cloud PC (beta) before deciding.
	const reads: Array<BatchResult | undefined> = preReads
		? resultsOrThrow(
				await sendBatched(
					graph,
					items.length,
					(itemIndex) => {
						const p = planner.plan(itemIndex);
						return p?.onlyIfReprovisionable ? preReadRequest(p) : undefined;
					},
					{ ...throughput, stopOnFailure: stopOnError },
				),
			)
		: [];
	const readFailed = stopOnError ? firstFailure(reads) : undefined;
	if (readFailed) {
		throw toNodeApiError(
			this.getNode(),
			readFailed.failure,
			readFailed.itemIndex,
			'No reprovision was requested in this run.',
		);
	}
	const skipped = (itemIndex: number): string | undefined => {
		const read = reads[itemIndex];
		return read?.ok ? skipReason(read.response.body) : undefined;
	};
	const sends = (itemIndex: number): ReprovisionPlan | undefined => {
		const p = planner.plan(itemIndex);
		const read = reads[itemIndex];
		if (!p || p.dryRun || (read && !read.ok) || skipped(itemIndex) !== undefined) return undefined;
		return p;
	};

	// 2. The reprovision requests.
	const { results: outcomes, fatal } = await sendBatched(
		graph,
		items.length,
		(itemIndex) => {
			const p = sends(itemIndex);
			return p ? reprovisionRequest(p) : undefined;
		},
		{
			...throughput,
			verify: reprovisionVerifier(
				graph,
				throughput,
				(itemIndex) => planner.plan(itemIndex) as ReprovisionPlan,
			),
			stopOnFailure: stopOnError,
		},
	);
	const report = () =>
		sendReport(items.length, outcomes, (itemIndex) => sends(itemIndex) !== undefined);
	if (fatal !== undefined && stopOnError) throw withReport(this, fatal, report());
	const sendFailed = stopOnError ? firstFailure(outcomes) : undefined;
	if (sendFailed) {
		throw toNodeApiError(this.getNode(), sendFailed.failure, sendFailed.itemIndex, report());
	}

	// 3. Wait for Completion: poll what was requested until it ends or the time is up.
	const waiting = items.flatMap((_, itemIndex): Waiting[] => {
		const p = planner.wasPlanned(itemIndex) ? planner.plan(itemIndex) : undefined;
		const outcome = outcomes[itemIndex];
		return p?.wait && outcome?.ok
			? [{ itemIndex, cloudPcId: p.cloudPcId, requestedAt: outcome.answeredAt, settings: p.wait }]
			: [];
	});
	const waited = waiting.length
		? await waitForReprovisions(graph, waiting, throughput)
		: new Map<number, WaitResult>();

	// Items the run never sent: cancelled, or ended by an error that was not Graph's answer.
	const unsent = (itemIndex: number, known: IDataObject = {}): ItemResult =>
		fatal === undefined
			? {
					error: notReached(this, itemIndex),
					json: { ...known, ...failed('The execution was cancelled') },
				}
			: {
					error: fatal as Error,
					json: { ...known, ...failed(`Not sent: ${(fatal as Error).message}`) },
				};
	return items.map((_, itemIndex): ItemResult => {
		if (!planner.wasPlanned(itemIndex)) return unsent(itemIndex);
		const p = planner.plan(itemIndex);
		if (!p) return planner.failure(itemIndex) as ItemResult;
		const read = reads[itemIndex];
		const known = { ...shape.pc(read), ...summary(p) };
		const notSent = { ...shape.dryRun(), ...shape.wait() };

		if (read && !read.ok) {
			return graphFailureResult(this, read.failure, itemIndex, {
				...known,
				...failed(`The Cloud PC could not be read: ${read.failure.message}`),
				attempts: read.attempts,
				...notSent,
			});
		}
		const skip = skipped(itemIndex);
		if (skip !== undefined) {
			return {
				json: { ...known, outcome: 'skipped', reason: skip, requestedAt: null, ...notSent },
			};
		}
		if (p.dryRun) {
			return {
				json: {
					...known,
					outcome: 'dryRun',
					reason: null,
					requestedAt: null,
					...shape.dryRun(reprovisionRequest(p)),
					...shape.wait(),
				},
			};
		}
		const outcome = outcomes[itemIndex];
		if (!outcome || (!outcome.ok && !outcome.sent && fatal !== undefined)) {
			return unsent(itemIndex, { ...known, ...notSent });
		}
		const common = { ...known, attempts: outcome.attempts, requestedAt: outcome.answeredAt };
		if (!outcome.ok && outcome.outcomeUnknown) {
			return {
				json: {
					...common,
					outcome: 'unknown',
					reason: outcome.failure.graphMessage,
					...failureFields(outcome.failure),
					hint: UNKNOWN_HINT,
					...notSent,
				},
			};
		}
		if (!outcome.ok) {
			const { failure } = outcome;
			return {
				error: toNodeApiError(this.getNode(), failure, itemIndex),
				json: {
					...common,
					outcome: 'failed',
					...shape.reason(failure.message),
					...failureFields(failure),
					...notSent,
				},
			};
		}
		const wait = waited.get(itemIndex);
		return {
			json: {
				...common,
				outcome: wait?.outcome ?? 'requested',
				...shape.reason(wait?.reason ?? null),
				statusCode: outcome.response.statusCode,
				requestId: outcome.response.requestId ?? null,
				clientRequestId: outcome.response.clientRequestId,
				...(outcome.confirmedBy
					? {
							note: `The answer to this reprovision was lost; ${outcome.confirmedBy}, so it was not sent again`,
						}
					: {}),
				...shape.dryRun(),
				...shape.wait(wait),
			},
		};
	});
}
