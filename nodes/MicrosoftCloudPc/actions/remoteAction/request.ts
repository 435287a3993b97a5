import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { GraphClient, GraphRequest, GraphVersion } from '../../transport/graph';
import {
	checkNumber,
	checkText,
	invalid,
	readApiVersion,
	readBooleanOption,
	readCloudPcId,
	readChoiceOption,
	readCollection,
	readNumberOption,
	readScope,
	readUser,
} from '../validate';
import { readParameter } from '../parameters';
import type { NumberBounds } from '../../shared/types';
import { GUID, show } from '../../shared/textChecks';
import { cloudPcPath, type Scope } from '../../model';
import type {
	BodyField,
	EarlierCheck,
	RemoteActionDescriptor,
} from '../../remoteActions/descriptor';
import { betaOnly } from '../../remoteActions/registry';

/*
 * Where the request is built: one item of a remote action, from its parameters to its Graph
 * requests. Validated into a plan before anything is sent (scope and version against the
 * descriptor's routes, body fields against their kinds and bounds), then the action's request
 * (and the optional read before it).
 */

export type { EarlierCheck };

export const SAFETY = 'Safety and Follow-Up';
/** The switches of "Safety and Follow-Up" every action has, beside its state guard. */
export const COMMON_SWITCHES = ['dryRun', 'waitForCompletion'] as const;
/** When to ask Graph first whether the action already started (Check for an Earlier …). */
export const EARLIER_CHECKS: readonly EarlierCheck[] = ['onRetry', 'always', 'never'];

/** The state guard's option, the earlier check's and the common switches, by parameter name. */
export function safetyOptionNames(d: RemoteActionDescriptor): string[] {
	return [
		d.onlyIfReady.parameter,
		...COMMON_SWITCHES,
		'waitTimeoutMinutes',
		'pollIntervalSeconds',
		d.earlier.parameter,
	];
}

/**
 * The check when the option is not set, by node version. Reprovision: version 1 read Graph only
 * on a retry; from version 2 on it always does (a webhook that delivers the same ticket twice
 * starts two executions, neither a retry).
 */
export function defaultEarlierCheck(d: RemoteActionDescriptor, nodeVersion: number): EarlierCheck {
	const versions = Object.keys(d.earlier.defaultByNodeVersion)
		.map(Number)
		.sort((a, b) => a - b);
	const at = versions.filter((v) => v <= nodeVersion).pop() ?? versions[0];
	return d.earlier.defaultByNodeVersion[at];
}

/**
 * Whether the earlier check reads Graph in this execution: a retry runs the execution again,
 * and what its first attempt sent must not go twice. A value not known yet (an expression, seen
 * by OutputShape before evaluation) counts as reading.
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
export interface ActionPlan {
	itemIndex: number;
	scope: Scope;
	user: string | null;
	cloudPcId: string;
	version: GraphVersion;
	/** the body fields set, by Graph's name; undefined when none is */
	body?: IDataObject;
	/** skip the Cloud PC when its status is not one the action is accepted in */
	onlyIfReady: boolean;
	dryRun: boolean;
	wait?: WaitSettings;
	/** ask Graph first whether the action already started on this Cloud PC (earlier.ts) */
	checkEarlier: boolean;
}

export const SCOPE_NAMES: Readonly<Record<Scope, string>> = {
	organization: 'Organization (Admin)',
	user: 'Specific User',
	me: 'Signed-In User',
};

const scopeList = (scopes: readonly Scope[]) => scopes.map((s) => SCOPE_NAMES[s]).join(', ');

