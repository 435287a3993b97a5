// @azure/msal-node is this package's one deliberate runtime dependency (README "Lint exceptions");
// this is the only module that imports it.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import {
	ConfidentialClientApplication,
	LogLevel,
	ManagedIdentityApplication,
	type AuthenticationResult,
	type Configuration,
	type ManagedIdentityConfiguration,
} from '@azure/msal-node';

import { AppOnlyTokenError, describeTokenError } from './errors';
import { planAppOnlySignIn, type AppOnlyCredentialData, type AppOnlyPlan } from './settings';

export { AppOnlyTokenError } from './errors';
export { planAppOnlySignIn, type AppOnlyCredentialData, type AppOnlyPlan } from './settings';

/** MSAL must never log tokens or personal data, and never to the console. */
const system = {
	loggerOptions: { loggerCallback: () => {}, piiLoggingEnabled: false, logLevel: LogLevel.Error },
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
