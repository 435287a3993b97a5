import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { Authentication } from '../transport/graph';
import { GUID_PATTERN, type Scope, SCOPES } from '../model';
import { readParameter } from './parameters';
import type { NumberBounds } from './types';

const GUID = new RegExp(GUID_PATTERN);

/**
 * Entra ID's user principal names (learn.microsoft.com, "Password policies and account
 * restrictions in Microsoft Entra ID"): at most 113 characters, 64 before the @ and 48 after;
 * letters A-Z, digits and ' . - _ ! # ^ ~ before the @; a dotted domain after it.
 */
const UPN_MAX = 113;
const UPN_LOCAL_MAX = 64;
const UPN_DOMAIN_MAX = 48;
// Single character classes, never nested or overlapping: each test is linear in the length,
// and the length is checked first anyway.
const NOT_UPN_LOCAL = /[^A-Za-z0-9'._!#^~-]/u;
const NOT_UPN_DOMAIN = /[^A-Za-z0-9.-]/u;
const VISIBLE = /^[\p{L}\p{N}\p{P}\p{S}]$/u;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A value as an error message shows it: text quoted and cut short, anything else as it is. */
const show = (value: unknown) =>
	typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : String(value).slice(0, 80);

/** Bad input fails its item with the field named, before anything is sent. */
export function invalid(ctx: IExecuteFunctions, itemIndex: number, field: string, problem: string) {
	return new NodeOperationError(ctx.getNode(), `Item ${itemIndex}: "${field}" ${problem}`, {
		itemIndex,
		description: 'Nothing was sent to Microsoft Graph for this item.',
	});
}

// Node 20 has String.prototype.isWellFormed; the TypeScript lib this project builds with does not declare it.
const isWellFormed = (text: string) =>
	(text as string & { isWellFormed(): boolean }).isWellFormed();

const codePoint = (char: string) =>
	`U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * What is wrong with free text before anything else looks at it: too long, a lone surrogate
 * (which would make URL encoding throw mid-run), or a control character. Undefined when fine.
 */
export function textProblem(text: string, maxLength: number): string | undefined {
	if (text.length > maxLength) {
		return `is ${text.length.toLocaleString('en-US')} characters long; at most ${maxLength} are allowed`;
	}
	if (!isWellFormed(text)) return 'is not well-formed Unicode (it holds a lone surrogate)';
	const control = CONTROL.exec(text);
	if (control) return `contains the control character ${codePoint(control[0])}`;
	return undefined;
}

const A_UPN = 'a user principal name like adele@contoso.com';

/**
 * What is wrong with a user principal name, by Entra ID's rules; undefined when it is one.
 * `expected` names what the field takes, for a value that is not shaped like a UPN at all.
 */
export function upnProblem(upn: string, expected = A_UPN): string | undefined {
	const problem = textProblem(upn, UPN_MAX);
	if (problem) return problem;
	const at = upn.indexOf('@');
	if (at <= 0 || at !== upn.lastIndexOf('@') || at === upn.length - 1) {
		return `must be ${expected}; got ${show(upn)}`;
	}
	const local = upn.slice(0, at);
	const domain = upn.slice(at + 1);
	if (local.length > UPN_LOCAL_MAX) {
		return `has ${local.length} characters before the @; Entra ID allows at most ${UPN_LOCAL_MAX}`;
	}
	if (domain.length > UPN_DOMAIN_MAX) {
		return `has ${domain.length} characters after the @; Entra ID allows at most ${UPN_DOMAIN_MAX}`;
	}
	const bad = NOT_UPN_LOCAL.exec(local) ?? NOT_UPN_DOMAIN.exec(domain);
	if (bad) {
		// a visible character as it is; a space or an invisible one by its code point
		const char = VISIBLE.test(bad[0]) ? JSON.stringify(bad[0]) : codePoint(bad[0]);
		return `contains ${char}, which Entra ID does not allow in a user principal name (before the @: letters A-Z, digits and ' . - _ ! # ^ ~; after it: letters, digits, . and -)`;
	}
	if (local.endsWith('.')) return 'must not have a "." right before the @';
	const labels = domain.split('.');
	if (labels.length < 2 || labels.some((label) => label === '')) {
		return `must be ${expected}, its domain dotted like contoso.com; got ${show(upn)}`;
	}
	return undefined;
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

/** What is wrong with a "User" value: an object ID (GUID) or a UPN; undefined when fine. */
export function userProblem(user: string): string | undefined {
	// anchored, fixed-length pattern: it gives up within 36 characters, whatever the length
	return GUID.test(user) ? undefined : upnProblem(user, `an object ID (GUID) or ${A_UPN}`);
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