/** Reads and checks one item's parameters; throws a NodeOperationError naming the item and field. */
export function planAction(
	ctx: IExecuteFunctions,
	itemIndex: number,
	graph: GraphClient,
	d: RemoteActionDescriptor,
): ActionPlan {
	const scope = readScope(ctx, itemIndex, graph.authentication);
	const user = scope === 'user' ? readUser(ctx, itemIndex) : null;
	const cloudPcId = readCloudPcId(ctx, itemIndex);
	// A beta-only action never reads API Version: the editor hides it, and v1.0 has no route.
	const version = betaOnly(d) ? 'beta' : readApiVersion(ctx, itemIndex);
	checkRoute(ctx, itemIndex, d, scope, version);
	const body = readBody(ctx, itemIndex, d, scope);

	const safety = readCollection(ctx, itemIndex, 'safety', SAFETY, safetyOptionNames(d));
	const flag = (key: string, field: string) =>
		readBooleanOption(ctx, itemIndex, safety, key, field);
	const onlyIfReady = flag(d.onlyIfReady.parameter, d.onlyIfReady.displayName);
	const dryRun = flag('dryRun', 'Dry Run');
	const waitForCompletion = flag('waitForCompletion', 'Wait for Completion');
	const number = (key: string, bounds: NumberBounds) =>
		readNumberOption(ctx, itemIndex, safety, key, bounds);
	const timeoutMinutes = number('waitTimeoutMinutes', WAIT_TIMEOUT_MINUTES);
	const intervalSeconds = number('pollIntervalSeconds', POLL_INTERVAL_SECONDS);
	const checkEarlier =
		(readChoiceOption(
			ctx,
			itemIndex,
			safety,
			d.earlier.parameter,
			d.earlier.displayName,
			EARLIER_CHECKS,
		) as EarlierCheck | undefined) ?? defaultEarlierCheck(d, ctx.getNode().typeVersion);
	if (waitForCompletion && scope !== 'organization') {
		throw invalid(
			ctx,
			itemIndex,
			'Wait for Completion',
			`needs the Organization (Admin) scope: Graph reports the progress of a ${d.words.noun} only on the admin route (beta retrieveCloudPcRemoteActionResults)`,
		);
	}
	return {
		itemIndex,
		scope,
		user,
		cloudPcId,
		version,
		body: Object.keys(body).length ? body : undefined,
		onlyIfReady,
		dryRun,
		wait: waitForCompletion
			? { timeoutMs: timeoutMinutes * 60_000, intervalMs: intervalSeconds * 1000 }
			: undefined,
		checkEarlier: checksEarlierIn(checkEarlier, ctx.getMode() === 'retry'),
	};
}

/** Graph documents the action on this scope in this version, or the item fails. */
function checkRoute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	d: RemoteActionDescriptor,
	scope: Scope,
	version: GraphVersion,
): void {
	const scopes = d.routes[version] ?? [];
	if (scopes.includes(scope)) return;
	const elsewhere = (Object.keys(d.routes) as GraphVersion[]).filter((v) =>
		d.routes[v]?.includes(scope),
	);
	if (elsewhere.length) {
		throw invalid(
			ctx,
			itemIndex,
			'API Version',
			`is ${version}, where Graph has no ${SCOPE_NAMES[scope]} route for ${d.displayName}; choose ${elsewhere.join(' or ')}`,
		);
	}
	throw invalid(
		ctx,
		itemIndex,
		'Scope',
		`is ${SCOPE_NAMES[scope]}, where Graph has no route for ${d.displayName}; use ${scopeList(scopes)}`,
	);
}

/** The body fields set for this item, checked, by Graph's names. */
function readBody(
	ctx: IExecuteFunctions,
	itemIndex: number,
	d: RemoteActionDescriptor,
	scope: Scope,
): IDataObject {
	const optional = d.body.filter((f) => !f.required);
	const options = d.optionsParameter
		? readCollection(
				ctx,
				itemIndex,
				d.optionsParameter.name,
				d.optionsParameter.displayName,
				optional.map(parameterOf),
			)
		: {};
	const body: IDataObject = {};
	for (const field of d.body) {
		const raw = field.required
			? readParameter(
					ctx,
					parameterOf(field),
					itemIndex,
					'',
					// a resource locator's value; a plain text saved before passes through as it is
					field.listSearch ? { extractValue: true } : undefined,
				)
			: options[parameterOf(field)];
		if (raw === undefined || (!field.required && raw === null)) continue;
		if (field.scopes && !field.scopes.includes(scope)) {
			throw invalid(
				ctx,
				itemIndex,
				field.displayName,
				`can only be set on the ${scopeList(field.scopes)} scope; Graph takes no body on the other routes`,
			);
		}
		putField(body, field, checkField(ctx, itemIndex, field, raw));
	}
	return body;
}

