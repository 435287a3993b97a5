import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';

import { appOnlyScope, resolveEndpoints } from '../environments';
import { invalidCredential } from './signInErrors';
import { GUID_PATTERN } from '../model';

export const APP_ONLY_AUTH_METHODS = [
	'clientSecret',
	'clientCertificate',
	'managedIdentity',
] as const;
export type AppOnlyAuthMethod = (typeof APP_ONLY_AUTH_METHODS)[number];

/** User-assigned identity kinds; each is also the MSAL parameter that names such an identity. */
export const USER_ASSIGNED_IDENTITIES = [
	'userAssignedClientId',
	'userAssignedResourceId',
	'userAssignedObjectId',
] as const;
export type ManagedIdentityType = 'systemAssigned' | (typeof USER_ASSIGNED_IDENTITIES)[number];

/** Stored credential data, as n8n hands it to `authenticate`. */
export type AppOnlyCredentialData = Record<string, unknown>;

/** The client-credentials part of MSAL's `NodeAuthOptions`. */
export interface AppRegistrationAuth {
	clientId: string;
	/** `{login}/{tenant}` */
	authority: string;
	knownAuthorities?: string[];
	authorityMetadata?: string;
	clientSecret?: string;
	clientCertificate?: {
		/** SHA-1; MSAL then signs RS256 with an x5t header */
		thumbprint?: string;
		/** MSAL then signs PS256 with an x5t#S256 header */
		thumbprintSha256?: string;
		privateKey: string;
		x5c?: string;
	};
}

/** MSAL's `ManagedIdentityIdParams`: none for a system-assigned identity. */
export type ManagedIdentityIdParams = Partial<
	Record<(typeof USER_ASSIGNED_IDENTITIES)[number], string>
>;

interface PlanBase {
	/** sha256 over every identifying field, secrets included: the secret only ever enters the hash */
	cacheKey: string;
	/** `https://{graph host}/.default`; for Custom, Token Scope or Microsoft Graph's */
	scope: string;
	/** values that must never appear in a message */
	secrets: string[];
}

/** Everything needed to ask for a token, worked out from the stored credential. */
export type AppOnlyPlan =
	| (PlanBase & {
			method: 'clientSecret' | 'clientCertificate';
			auth: AppRegistrationAuth;
			/** named in messages */
			loginHost: string;
	  })
	| (PlanBase & { method: 'managedIdentity'; managedIdentityIdParams?: ManagedIdentityIdParams });

const GUID = new RegExp(GUID_PATTERN);
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
/** Multi-tenant aliases: fine for delegated sign-in, meaningless without a user. */
const TENANT_ALIASES = ['common', 'organizations', 'consumers'];

const text = (data: AppOnlyCredentialData, name: string) =>
	typeof data[name] === 'string' ? data[name].trim() : '';

/**
 * Validates stored credential data and works out the MSAL configuration for it: authority
 * `{login}/{tenant}` and scope `{graph}/.default` for the credential's cloud. No network.
 */
export function planAppOnlySignIn(data: AppOnlyCredentialData): AppOnlyPlan {
	const method = (text(data, 'authMethod') || 'clientSecret') as AppOnlyAuthMethod;
	if (!APP_ONLY_AUTH_METHODS.includes(method)) {
		throw invalidCredential('Authentication', `must be one of ${APP_ONLY_AUTH_METHODS.join(', ')}`);
	}
	const { loginBaseUrl } = endpointsOf(data);
	const scope = scopeOf(data);
	if (method === 'managedIdentity') {
		const { params, identity } = managedIdentityOf(data);
		return {
			method,
			scope,
			secrets: [],
			cacheKey: hash([method, scope, ...identity]),
			managedIdentityIdParams: params,
		};
	}
	return appRegistrationPlan(data, method, loginBaseUrl, scope);
}

/** Client credentials and managed identity can only ask for a resource's `/.default` scope. */
function scopeOf(data: AppOnlyCredentialData): string {
	const scope = appOnlyScope(data);
	if (!scope.endsWith('/.default')) {
		throw invalidCredential(
			'Token Scope',
			'must end in /.default for app-only sign-in, like https://graph.microsoft.com/.default',
		);
	}
	return scope;
}

