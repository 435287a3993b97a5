import type { Scope } from '../common.descriptions';

/**
 * Graph path of a scope's Cloud PC collection, or of one Cloud PC in it. IDs are URL-encoded;
 * encoding throws on a lone surrogate, which the checks in validate.ts let no value through with.
 */
export function cloudPcPath(scope: Scope, user: string | undefined, cloudPcId?: string): string {
	const collection =
		scope === 'organization'
			? '/deviceManagement/virtualEndpoint/cloudPCs'
			: scope === 'user'
				? `/users/${encodeURIComponent(user ?? '')}/cloudPCs`
				: '/me/cloudPCs';
	return cloudPcId === undefined ? collection : `${collection}/${encodeURIComponent(cloudPcId)}`;
}
