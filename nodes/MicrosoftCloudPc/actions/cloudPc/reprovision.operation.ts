import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { sendBatched, type BatchOptions, type BatchResult } from '../../transport/batch';
import type { GraphClient, GraphRequest, GraphVersion } from '../../transport/graph';
import { GraphFailure, toNodeApiError } from '../../transport/errors';
import { cloudPcLocator, scopeProperty, userProperty, type Scope } from '../common.descriptions';
import type { ItemResult } from '../router';
import { readThroughput } from '../throughput';
import {
	invalid,
	readApiVersion,
	readBooleanOption,
	readCloudPcId,
	readCollection,
	readNumberOption,
	readScope,
	readUser,
} from '../validate';
import { firstFailure, graphFailureResult, itemRanges, ItemPlanner, notReached } from './items';
import {
	cloudPcFields,
	failureFields,
	REPROVISIONABLE_STATUSES,
	remoteActionFields,
	type Outcome,
} from './output';
import {
	latestReprovision,
	outcomeOfAction,
	reasonOfAction,
	remoteActionResultsRequest,
} from './remoteActions';
import { pause } from './requests';
import { cloudPcPath } from './routes';

const show = { show: { resource: ['cloudPc'], operation: ['reprovision'] } };

const OS_VERSIONS = ['windows10', 'windows11'];
const ACCOUNT_TYPES = ['standardUser', 'administrator'];

const SAFETY = 'Safety and Follow-Up';
/** The switches of "Safety and Follow-Up"; any of them adds `reason` to the output. */
const SAFETY_SWITCHES = ['onlyIfReprovisionable', 'dryRun', 'waitForCompletion'] as const;
const SAFETY_OPTIONS = [...SAFETY_SWITCHES, 'waitTimeoutMinutes', 'pollIntervalSeconds'];
const DEFAULT_WAIT_MINUTES = 60;
const DEFAULT_POLL_SECONDS = 60;

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
				typeOptions: { minValue: 1 },
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
				typeOptions: { minValue: 0, numberPrecision: 2 },
				default: DEFAULT_WAIT_MINUTES,
				description:
					'With Wait for Completion: stop waiting after this long; Cloud PCs still being rebuilt are output with outcome "requested" and the reason',
			},
		],
	},
];

interface WaitSettings {
	timeoutMs: number;
	intervalMs: number;
}

/** Everything one item will do, worked out before anything is sent. */
interface ReprovisionPlan {
	itemIndex: number;
	scope: Scope;
	user: string | null;
	cloudPcId: string;
	version: GraphVersion;
	body?: { osVersion?: string; userAccountType?: string };
	onlyIfReprovisionable: boolean;
	dryRun: boolean;
	wait?: WaitSettings;
}