/** Puts a field's value in the body: top-level, or in its `within` object (made when first needed). */
function putField(body: IDataObject, field: BodyField, value: string | number | boolean): void {
	if (!field.within) {
		body[field.name] = value;
		return;
	}
	const inner = (body[field.within] ??= {}) as IDataObject;
	inner[field.name] = value;
}

/** A field's value in a body as readBody builds it (undefined when not set). */
export function fieldValue(body: IDataObject | undefined, field: BodyField): unknown {
	const holder = field.within ? (body?.[field.within] as IDataObject | undefined) : body;
	return holder?.[field.name];
}

export const parameterOf = (field: BodyField) => field.parameter ?? field.name;

/** One body field's value, checked by its kind and bounds, as Graph takes it. */
export function checkField(
	ctx: IExecuteFunctions,
	itemIndex: number,
	field: BodyField,
	value: unknown,
): string | number | boolean {
	const name = field.displayName;
	const fail = (problem: string) => invalid(ctx, itemIndex, name, problem);
	switch (field.kind) {
		case 'text': {
			const text = checkText(ctx, itemIndex, name, value, field.maxLength ?? 256);
			if (!text.trim()) throw fail('is empty');
			if (field.pattern && !new RegExp(field.pattern.regex).test(text)) {
				throw fail(`must be ${field.pattern.says}; got ${show(value)}`);
			}
			return text;
		}
		case 'guid': {
			const id = typeof value === 'string' ? value.trim() : '';
			if (!GUID.test(id)) throw fail(`must be a GUID; got ${show(value)}`);
			return id;
		}
		case 'options': {
			const allowed = (field.options ?? []).map((o) => o.value);
			const choice = readChoiceOption(ctx, itemIndex, { v: value as string }, 'v', name, allowed);
			return choice as string;
		}
		case 'datetime': {
			const at = typeof value === 'string' ? Date.parse(value) : NaN;
			if (Number.isNaN(at)) throw fail(`must be a date and time (ISO 8601); got ${show(value)}`);
			return new Date(at).toISOString();
		}
		case 'number': {
			const bounds = field.bounds ?? { min: -Infinity, max: Infinity, integer: false };
			return checkNumber(ctx, itemIndex, value, { ...bounds, displayName: name, default: 0 });
		}
		case 'boolean':
			if (typeof value !== 'boolean') throw fail(`must be true or false; got ${show(value)}`);
			return value;
	}
}

/** What an output says of the item's request: Cloud PC, scope, version, and every body field. */
export function summary(p: ActionPlan, d: RemoteActionDescriptor): IDataObject {
	return {
		cloudPcId: p.cloudPcId,
		scope: p.scope,
		user: p.user,
		apiVersion: p.version,
		...Object.fromEntries(d.body.map((f) => [f.name, fieldValue(p.body, f) ?? null])),
	};
}

/** The action's request: POST …/cloudPCs/{id}/<segment>, with the body fields set (or none). */
export function actionRequest(p: ActionPlan, d: RemoteActionDescriptor): GraphRequest {
	return {
		method: 'POST',
		version: p.version,
		path: `${cloudPcPath(p.scope, p.user ?? undefined, p.cloudPcId)}/${d.segment}`,
		body: p.body,
	};
}

/** The state guard reads through beta: v1.0 has no status. */
export function preReadRequest(p: ActionPlan): GraphRequest {
	return {
		method: 'GET',
		version: 'beta',
		path: cloudPcPath(p.scope, p.user ?? undefined, p.cloudPcId),
	};
}

/** '"provisioned" or "failed"': the statuses an action is accepted in, for sentences. */
export function statusList(statuses: readonly string[]): string {
	const quoted = statuses.map((s) => `"${s}"`);
	return quoted.length > 1
		? `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`
		: (quoted[0] ?? 'none');
}

/** Why a Cloud PC read before the request is left alone; undefined when the action is accepted. */
export function skipReason(pc: IDataObject, d: RemoteActionDescriptor): string | undefined {
	const status = pc.status;
	if (typeof status === 'string' && d.acceptedStatuses.includes(status)) return undefined;
	return typeof status === 'string'
		? `Its status is "${status}"; only a Cloud PC whose status is ${statusList(d.acceptedStatuses)} can be ${d.words.pastParticiple}`
		: `Graph did not report its status, so it was not ${d.words.pastParticiple}`;
}
