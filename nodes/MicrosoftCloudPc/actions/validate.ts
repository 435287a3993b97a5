import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { Authentication } from '../transport/graph';
import { GUID_PATTERN, type Scope } from './common.descriptions';

const GUID = new RegExp(GUID_PATTERN);
// A UPN is an RFC 822-style name: one @, a dotted domain, no spaces or slashes.
const UPN = /^[^\s@/\\]+@[^\s@/\\]+\.[^\s@/\\]+$/;

const SCOPES: Scope[] = ['organization', 'user', 'me'];

const show = (value: unknown) => JSON.stringify(String(value ?? '').slice(0, 80));

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
	const scope = ctx.getNodeParameter('scope', itemIndex) as Scope;
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
	const value = ctx.getNodeParameter('cloudPcId', itemIndex, '', { extractValue: true });
	const id = String(value ?? '').trim();
	if (!id) throw invalid(ctx, itemIndex, 'Cloud PC', 'is empty');
	if (!GUID.test(id)) {
		throw invalid(ctx, itemIndex, 'Cloud PC', `must be a Cloud PC ID (a GUID); got ${show(value)}`);
	}
	return id;
}

export function readUser(ctx: IExecuteFunctions, itemIndex: number): string {
	const value = ctx.getNodeParameter('user', itemIndex, '');
	const user = String(value ?? '').trim();
	if (!user) throw invalid(ctx, itemIndex, 'User', 'is empty');
	if (!GUID.test(user) && !UPN.test(user)) {
		throw invalid(
			ctx,
			itemIndex,
			'User',
			`must be an object ID (GUID) or a user principal name like adele@contoso.com; got ${show(value)}`,
		);
	}
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
	if (!UPN.test(upn)) {
		throw invalid(
			ctx,
			itemIndex,
			field,
			`must be a user principal name like adele@contoso.com; got ${show(value)}`,
		);
	}
	return upn;
}

export function readApiVersion(ctx: IExecuteFunctions, itemIndex: number): 'v1.0' | 'beta' {
	const version = ctx.getNodeParameter('apiVersion', itemIndex, 'v1.0');
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
	const value = ctx.getNodeParameter(name, itemIndex, {}) as IDataObject | null;
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

/** A number option at least `min`; absent means `fallback`. */
export function readNumberOption(
	ctx: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
	key: string,
	field: string,
	fallback: number,
	min: number,
): number {
	const value = options[key];
	if (value === undefined || value === null || value === '') return fallback;
	const number = typeof value === 'number' ? value : Number(value);
	if (!Number.isFinite(number) || number < min) {
		throw invalid(ctx, itemIndex, field, `must be a number of at least ${min}; got ${show(value)}`);
	}
	return number;
}

/** "Limit" of a Get Many: a whole number of at least 1. */
export function readLimit(ctx: IExecuteFunctions, itemIndex: number): number {
	const value = ctx.getNodeParameter('limit', itemIndex, 50);
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
		throw invalid(
			ctx,
			itemIndex,
			'Limit',
			`must be a whole number of at least 1; got ${show(value)}`,
		);
	}
	return value;
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
