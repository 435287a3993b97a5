/**
 * Microsoft's national clouds: where to sign in and where Graph lives. Both credential types
 * and the transport read this one table, so a cloud is added in one place.
 */
export const NATIONAL_CLOUDS = {
	global: {
		name: 'Global (graph.microsoft.com)',
		loginBaseUrl: 'https://login.microsoftonline.com',
		graphBaseUrl: 'https://graph.microsoft.com',
	},
	usGovL4: {
		name: 'US Government L4 (graph.microsoft.us)',
		loginBaseUrl: 'https://login.microsoftonline.us',
		graphBaseUrl: 'https://graph.microsoft.us',
	},
	usGovL5: {
		name: 'US Government L5 / DoD (dod-graph.microsoft.us)',
		loginBaseUrl: 'https://login.microsoftonline.us',
		graphBaseUrl: 'https://dod-graph.microsoft.us',
	},
	china: {
		name: 'China, operated by 21Vianet (microsoftgraph.chinacloudapi.cn)',
		loginBaseUrl: 'https://login.chinacloudapi.cn',
		graphBaseUrl: 'https://microsoftgraph.chinacloudapi.cn',
	},
} as const;

export type NationalCloud = keyof typeof NATIONAL_CLOUDS;
export type CloudEnvironment = NationalCloud | 'custom';

export interface CloudEndpoints {
	loginBaseUrl: string;
	graphBaseUrl: string;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** Endpoints for stored credential data (`environment`, and the custom URLs when it is `custom`). */
export function resolveEndpoints(credentials: {
	environment?: unknown;
	loginBaseUrl?: unknown;
	graphBaseUrl?: unknown;
}): CloudEndpoints {
	const environment = (credentials.environment ?? 'global') as CloudEnvironment;
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
