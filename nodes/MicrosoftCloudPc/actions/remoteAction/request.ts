import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { GraphClient, GraphRequest, GraphVersion } from '../../../transport/graph';
import {
	invalid,
	readApiVersion,
	readBooleanOption,
	readCloudPcId,
	readChoiceOption,
	readCollection,
	readNumberOption,
	readScope,
	readUser,
} from '../../validate';
import type { NumberBounds } from '../../../shared/types';
import { cloudPcPath, REPROVISIONABLE_STATUSES, type Scope } from '../../../model';

/*
 * One item of Reprovision, from its parameters to its Graph requests: validated into a plan
 * before anything is sent, then the reprovision request (and the optional read before it).
 */

const OS_VERSIONS = ['windows10', 'windows11'];
const ACCOUNT_TYPES = ['standardUser', 'administrator'];

export const SAFETY = 'Safety and Follow-Up';
/** The switches of "Safety and Follow-Up"; any of them adds `reason` to the output. */
export const SAFETY_SWITCHES = ['onlyIfReprovisionable', 'dryRun', 'waitForCompletion'] as const;
const SAFETY_OPTIONS = [
	...SAFETY_SWITCHES,
	'waitTimeoutMinutes',
	'pollIntervalSeconds',
	'checkEarlierReprovision',
];
/** When to ask Graph first whether a reprovision already started (Check for an Earlier Reprovision). */
export const EARLIER_CHECKS = ['onRetry', 'always', 'never'] as const;
export type EarlierCheck = (typeof EARLIER_CHECKS)[number];

/**
 * The check when the option is not set. Version 1 read Graph only on a retry; from version 2 on
 * it always does: a webhook that delivers the same ticket twice starts two executions, neither a
 * retry, and a wiped Cloud PC cannot be undone.
 */
export function defaultEarlierCheck(nodeVersion: number): EarlierCheck {
	return nodeVersion >= 2 ? 'always' : 'onRetry';
}

/**
 * Whether Check for an Earlier Reprovision reads Graph in this execution: a retry runs the
 * execution again, and what its first attempt sent must not go twice. A value not known yet (an
 * expression, seen by OutputShape before evaluation) counts as reading.
 */
export function checksEarlierIn(check: unknown, isRetry: boolean): boolean {
	return check !== 'never' && (check !== 'onRetry' || isRetry);
}
/** Up to 4 hours: a reprovision takes one to two, and n8n holds the execution meanwhile. */
export const WAIT_TIMEOUT_MINUTES: NumberBounds = {
	displayName: 'Wait Timeout (Minutes)',
	min: 0,
	max: 240,
	default: 60,
	integer: false,
};
/** Whole seconds up to an hour: milliseconds typed in by mistake (60000) fail, naming the range. */
export const POLL_INTERVAL_SECONDS: NumberBounds = {
	displayName: 'Poll Interval (Seconds)',
	min: 1,
	max: 3600,
	default: 60,
	integer: true,
};
export const DEFAULT_WAIT_MINUTES = WAIT_TIMEOUT_MINUTES.default;
export const DEFAULT_POLL_SECONDS = POLL_INTERVAL_SECONDS.default;

export interface WaitSettings {
	timeoutMs: number;
	intervalMs: number;
}

/** Everything one item will do, worked out before anything is sent. */
export interface ReprovisionPlan {
	itemIndex: number;
	scope: Scope;
	user: string | null;
	cloudPcId: string;
	version: GraphVersion;
	body?: { osVersion?: string; userAccountType?: string };
	onlyIfReprovisionable: boolean;
	dryRun: boolean;
	wait?: WaitSettings;
	/** ask Graph first whether a reprovision of this Cloud PC already started (reprovision/earlier.ts) */
	checkEarlier: boolean;
}

/** Reads and checks one item's parameters; throws a NodeOperationError naming the item and field. */
export function planReprovision(
	ctx: IExecuteFunctions,
	itemIndex: number,
	graph: GraphClient,
): ReprovisionPlan {
	const scope = readScope(ctx, itemIndex, graph.authentication);
	const user = scope === 'user' ? readUser(ctx, itemIndex) : null;
	const cloudPcId = readCloudPcId(ctx, itemIndex);
	const version = readApiVersion(ctx, itemIndex);
	const options = readCollection(ctx, itemIndex, 'reprovisionOptions', 'Reprovision Options', [
		'osVersion',
		'userAccountType',
	]);
	if (scope !== 'organization' && Object.keys(options).length) {
		throw invalid(
			ctx,
			itemIndex,
			options.osVersion !== undefined ? 'OS Version' : 'User Account Type',
			'can only be set on the Organization (Admin) scope; Graph takes no body on the user routes',
		);
	}
	const choice = (key: string, field: string, allowed: readonly string[]) =>
		readChoiceOption(ctx, itemIndex, options, key, field, allowed);
	const osVersion = choice('osVersion', 'OS Version', OS_VERSIONS);
	const userAccountType = choice('userAccountType', 'User Account Type', ACCOUNT_TYPES);
	const body = {
		...(osVersion !== undefined ? { osVersion } : {}),
		...(userAccountType !== undefined ? { userAccountType } : {}),
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
		WAIT_TIMEOUT_MINUTES,
	);
	const intervalSeconds = readNumberOption(
		ctx,
		itemIndex,
		safety,
		'pollIntervalSeconds',
		POLL_INTERVAL_SECONDS,
	);
	const checkEarlier =
		(readChoiceOption(
			ctx,
			itemIndex,
			safety,
			'checkEarlierReprovision',
			'Check for an Earlier Reprovision',
			EARLIER_CHECKS,
		) as EarlierCheck | undefined) ?? defaultEarlierCheck(ctx.getNode().typeVersion);
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
		checkEarlier: checksEarlierIn(checkEarlier, ctx.getMode() === 'retry'),
	};
}

export function summary(p: ReprovisionPlan): IDataObject {
	return {
		cloudPcId: p.cloudPcId,
		scope: p.scope,
		user: p.user,
		apiVersion: p.version,
		osVersion: p.body?.osVersion ?? null,
		userAccountType: p.body?.userAccountType ?? null,
	};
}

export function reprovisionRequest(p: ReprovisionPlan): GraphRequest {
	return {
		method: 'POST',
		version: p.version,
		path: `${cloudPcPath(p.scope, p.user ?? undefined, p.cloudPcId)}/reprovision`,
		body: p.body,
	};
}

/** Only If Reprovisionable reads through beta: v1.0 has no status. */
export function preReadRequest(p: ReprovisionPlan): GraphRequest {
	return {
		method: 'GET',
		version: 'beta',
		path: cloudPcPath(p.scope, p.user ?? undefined, p.cloudPcId),
	};
}

/** Why a Cloud PC read before the request is left alone; undefined when it can be reprovisioned. */
export function skipReason(pc: IDataObject): string | undefined {
	const status = pc.status;
	if (typeof status === 'string' && REPROVISIONABLE_STATUSES.includes(status)) return undefined;
	return typeof status === 'string'
		? `Its status is "${status}"; only a Cloud PC whose status is "provisioned" or "failed" can be reprovisioned`
		: 'Graph did not report its status, so it was not reprovisioned';
}
