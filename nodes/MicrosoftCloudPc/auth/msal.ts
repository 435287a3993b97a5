// @azure/msal-node is this package's one deliberate runtime dependency (README "Lint exceptions");
// this is the only module that imports it.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import {
	AuthError,
	ConfidentialClientApplication,
	LogLevel,
	ManagedIdentityApplication,
	type AuthenticationResult,
	type Configuration,
	type INetworkModule,
	type ManagedIdentityConfiguration,
	type NetworkRequestOptions,
	type NetworkResponse,
} from '@azure/msal-node';

import { AppOnlyTokenError, describeTokenError } from './signInErrors';
import { planAppOnlySignIn, type AppOnlyCredentialData, type AppOnlyPlan } from './settings';

export { AppOnlyTokenError } from './signInErrors';
export { planAppOnlySignIn, type AppOnlyCredentialData, type AppOnlyPlan } from './settings';

/** How long one sign-in request may take before the item fails with a network error. */
export const TOKEN_REQUEST_TIMEOUT_MS = 30_000;

/**
 * MSAL's own network client, plus a time limit: MSAL sets none on token requests, so a login
 * endpoint that accepts the connection and never answers would hold the execution for ever.
 * Same fetch and the same answers otherwise; failures are MSAL's `network_error`.
 */
const networkClient: INetworkModule = {
	sendGetRequestAsync: async <T>(url: string, options?: NetworkRequestOptions, timeout?: number) =>
		await send<T>(url, 'GET', options, timeout),
	sendPostRequestAsync: async <T>(url: string, options?: NetworkRequestOptions) =>
		await send<T>(url, 'POST', options),
};

async function send<T>(
	url: string,
	method: 'GET' | 'POST',
	options: NetworkRequestOptions | undefined,
	timeoutMs = TOKEN_REQUEST_TIMEOUT_MS,
): Promise<NetworkResponse<T>> {
	const signal = AbortSignal.timeout(timeoutMs);
	const failed = (error: unknown) =>
		msalError(
			'network_error',
			signal.aborted
				? `No answer within ${timeoutMs / 1000} s`
				: `Network request failed: ${(error as Error)?.message ?? 'unknown'}`,
		);
	let response: Response;
	try {
		// msal-node itself signs in through Node's fetch; this only adds the signal.
		response = await fetch(url, {
			method,
			headers: options?.headers,
			body: method === 'POST' ? (options?.body ?? '') : undefined,
			signal,
		});
	} catch (error) {
		throw failed(error);
	}
	let body: T;
	try {
		body = (await response.json()) as T;
	} catch (error) {
		if (signal.aborted) throw failed(error);
		throw msalError('token_parsing_error', `Failed to parse response: ${(error as Error).message}`);
	}
	const headers: Record<string, string> = {};
	response.headers.forEach((value, name) => (headers[name] = value));
	return { headers, body, status: response.status };
}

/** The error MSAL's own client would throw (no correlation ID yet); describeTokenError maps it. */
function msalError(code: string, message: string): AuthError {
	return new AuthError(code, '', message);
}

/** MSAL must never log tokens or personal data, and never to the console. */
const system = {
	loggerOptions: { loggerCallback: () => {}, piiLoggingEnabled: false, logLevel: LogLevel.Error },
	networkClient,
};

type ManagedIdentityPlan = Extract<AppOnlyPlan, { method: 'managedIdentity' }>;
type AppRegistrationPlan = Exclude<AppOnlyPlan, ManagedIdentityPlan>;

/** The MSAL configuration for a plan: no network, nothing created. */
export function msalConfiguration(plan: ManagedIdentityPlan): ManagedIdentityConfiguration;
export function msalConfiguration(plan: AppRegistrationPlan): Configuration;
export function msalConfiguration(plan: AppOnlyPlan): Configuration | ManagedIdentityConfiguration {
	return plan.method === 'managedIdentity'
		? { managedIdentityIdParams: plan.managedIdentityIdParams, system }
		: { auth: plan.auth, system };
}

interface TokenSource {
	acquire(forceRefresh: boolean): Promise<AuthenticationResult | null>;
}

function createSource(plan: AppOnlyPlan): TokenSource {
	if (plan.method === 'managedIdentity') {
		const app = new ManagedIdentityApplication(msalConfiguration(plan));
		return {
			acquire: async (forceRefresh) =>
				await app.acquireToken({ resource: plan.scope, forceRefresh }),
		};
	}
	const app = new ConfidentialClientApplication(msalConfiguration(plan));
	return {
		acquire: async (skipCache) =>
			await app.acquireTokenByClientCredential({ scopes: [plan.scope], skipCache }),
	};
}

/**
 * MSAL applications by credential hash. Each keeps its tokens in memory and hands out the cached
 * one until shortly before it expires (MSAL renews 5 minutes early), so all items of a run and
 * later runs in this process share one token. Bounded, so rotated credentials do not pile up.
 */
const MAX_APPLICATIONS = 50;
const sources = new Map<string, TokenSource>();
/** Concurrent requests for one credential wait for the same token request. */
const pending = new Map<string, Promise<string>>();
/** Credentials whose token was rejected; MSAL keeps managed identity tokens in a process-wide cache. */
const forgotten = new Set<string>();

function sourceFor(plan: AppOnlyPlan): TokenSource {
	let source = sources.get(plan.cacheKey);
	if (!source) {
		source = createSource(plan);
		sources.set(plan.cacheKey, source);
		if (sources.size > MAX_APPLICATIONS) sources.delete(sources.keys().next().value!);
	}
	return source;
}

async function requestToken(plan: AppOnlyPlan): Promise<string> {
	const forceRefresh = forgotten.delete(plan.cacheKey);
	try {
		const result = await sourceFor(plan).acquire(forceRefresh);
		if (!result?.accessToken) {
			throw new AppOnlyTokenError(
				'Microsoft Entra ID answered without an access token.',
				'NoToken',
			);
		}
		return result.accessToken;
	} catch (error) {
		if (forceRefresh) forgotten.add(plan.cacheKey);
		throw describeTokenError(error, {
			loginHost: plan.method === 'managedIdentity' ? undefined : plan.loginHost,
			secrets: plan.secrets,
		});
	}
}

/** An app-only access token for Microsoft Graph, from MSAL's cache while it is still good. */
export async function acquireAppOnlyToken(credentials: AppOnlyCredentialData): Promise<string> {
	const plan = planAppOnlySignIn(credentials);
	let request = pending.get(plan.cacheKey);
	if (!request) {
		request = requestToken(plan).finally(() => pending.delete(plan.cacheKey));
		pending.set(plan.cacheKey, request);
	}
	return await request;
}

/** Drops the cached token of a credential (Graph answered 401), so the next call gets a new one. */
export function forgetAppOnlyToken(credentials: AppOnlyCredentialData): void {
	let plan: AppOnlyPlan;
	try {
		plan = planAppOnlySignIn(credentials);
	} catch {
		return; // an unusable credential has no token to forget
	}
	sources.delete(plan.cacheKey);
	forgotten.add(plan.cacheKey);
}

/**
 * Forgets every MSAL application, cached token and pending token request this module holds, as
 * a process that has just started would. Only tests call it (before each test, so that no test
 * meets another's tokens); the node never does. Managed identity tokens MSAL keeps in its own
 * process-wide cache are out of its reach.
 */
export function forgetAllAppOnlyTokens(): void {
	sources.clear();
	pending.clear();
	forgotten.clear();
}
