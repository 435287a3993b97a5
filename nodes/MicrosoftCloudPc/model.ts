/*
 * The Cloud PC model, shared by the node, its credentials and its transport: scopes, ids,
 * fields, statuses and the Graph paths they make.
 */

export const GUID_PATTERN =
	'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export type Scope = 'organization' | 'user' | 'me';

export const SCOPES: readonly Scope[] = ['organization', 'user', 'me'];

/** Cloud PC properties Graph can return; `status` and `statusDetail` exist only in beta. */
export const CLOUD_PC_FIELDS = [
	'displayName',
	'managedDeviceName',
	'userPrincipalName',
	'status',
	'statusDetail',
	'servicePlanName',
	'imageDisplayName',
	'provisioningPolicyId',
	'lastModifiedDateTime',
] as const;

export const BETA_ONLY_FIELDS: readonly string[] = ['status', 'statusDetail'];

/**
 * beta `status` values Graph documents, as the editor names them; Graph may send newer ones,
 * which pass through as data.
 */
export const CLOUD_PC_STATUSES = [
	['Deprovisioning', 'deprovisioning'],
	['Failed', 'failed'],
	['In Grace Period', 'inGracePeriod'],
	['Modifying Single Sign-On', 'modifyingSingleSignOn'],
	['Moving Region', 'movingRegion'],
	['Not Provisioned', 'notProvisioned'],
	['Pending Provision', 'pendingProvision'],
	['Preparing', 'preparing'],
	['Provisioned', 'provisioned'],
	['Provisioned With Warnings', 'provisionedWithWarnings'],
	['Provisioning', 'provisioning'],
	['Resize Pending License', 'resizePendingLicense'],
	['Resizing', 'resizing'],
	['Restoring', 'restoring'],
] as const;

/** Windows 365 accepts a reprovision only in these states. */
/** Graph's largest page of a Cloud PC list (`$top`). */
export const MAX_TOP = 999;

export const REPROVISIONABLE_STATUSES: readonly string[] = ['provisioned', 'failed'];

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