function plan(ctx: IExecuteFunctions, itemIndex: number, graph: GraphClient): ReprovisionPlan {
	const scope = readScope(ctx, itemIndex, graph.authentication);
	const user = scope === 'user' ? readUser(ctx, itemIndex) : null;
	const cloudPcId = readCloudPcId(ctx, itemIndex);
	const version = readApiVersion(ctx, itemIndex);
	const options = ctx.getNodeParameter('reprovisionOptions', itemIndex, {}) as IDataObject;
	const { osVersion, userAccountType, ...unknown } = options;
	const unknownOption = Object.keys(unknown)[0];
	if (unknownOption !== undefined) {
		throw invalid(
			ctx,
			itemIndex,
			`Reprovision Options › ${unknownOption}`,
			'is not a reprovision option',
		);
	}
	if (scope !== 'organization' && (osVersion !== undefined || userAccountType !== undefined)) {
		throw invalid(
			ctx,
			itemIndex,
			osVersion !== undefined ? 'OS Version' : 'User Account Type',
			'can only be set on the Organization (Admin) scope; Graph takes no body on the user routes',
		);
	}
	if (osVersion !== undefined && !OS_VERSIONS.includes(osVersion as string)) {
		throw invalid(
			ctx,
			itemIndex,
			'OS Version',
			`must be one of ${OS_VERSIONS.join(', ')}; got "${String(osVersion)}"`,
		);
	}
	if (userAccountType !== undefined && !ACCOUNT_TYPES.includes(userAccountType as string)) {
		throw invalid(
			ctx,
			itemIndex,
			'User Account Type',
			`must be one of ${ACCOUNT_TYPES.join(', ')}; got "${String(userAccountType)}"`,
		);
	}
	const body = {
		...(osVersion !== undefined ? { osVersion: osVersion as string } : {}),
		...(userAccountType !== undefined ? { userAccountType: userAccountType as string } : {}),
	};

	const safety = readCollection(ctx, itemIndex, 'safety', SAFETY, SAFETY_OPTIONS);
	const flag = (key: string, field: string) =>
		readBooleanOption(ctx, itemIndex, safety, key, field);
	const onlyIfReprovisionable = flag('onlyIfReprovisionable', 'Only If Reprovisionable');
	const dryRun = flag('dryRun', 'Dry Run');
	const waitForCompletion = flag('waitForCompletion', 'Wait for Completion');
	const timeoutMinutes = readNumberOption(
		ctx,
		itemIndex,
		safety,
		'waitTimeoutMinutes',
		'Wait Timeout (Minutes)',
		DEFAULT_WAIT_MINUTES,
		0,
	);
	const intervalSeconds = readNumberOption(
		ctx,
		itemIndex,
		safety,
		'pollIntervalSeconds',
		'Poll Interval (Seconds)',
		DEFAULT_POLL_SECONDS,
		1,
	);
	if (waitForCompletion && scope !== 'organization') {
		throw invalid(
			ctx,
			itemIndex,
			'Wait for Completion',
			'needs the Organization (Admin) scope: Graph reports the progress of a reprovision only on the admin route (beta retrieveCloudPcRemoteActionResults)',
		);
	}
	return {
		itemIndex,
		scope,
		user,
		cloudPcId,
		version,
		body: Object.keys(body).length ? body : undefined,
		onlyIfReprovisionable,
		dryRun,
		wait: waitForCompletion
			? { timeoutMs: timeoutMinutes * 60_000, intervalMs: intervalSeconds * 1000 }
			: undefined,
	};
}

function summary(p: ReprovisionPlan): IDataObject {
	return {
		cloudPcId: p.cloudPcId,
		scope: p.scope,
		user: p.user,
		apiVersion: p.version,
		osVersion: p.body?.osVersion ?? null,
		userAccountType: p.body?.userAccountType ?? null,
	};
}

function reprovisionRequest(p: ReprovisionPlan): GraphRequest {
	return {
		method: 'POST',
		version: p.version,
		path: `${cloudPcPath(p.scope, p.user ?? undefined, p.cloudPcId)}/reprovision`,
		body: p.body,
	};
}

/** Only If Reprovisionable reads through beta: v1.0 has no status. */
function preReadRequest(p: ReprovisionPlan): GraphRequest {
	return {
		method: 'GET',
		version: 'beta',
		path: cloudPcPath(p.scope, p.user ?? undefined, p.cloudPcId),
	};
}

/** Why a Cloud PC read before the request is left alone; undefined when it can be reprovisioned. */
function skipReason(pc: IDataObject): string | undefined {
	const status = pc.status;
	if (typeof status === 'string' && REPROVISIONABLE_STATUSES.includes(status)) return undefined;
	return typeof status === 'string'
		? `Its status is "${status}"; only a Cloud PC whose status is "provisioned" or "failed" can be reprovisioned`
		: 'Graph did not report its status, so it was not reprovisioned';
}

