import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

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

export function readApiVersion(ctx: IExecuteFunctions, itemIndex: number): 'v1.0' | 'beta' {
	const version = ctx.getNodeParameter('apiVersion', itemIndex, 'v1.0');
	if (version !== 'v1.0' && version !== 'beta') {
		throw invalid(ctx, itemIndex, 'API Version', `must be v1.0 or beta; got ${show(version)}`);
	}
	return version;
}
