import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

import {
	startGraphServer,
	type GraphServer,
	type GraphServerOptions,
	type SeedCloudPc,
} from './graph-server';

export const TENANT = 'contoso.onmicrosoft.com';
export const ACCESS_TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.delegated-admin-token';
export const REFRESH_TOKEN = '0.AAAA-refresh-token-secret';
export const CLIENT_SECRET = 'Zx8Q~client-secret-value';
export const READER_TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.no-write-permission';

export const ADELE = { id: '5f0c8a3e-7d11-4a44-9d53-6a1b2c3d4e5f', upn: 'adele.vance@contoso.com' };
export const ALEX = {
	id: '0b7f5a9c-1e2d-4c3b-8a9f-112233445566',
	upn: "alex.o'neil#it@contoso.com",
};

export const PC = {
	adeleProvisioned: '4b5ad5e0-6a0b-4ffc-818d-36bb23cf4dbd',
	adeleFailed: '36bd4942-0ca8-11ed-861d-0242ac120002',
	alexProvisioned: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
	alexProvisioning: 'c0ffee00-1234-4abc-9def-00112233aabb',
} as const;

export const cloudPcs: SeedCloudPc[] = [
	{
		id: PC.adeleProvisioned,
		displayName: 'CPC-adele-01',
		managedDeviceName: 'CPC-adele-01',
		userPrincipalName: ADELE.upn,
		userId: ADELE.id,
		status: 'provisioned',
	},
	{
		id: PC.adeleFailed,
		displayName: 'CPC-adele-02',
		userPrincipalName: ADELE.upn,
		userId: ADELE.id,
		status: 'failed',
	},
	{
		id: PC.alexProvisioned,
		displayName: 'CPC-alex-01',
		userPrincipalName: ALEX.upn,
		userId: ALEX.id,
		status: 'provisioned',
	},
	{
		id: PC.alexProvisioning,
		displayName: 'CPC-alex-02',
		userPrincipalName: ALEX.upn,
		userId: ALEX.id,
		status: 'provisioning',
	},
];

/** Adele is the signed-in admin of the delegated credential. */
export const serverOptions = (): GraphServerOptions => ({
	cloudPcs,
	tokens: {
		[ACCESS_TOKEN]: { userId: ADELE.id, scopes: ['CloudPC.ReadWrite.All'] },
		[READER_TOKEN]: { userId: ADELE.id, scopes: ['User.Read'] },
	},
	refreshTokens: { [REFRESH_TOKEN]: { accessToken: ACCESS_TOKEN } },
});

/** The delegated credential as n8n stores it after "Connect", pointed at the local server. */
export function delegatedCredential(
	serverUrl: string,
	accessToken = ACCESS_TOKEN,
): Record<string, ICredentialDataDecryptedObject> {
	return {
		microsoftCloudPcOAuth2Api: {
			environment: 'custom',
			loginBaseUrl: serverUrl,
			graphBaseUrl: serverUrl,
			tenantId: TENANT,
			clientId: '11111111-2222-3333-4444-555555555555',
			clientSecret: CLIENT_SECRET,
			oauthTokenData: {
				access_token: accessToken,
				refresh_token: REFRESH_TOKEN,
				token_type: 'Bearer',
			},
		},
	};
}

export const SECRETS = [ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_SECRET, READER_TOKEN];

/** Get Many over the whole tenant, every page. */
export function getManyParameters(overrides: INodeParameters = {}): INodeParameters {
	return {
		authentication: 'oAuth2',
		resource: 'cloudPc',
		operation: 'getMany',
		scope: 'organization',
		returnAll: true,
		...overrides,
	};
}

export function reprovisionParameters(overrides: INodeParameters = {}): INodeParameters {
	return {
		authentication: 'oAuth2',
		resource: 'cloudPc',
		operation: 'reprovision',
		scope: 'organization',
		cloudPcId: { __rl: true, mode: 'id', value: '={{ $json.cloudPcId }}' },
		...overrides,
	};
}

/** The sample tenant plus a fleet of Cloud PCs, for runs of many items. */
export async function startFleetServer(
	fleet: SeedCloudPc[],
	options: GraphServerOptions = {},
): Promise<GraphServer> {
	return await startGraphServer({
		...serverOptions(),
		cloudPcs: [...cloudPcs, ...fleet],
		...options,
	});
}
