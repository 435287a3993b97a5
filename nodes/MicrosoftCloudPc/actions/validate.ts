import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { Authentication } from '../transport/graph';
import { type Scope, SCOPES } from '../model';
import { readParameter } from './parameters';
import type { NumberBounds } from '../shared/types';
import { GUID, show, textProblem, upnProblem, userProblem } from '../shared/textChecks';

/** Bad input fails its item with the field named, before anything is sent. */
export function invalid(ctx: IExecuteFunctions, itemIndex: number, field: string, problem: string) {
	return new NodeOperationError(ctx.getNode(), `Item ${itemIndex}: "${field}" ${problem}`, {
		itemIndex,
		description: 'Nothing was sent to Microsoft Graph for this item.',
	});
}

export function readScope(
	ctx: IExecuteFunctions,
	itemIndex: number,
	authentication: Authentication,
): Scope {
	const scope = readParameter(ctx, 'scope', itemIndex) as Scope;
	if (!SCOPES.includes(scope)) {
		throw invalid(
			ctx,
			itemIndex,
			'Scope',
			`must be one of ${SCOPES.join(', ')}; got ${show(scope)}`,
		);
	}
	// Graph answers /me with an app-only token by a 400; say why before sending anything.
	if (scope === 'me' && authentication === 'appOnly') {
		throw invalid(
			ctx,
			itemIndex,
			'Scope',
			'is Signed-In User, which needs the OAuth2 (delegated) credential; with an app-only credential use Organization (Admin) or Specific User',
		);
	}
	return scope;
}

export function readCloudPcId(ctx: IExecuteFunctions, itemIndex: number): string {
	const value = readParameter(ctx, 'cloudPcId', itemIndex, '', { extractValue: true });
	const id = String(value ?? '').trim();
	if (!id) throw invalid(ctx, itemIndex, 'Cloud PC', 'is empty');
	if (!GUID.test(id)) {
		throw invalid(ctx, itemIndex, 'Cloud PC', `must be a Cloud PC ID (a GUID); got ${show(value)}`);
	}
	return id;
}

export function readUser(ctx: IExecuteFunctions, itemIndex: number): string {
	const user = String(readParameter(ctx, 'user', itemIndex, '') ?? '').trim();
	if (!user) throw invalid(ctx, itemIndex, 'User', 'is empty');
	const problem = userProblem(user);
	if (problem !== undefined) throw invalid(ctx, itemIndex, 'User', problem);
	return user;
}

/** A user principal name given as a value (a filter, say), not as the User parameter. */
export function checkUpn(
	ctx: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: unknown,
): string {
	const upn = String(value ?? '').trim();
	if (!upn) throw invalid(ctx, itemIndex, field, 'is empty');
	const problem = upnProblem(upn);
	if (problem !== undefined) throw invalid(ctx, itemIndex, field, problem);
	return upn;
}

/** Free text (a name prefix, say): bounded, well-formed, no control characters. */
export function checkText(
	ctx: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: unknown,
	maxLength: number,
): string {
	if (typeof value !== 'string')
		throw invalid(ctx, itemIndex, field, `must be text; got ${show(value)}`);
	const problem = textProblem(value, maxLength);
	if (problem !== undefined) throw invalid(ctx, itemIndex, field, problem);
	return value;
}

export function readApiVersion(ctx: IExecuteFunctions, itemIndex: number): 'v1.0' | 'beta' {
	const version = readParameter(ctx, 'apiVersion', itemIndex, 'v1.0');
	if (version !== 'v1.0' && version !== 'beta') {
		throw invalid(ctx, itemIndex, 'API Version', `must be v1.0 or beta; got ${show(version)}`);
	}
	return version;
}

/**
 * A collection parameter's value; an option it does not know (left over from an older node
 * version, or typed into JSON) fails the item instead of being silently ignored.
 */
export function readCollection(
	ctx: IExecuteFunctions,
	itemIndex: number,
	name: string,
	label: string,
	known: readonly string[],
): IDataObject {
	const value = readParameter(ctx, name, itemIndex, {}) as IDataObject | null;
	const options = value ?? {};
	if (typeof options !== 'object' || Array.isArray(options)) {
		throw invalid(ctx, itemIndex, label, 'must be a set of options');
	}
	const unknown = Object.keys(options).find((key) => !known.includes(key));
	if (unknown !== undefined) {
		throw invalid(ctx, itemIndex, `${label} › ${unknown}`, `is not an option of ${label}`);
	}
	return options;
}

/** A boolean option: absent is false; an expression must give true or false, not "yes". */
export function readBooleanOption(
	ctx: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
	key: string,
	field: string,
): boolean {
	const value = options[key];
	if (value === undefined || value === null) return false;
	if (typeof value !== 'boolean') {
		throw invalid(ctx, itemIndex, field, `must be true or false; got ${show(value)}`);
	}
	return value;
}

/** An option that takes one of `allowed` (an expression may give anything); absent is undefined. */
export function readChoiceOption(
	ctx: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
	key: string,
	field: string,
	allowed: readonly string[],
): string | undefined {
	const value = options[key];
	if (value === undefined) return undefined;
	if (typeof value !== 'string' || !allowed.includes(value)) {
		throw invalid(
			ctx,
			itemIndex,
			field,
			`must be one of ${allowed.join(', ')}; got ${show(value)}`,
		);
	}
	return value;
}

/** "a whole number from 1 to 3,600": what a field takes, for errors and descriptions alike. */
export function rangeText({ min, max, integer }: NumberBounds): string {
	const number = (value: number) => value.toLocaleString('en-US');
	return `${integer ? 'a whole number' : 'a number'} from ${number(min)} to ${number(max)}`;
}

/** A number within its bounds; NaN, Infinity, text and out-of-range values fail the item. */
export function checkNumber(
	ctx: IExecuteFunctions,
	itemIndex: number,
	value: unknown,
	bounds: NumberBounds,
): number {
	const { min, max, integer } = bounds;
	const fits =
		typeof value === 'number' &&
		Number.isFinite(value) &&
		value >= min &&
		value <= max &&
		(!integer || Number.isInteger(value));
	if (!fits) {
		throw invalid(
			ctx,
			itemIndex,
			bounds.displayName,
			`must be ${rangeText(bounds)}; got ${show(value)}`,
		);
	}
	return value;
}

/** A number option of a collection; left out, its default. */
export function readNumberOption(
	ctx: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
	key: string,
	bounds: NumberBounds,
): number {
	if (!Object.hasOwn(options, key)) return bounds.default;
	return checkNumber(ctx, itemIndex, options[key], bounds);
}

/** A multi-choice option: a list of known values (an expression may give one string). */
export function readListOption(
	ctx: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
	key: string,
	field: string,
	allowed: readonly string[],
): string[] {
	const value = options[key];
	if (value === undefined || value === null || value === '') return [];
	const list = typeof value === 'string' ? value.split(',').map((part) => part.trim()) : value;
	if (!Array.isArray(list))
		throw invalid(ctx, itemIndex, field, `must be a list; got ${show(value)}`);
	const unknown = list.find((entry) => typeof entry !== 'string' || !allowed.includes(entry));
	if (unknown !== undefined) {
		throw invalid(ctx, itemIndex, field, `can hold ${allowed.join(', ')}; got ${show(unknown)}`);
	}
	return [...new Set(list as string[])];
}