/** A retry that meets the first attempt's effect: the Cloud PC is already being rebuilt. */
function isAlreadyReprovisioning(failure: GraphFailure): boolean {
	return (
		failure.status === 409 ||
		(failure.status === 400 && /provisioning|in progress|already/i.test(failure.graphMessage))
	);
}

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
			const p = plan(this, itemIndex, graph);
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
		? await sendBatched(
				graph,
				items.length,
				(itemIndex) => {
					const p = planner.plan(itemIndex);
					return p?.onlyIfReprovisionable ? preReadRequest(p) : undefined;
				},
				{ ...throughput, stopOnFailure: stopOnError },
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
	const outcomes = await sendBatched(
		graph,
		items.length,
		(itemIndex) => {
			const p = sends(itemIndex);
			return p ? reprovisionRequest(p) : undefined;
		},
		{ ...throughput, isAlreadyDone: isAlreadyReprovisioning, stopOnFailure: stopOnError },
	);

	const sendFailed = stopOnError ? firstFailure(outcomes) : undefined;
	if (sendFailed) {
		const indexes = (keep: (itemIndex: number) => boolean) =>
			items.flatMap((_, itemIndex) => (keep(itemIndex) ? [itemIndex] : []));
		const requested = indexes((itemIndex) => outcomes[itemIndex]?.ok === true);
		const notSent = indexes((itemIndex) => {
			const outcome = outcomes[itemIndex];
			return sends(itemIndex) !== undefined && (!outcome || (!outcome.ok && !outcome.sent));
		});
		const report = [
			requested.length
				? `Reprovision requested in this run for items ${itemRanges(requested)}.`
				: 'No reprovision was requested in this run.',
			notSent.length ? `Not sent: items ${itemRanges(notSent)}.` : '',
		].join(' ');
		throw toNodeApiError(this.getNode(), sendFailed.failure, sendFailed.itemIndex, report);
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

	return items.map((_, itemIndex): ItemResult => {
		if (!planner.wasPlanned(itemIndex)) {
			return { error: notReached(this, itemIndex), json: failed('The execution was cancelled') };
		}
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
		if (!outcome) {
			return {
				error: notReached(this, itemIndex),
				json: { ...known, ...failed('The execution was cancelled'), ...notSent },
			};
		}
		const common = { ...known, attempts: outcome.attempts, requestedAt: outcome.answeredAt };
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
				...(outcome.alreadyDone
					? {
							note: 'An earlier attempt whose answer was lost had already started the reprovision; it was not repeated',
						}
					: {}),
				...shape.dryRun(),
				...shape.wait(wait),
			},
		};
	});
}

interface Waiting {
	itemIndex: number;
	cloudPcId: string;
	/** when Graph accepted the reprovision: older Reprovision actions are not this one */
	requestedAt: string;
	settings: WaitSettings;
}

interface WaitResult {
	outcome: Outcome;
	reason: string | null;
	/** the last Reprovision action seen */
	action?: IDataObject;
	completedAt: string | null;
	waitedSeconds: number;
}

const minutes = (ms: number) => {
	const value = Number((ms / 60_000).toFixed(2));
	return `${value} minute${value === 1 ? '' : 's'}`;
};

/**
 * Polls beta `retrieveCloudPcRemoteActionResults` for every waiting Cloud PC each round, all of
 * them through JSON batches, until each reprovision is done or failed, the timeout ends the
 * wait, or the execution is cancelled. Interval and timeout are the first waiting item's.
 */
async function waitForReprovisions(
	graph: GraphClient,
	waiting: Waiting[],
	throughput: Omit<BatchOptions, 'isAlreadyDone' | 'stopOnFailure'>,
): Promise<Map<number, WaitResult>> {
	const { timeoutMs, intervalMs } = waiting[0].settings;
	const { signal } = throughput;
	const started = Date.now();
	const deadline = started + timeoutMs;
	const results = new Map<number, WaitResult>();
	const lastSeen = new Map<number, IDataObject>();
	const finish = (w: Waiting, outcome: Outcome, reason: string | null, action?: IDataObject) =>
		results.set(w.itemIndex, {
			outcome,
			reason,
			action,
			completedAt:
				outcome === 'requested'
					? null
					: String(action?.lastUpdatedDateTime ?? new Date().toISOString()),
			waitedSeconds: Math.round((Date.now() - started) / 1000),
		});

	let pending = waiting;
	while (pending.length) {
		const left = deadline - Date.now();
		if (left <= 0 || signal?.aborted) break;
		await pause(Math.min(intervalMs, left), signal);
		if (signal?.aborted) break;
		const round = pending;
		const answers = await sendBatched(
			graph,
			round.length,
			(k) => remoteActionResultsRequest(round[k].cloudPcId),
			{ ...throughput, stopOnFailure: false },
		);
		if (signal?.aborted) break;
		pending = round.filter((w, k) => {
			const answer = answers[k];
			if (!answer) return true;
			if (!answer.ok) {
				finish(
					w,
					'requested',
					`Reprovision requested, but its progress could not be read: ${answer.failure.message}`,
				);
				return false;
			}
			const action = latestReprovision(answer.response.body, w.requestedAt);
			if (action) lastSeen.set(w.itemIndex, action);
			const { outcome, final } = outcomeOfAction(action?.actionState);
			if (!final || !action) return true;
			finish(w, outcome, reasonOfAction(action), action);
			return false;
		});
	}
	const reason = signal?.aborted
		? 'Stopped waiting: the execution was cancelled'
		: `Still running after ${minutes(timeoutMs)}`;
	for (const w of pending) finish(w, 'requested', reason, lastSeen.get(w.itemIndex));
	return results;
}