function appRegistrationPlan(
	data: AppOnlyCredentialData,
	method: 'clientSecret' | 'clientCertificate',
	loginBaseUrl: string,
	scope: string,
): AppOnlyPlan {
	if (!URL.canParse(loginBaseUrl)) {
		throw invalidCredential('Login Base URL', 'must be an absolute URL like https://host');
	}
	const login = new URL(loginBaseUrl);
	if (login.protocol !== 'https:') {
		throw invalidCredential(
			'Login Base URL',
			`must start with https://; Microsoft's sign-in library (MSAL) refuses anything else. Got ${login.protocol}//${login.host}`,
		);
	}
	const tenantId = tenantOf(data);
	const clientId = text(data, 'clientId');
	if (!GUID.test(clientId)) {
		throw invalidCredential(
			'Client ID',
			"must be the app registration's Application (client) ID, a GUID",
		);
	}
	const authority = `${loginBaseUrl}/${tenantId}`;
	const auth: AppRegistrationAuth = {
		clientId,
		authority,
		...(data.environment === 'custom' ? customAuthority(login, authority) : {}),
	};
	const identity = [method, loginBaseUrl, scope, tenantId, clientId];
	if (method === 'clientSecret') {
		const clientSecret = text(data, 'clientSecret');
		if (!clientSecret) throw invalidCredential('Client Secret', 'is empty');
		auth.clientSecret = clientSecret;
		identity.push(clientSecret);
	} else {
		const certificate = certificateOf(data);
		auth.clientCertificate = certificate;
		identity.push(
			certificate.privateKey,
			certificate.thumbprintSha256 ?? certificate.thumbprint ?? '',
			certificate.x5c ?? '',
		);
	}
	const secrets = [auth.clientSecret, auth.clientCertificate?.privateKey, text(data, 'privateKey')]
		.filter((value): value is string => !!value)
		.flatMap((value) => [value, pemBody(value)]);
	return {
		method,
		scope,
		loginHost: login.host,
		secrets,
		cacheKey: hash(identity),
		auth,
	};
}

function endpointsOf(data: AppOnlyCredentialData) {
	let endpoints;
	try {
		endpoints = resolveEndpoints(data);
	} catch {
		throw invalidCredential('Environment', 'is not one of the offered clouds');
	}
	if (!URL.canParse(endpoints.graphBaseUrl)) {
		throw invalidCredential('Graph Base URL', 'must be an absolute URL like https://host');
	}
	return endpoints;
}

function tenantOf(data: AppOnlyCredentialData): string {
	const tenantId = text(data, 'tenantId');
	if (!tenantId) {
		throw invalidCredential(
			'Tenant ID',
			'is empty; enter the Directory (tenant) ID of your tenant',
		);
	}
	if (TENANT_ALIASES.includes(tenantId.toLowerCase())) {
		throw invalidCredential(
			'Tenant ID',
			`is "${tenantId}", which only works for delegated sign-in; app-only sign-in needs your Directory (tenant) ID or a verified domain`,
		);
	}
	if (!GUID.test(tenantId) && !DOMAIN.test(tenantId)) {
		throw invalidCredential(
			'Tenant ID',
			'must be a Directory (tenant) ID (a GUID) or a verified domain like contoso.onmicrosoft.com',
		);
	}
	return tenantId;
}

/**
 * Custom login hosts (gateways, local test servers) are trusted as given: MSAL gets the
 * endpoints from here instead of asking login.microsoftonline.com (instance discovery) or
 * fetching openid-configuration, so every token request goes through the configured host.
 */
function customAuthority(login: URL, authority: string): Partial<AppRegistrationAuth> {
	return {
		knownAuthorities: [login.host],
		authorityMetadata: JSON.stringify({
			token_endpoint: `${authority}/oauth2/v2.0/token`,
			authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
			end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
			jwks_uri: `${authority}/discovery/v2.0/keys`,
			issuer: `${authority}/v2.0`,
		}),
	};
}

type ClientCertificate = NonNullable<AppRegistrationAuth['clientCertificate']>;

