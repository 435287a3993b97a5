/**
 * Microsoft's national clouds: where to sign in and where Graph lives. Both credential types
 * and the transport read this one table, so a cloud is added in one place.
 *
 * `reprovision`: whether Microsoft's reprovision and bulk-action pages list the cloud (v1.0,
 * 2025-11: Global and US Government L4 only). The others stay offered, as Microsoft's tables
 * have changed before, but the user is told.
 */
export const NATIONAL_CLOUDS = {
	global: {
		name: 'Global (graph.microsoft.com)',
		loginBaseUrl: 'https://login.microsoftonline.com',
		graphBaseUrl: 'https://graph.microsoft.com',
		reprovision: true,
	},
	usGovL4: {
		name: 'US Government L4 (graph.microsoft.us)',
		loginBaseUrl: 'https://login.microsoftonline.us',
		graphBaseUrl: 'https://graph.microsoft.us',
		reprovision: true,
	},
	usGovL5: {
		name: 'US Government L5 / DoD (dod-graph.microsoft.us)',
		loginBaseUrl: 'https://login.microsoftonline.us',
		graphBaseUrl: 'https://dod-graph.microsoft.us',
		reprovision: false,
	},
	china: {
		name: 'China, operated by 21Vianet (microsoftgraph.chinacloudapi.cn)',
		loginBaseUrl: 'https://login.chinacloudapi.cn',
		graphBaseUrl: 'https://microsoftgraph.chinacloudapi.cn',
		reprovision: false,
	},
} as const;

/** Microsoft Graph as Entra ID knows it: the audience of Graph tokens. */
export const GRAPH_RESOURCE = NATIONAL_CLOUDS.global.graphBaseUrl;

/**
 * What a Custom environment (an API gateway in front of Graph) asks Entra ID for when Token
 * Scope is empty: a token for Microsoft Graph itself, which is what the gateway passes on.
 * Entra ID knows no resource named after the gateway's URL.
 */
export const GRAPH_DEFAULT_SCOPE = `${GRAPH_RESOURCE}/.default`;

export type NationalCloud = keyof typeof NATIONAL_CLOUDS;
export type CloudEnvironment = NationalCloud | 'custom';

export interface CloudEndpoints {
	loginBaseUrl: string;
	graphBaseUrl: string;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

interface StoredEnvironment {
	environment?: unknown;
	loginBaseUrl?: unknown;
	graphBaseUrl?: unknown;
	tokenScope?: unknown;
}

export function environmentOf(credentials: StoredEnvironment): CloudEnvironment {
	return (credentials.environment ?? 'global') as CloudEnvironment;
}

/** Endpoints for stored credential data (`environment`, and the custom URLs when it is `custom`). */
export function resolveEndpoints(credentials: StoredEnvironment): CloudEndpoints {
	const environment = environmentOf(credentials);
	if (environment === 'custom') {
		return {
			loginBaseUrl: trimSlash(String(credentials.loginBaseUrl ?? '')),
			graphBaseUrl: trimSlash(String(credentials.graphBaseUrl ?? '')),
		};
	}
	const cloud = NATIONAL_CLOUDS[environment];
	if (!cloud) throw new Error(`Unknown Microsoft cloud environment "${String(environment)}"`);
	return { loginBaseUrl: cloud.loginBaseUrl, graphBaseUrl: cloud.graphBaseUrl };
}

/** The app-only scope: `{graph host}/.default` of the cloud; for Custom, Token Scope or Graph's. */
export function appOnlyScope(credentials: StoredEnvironment): string {
	const environment = environmentOf(credentials);
	if (environment !== 'custom') return `${resolveEndpoints(credentials).graphBaseUrl}/.default`;
	const tokenScope = String(credentials.tokenScope ?? '').trim();
	return tokenScope || GRAPH_DEFAULT_SCOPE;
}

/**
 * The delegated scope as an expression over the credential (`$self`), for n8n's OAuth2 flow.
 * Global and Custom name Graph's permission bare (Graph is the default resource); Custom with
 * Token Scope asks for that instead; other clouds qualify the permission with their Graph host.
 * `offline_access` always: n8n needs the refresh token.
 */
export function delegatedScopeExpression(): string {
	const graphBase = endpointExpression('graphBaseUrl');
	const permission = `($self.environment === 'global' || $self.environment === 'custom' ? '' : ${graphBase} + '/') + 'CloudPC.ReadWrite.All'`;
	const tokenScope = `($self.environment === 'custom' ? String($self.tokenScope ?? '').trim() : '')`;
	return `(${tokenScope} || ${permission}) + ' offline_access'`;
}

/**
 * The same lookup as an n8n expression body, for credential fields n8n resolves itself: hidden
 * fields see the credential's own data as `$self`, a credential test request as `$credentials`.
 */
export function endpointExpression(
	field: keyof CloudEndpoints,
	data: '$self' | '$credentials' = '$self',
): string {
	const table = Object.fromEntries(
		Object.entries(NATIONAL_CLOUDS).map(([key, cloud]) => [key, cloud[field]]),
	);
	return `(${JSON.stringify(table)}[${data}.environment] ?? String(${data}.${field} ?? '').replace(/\\/+$/, ''))`;
}