function certificateOf(data: AppOnlyCredentialData): ClientCertificate {
	let key: KeyObject;
	try {
		key = createPrivateKey(normalizePem(text(data, 'privateKey')));
	} catch {
		throw invalidCredential(
			'Private Key',
			'must be an unencrypted PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)',
		);
	}
	// Entra ID verifies client assertions signed with RS256 or PS256 only.
	if (key.asymmetricKeyType !== 'rsa') {
		throw invalidCredential('Private Key', 'must be an RSA key');
	}
	const thumbprint = text(data, 'thumbprint').replace(/[\s:]/g, '').toLowerCase();
	if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(thumbprint)) {
		throw invalidCredential(
			'Thumbprint',
			'must be the SHA-256 (64 hex digits) or SHA-1 (40 hex digits) thumbprint of the certificate',
		);
	}
	const sha256 = thumbprint.length === 64;
	const chain = normalizePem(text(data, 'certificateChain'));
	if (text(data, 'certificateChain')) checkChain(chain, key, thumbprint);
	return {
		privateKey: key.export({ format: 'pem', type: 'pkcs8' }).toString(),
		// MSAL signs with PS256 and x5t#S256 for a SHA-256 thumbprint, RS256 and x5t for SHA-1.
		...(sha256 ? { thumbprintSha256: thumbprint } : { thumbprint }),
		...(chain ? { x5c: chain } : {}),
	};
}

/** The chain is optional; when given, catch an expired or mismatched certificate locally. */
function checkChain(chain: string, key: KeyObject, thumbprint: string): void {
	const field = 'Certificate Chain (x5c)';
	const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(chain)?.[0];
	let leaf: X509Certificate;
	try {
		leaf = new X509Certificate(first ?? '');
	} catch {
		throw invalidCredential(
			field,
			'must start with the PEM certificate (-----BEGIN CERTIFICATE-----)',
		);
	}
	if (!leaf.checkPrivateKey(key)) {
		throw invalidCredential(
			field,
			"must start with the certificate of the Private Key (the app's own certificate)",
		);
	}
	const digest = createHash(thumbprint.length === 64 ? 'sha256' : 'sha1')
		.update(leaf.raw)
		.digest('hex');
	if (digest !== thumbprint) {
		throw invalidCredential(
			'Thumbprint',
			'is not the thumbprint of the first certificate in the chain',
		);
	}
	if (Date.parse(leaf.validTo) < Date.now()) {
		throw invalidCredential(
			field,
			`holds a certificate that expired on ${leaf.validTo}: create a new certificate, upload its public part to the app registration and update Private Key, Thumbprint and Chain`,
		);
	}
}

function managedIdentityOf(data: AppOnlyCredentialData): {
	params?: ManagedIdentityIdParams;
	identity: string[];
} {
	const type = (text(data, 'managedIdentityType') || 'systemAssigned') as ManagedIdentityType;
	if (type === 'systemAssigned') return { identity: [type] };
	if (!USER_ASSIGNED_IDENTITIES.includes(type)) {
		throw invalidCredential(
			'Managed Identity',
			`must be systemAssigned or one of ${USER_ASSIGNED_IDENTITIES.join(', ')}`,
		);
	}
	const id = text(data, 'managedIdentityId');
	if (!id) throw invalidCredential('Managed Identity ID', 'is empty');
	return { params: { [type]: id }, identity: [type, id] };
}

/**
 * Rebuilds PEM blocks whose line breaks were lost or escaped on the way into a password field
 * (pasted as one line, or with literal "\n").
 */
export function normalizePem(value: string): string {
	const blocks = [
		...value
			.replace(/\\n/g, '\n')
			.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g),
	];
	return blocks
		.map(([, label, body]) => {
			const lines = body.replace(/\s+/g, '').match(/.{1,64}/g) ?? [];
			return [`-----BEGIN ${label}-----`, ...lines, `-----END ${label}-----`].join('\n');
		})
		.join('\n');
}

function pemBody(pem: string): string {
	return pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
}

function hash(identity: readonly string[]): string {
	return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}
