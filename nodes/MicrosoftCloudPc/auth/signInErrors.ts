/**
 * An app-only sign-in that failed, worded as the fix. `errorCode` is the AADSTS code or MSAL's
 * error code. It is deliberately not `code`: n8n's credential test shows a failure's `cause.code`
 * instead of its message. Nothing of the original error is chained: MSAL errors can carry
 * request details.
 */
export class AppOnlyTokenError extends Error {
	constructor(
		message: string,
		readonly errorCode: string,
	) {
		super(message);
		this.name = 'AppOnlyTokenError';
	}
}

/** A credential field that cannot work, reported before anything is sent. */
export function invalidCredential(field: string, problem: string): AppOnlyTokenError {
	return new AppOnlyTokenError(
		`Microsoft Cloud PC (App-Only) credential: "${field}" ${problem}`,
		'InvalidCredential',
	);
}

const ENTRA_ID = 'Microsoft Entra ID refused the app-only sign-in';

/** What to change for the AADSTS codes an admin meets when setting up an app registration. */
const AADSTS_FIXES: Record<string, string> = {
	'700016':
		'the application (client) ID was not found in this tenant. Check Client ID, and that the app registration lives in the tenant named by Tenant ID (or was consented to there).',
	'90002':
		'the tenant was not found. Check Tenant ID (the directory ID or a verified domain) and that Environment is the cloud the tenant lives in.',
	'900023':
		'Tenant ID is not a valid tenant. Use the Directory (tenant) ID from Microsoft Entra ID > Overview, or a verified domain.',
	'7000215':
		"the client secret is wrong. Paste the secret's Value (shown once, when it was created), not its Secret ID, from the app registration's Certificates & secrets.",
	'7000222':
		"the client secret has expired. Create a new one under the app registration's Certificates & secrets and update this credential.",
	'700027':
		"the certificate was not accepted. Upload the certificate's public part (.cer or .pem) under the app registration's Certificates & secrets, check that it has not expired, and that Thumbprint and Private Key belong to it.",
	'700023':
		'the client assertion was rejected. Check that Tenant ID and Environment name the tenant of the app registration, and that Thumbprint and Private Key belong to its registered certificate.',
	'700024':
		"the client assertion is outside its valid time range: the n8n host's clock is wrong. Synchronise it (NTP).",
	'7000218':
		'no client secret or certificate was sent. Fill in Client Secret, or Private Key and Thumbprint.',
	'500011':
		"the requested resource was not found in this tenant: Environment probably does not match the tenant's cloud (a US Government tenant needs US Government L4 or L5, a 21Vianet tenant needs China); for Custom, Token Scope must name a resource of this tenant (empty asks for Microsoft Graph).",
	'70011':
		"the requested scope is not valid. For the Custom environment, Token Scope must be a resource's /.default scope, or empty for Microsoft Graph's.",
	'65001':
		"admin consent is missing. In the app registration's API permissions, add the Microsoft Graph application permission CloudPC.ReadWrite.All and select Grant admin consent.",
	'7000229':
		'the app has no service principal in this tenant. An administrator must grant admin consent for it in this tenant.',
	'7000112':
		'the application is disabled in this tenant. An administrator must set "Enabled for users to sign in" to Yes on its enterprise application.',
	'53003':
		"a Conditional Access policy blocked the app. Ask an administrator to allow this app from the n8n host's network.",
};

/** MSAL's codes for "could not read the tenant's metadata" and "the answer was not JSON". */
const METADATA_ERRORS = new Set([
	'endpoints_resolution_error',
	'openid_config_error',
	'untrusted_authority',
	'issuer_validation_failed',
]);
const NOT_JSON_ERRORS = new Set(['token_parsing_error', 'invalid_json']);

export interface ErrorContext {
	/** the login host asked for tokens; none for managed identity */
	loginHost?: string;
	/** credential values that must never appear in a message */
	secrets: string[];
}

/** The fields of MSAL's AuthError (and ServerError) that say what went wrong. */
interface MsalError {
	errorCode: string;
	errorMessage?: string;
	correlationId?: string;
	/** ServerError: the first of the server's `error_codes` */
	errorNo?: string | number;
}

// Duck-typed, so that only auth/msal.ts imports MSAL.
function asMsalError(error: unknown): MsalError | undefined {
	const candidate = error as Partial<MsalError> | null | undefined;
	return typeof candidate?.errorCode === 'string' ? (candidate as MsalError) : undefined;
}

/** Turns whatever MSAL threw into an `AppOnlyTokenError` that names the fix and carries no secret. */
export function describeTokenError(thrown: unknown, context: ErrorContext): AppOnlyTokenError {
	if (thrown instanceof AppOnlyTokenError) return thrown;
	const clean = (text: string) => redact(text, context.secrets);
	const error = asMsalError(thrown);
	if (!error) {
		return new AppOnlyTokenError(
			clean(`App-only sign-in failed: ${(thrown as Error)?.message ?? String(thrown)}`),
			'UnknownError',
		);
	}
	const aadsts =
		/AADSTS(\d+)/.exec(error.errorMessage ?? '')?.[1] ??
		(error.errorNo ? String(error.errorNo) : undefined);
	const support = error.correlationId ? ` Correlation ID: ${error.correlationId}.` : '';
	if (aadsts) {
		const fix =
			AADSTS_FIXES[aadsts] ??
			`look the code up at https://login.microsoftonline.com/error?code=${aadsts}.`;
		return new AppOnlyTokenError(
			`${ENTRA_ID} (AADSTS${aadsts}): ${fix}${support}`,
			`AADSTS${aadsts}`,
		);
	}

	const code = error.errorCode || 'MsalError';
	const detail = clean(firstLine(error.errorMessage));
	const because = `${code}${detail ? `: ${detail}` : ''}`;
	const { loginHost } = context;
	let message: string;
	if (loginHost === undefined) {
		message =
			code === 'network_error'
				? 'No managed identity endpoint answered. Managed identity works only when n8n runs on an Azure resource that has one (App Service, Functions, Container Apps, a VM); elsewhere use a client secret or certificate.'
				: `The managed identity endpoint refused the token request (${because}). Check that a managed identity is assigned to the Azure resource n8n runs on, and that Managed Identity and its ID name that identity.`;
	} else if (code === 'network_error') {
		message = `Could not reach ${loginHost} for a token. Check the network and proxy, and that Environment (for Custom: Login Base URL) is right.${detail ? ` (${detail})` : ''}`;
	} else if (METADATA_ERRORS.has(code)) {
		message = `Could not read the sign-in metadata of this tenant (${code}). Check Tenant ID and Environment.${support}`;
	} else if (NOT_JSON_ERRORS.has(code)) {
		message = `${loginHost} did not answer like Microsoft Entra ID (${code}). Check Environment, and for Custom that Login Base URL points at the identity platform or a gateway that forwards to it.`;
	} else {
		message = `App-only sign-in failed (${because}).${support}`;
	}
	return new AppOnlyTokenError(message, code);
}

const RECONNECT = 'reconnect the credential (open it and sign in again)';

/** The shape of @n8n/client-oauth2's AuthError: the token endpoint's OAuth error body. */
interface OAuthRefusal {
	code?: unknown;
	body?: { error?: unknown; error_description?: unknown };
	failure?: { cause?: unknown };
}

/**
 * n8n's OAuth2 token refresh (delegated credential) refused by the token endpoint, worded as the
 * fix; undefined for anything else. n8n 2.x turns `invalid_grant` into its own "needs to be
 * reconnected" error declaring `failure.cause: 'credential-invalid'`; other refusals, and older
 * n8n, surface client-oauth2's AuthError (`code: 'EAUTH'`). Both arrive wrapped in NodeApiError.
 * Only the error and AADSTS codes are kept: the rest of the answer stays out of messages.
 */
export function refusedDelegatedRefresh(
	thrown: unknown,
): { message: string; description: string } | undefined {
	const wrapper = thrown as OAuthRefusal & { cause?: OAuthRefusal };
	const refusal = wrapper.cause ?? wrapper;
	const declared = [wrapper, refusal].some((e) => e.failure?.cause === 'credential-invalid');
	const oauthError =
		refusal.code === 'EAUTH' && typeof refusal.body?.error === 'string'
			? refusal.body.error
			: undefined;
	if (!declared && !oauthError) return undefined;
	const error = oauthError ?? 'invalid_grant';
	const description = refusal.body?.error_description;
	const aadsts = /AADSTS(\d+)/.exec(typeof description === 'string' ? description : '')?.[1];
	const fix =
		error === 'invalid_grant'
			? `${RECONNECT}. The refresh token was revoked or has expired, or the account's password, MFA or permissions changed.`
			: ((aadsts && AADSTS_FIXES[aadsts]) ??
				`check Client ID and Client Secret, then ${RECONNECT}.`);
	return {
		message: `Microsoft Entra ID refused to renew the delegated sign-in (${error}${aadsts ? `, AADSTS${aadsts}` : ''}): ${fix}`,
		description:
			'Microsoft Graph ran nothing: it had refused the expired access token. Retrying cannot help, so the run stops here.',
	};
}

function firstLine(text: string | undefined): string {
	return (text ?? '').split(/\r?\n/)[0].slice(0, 300).trim();
}

const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]*/g;
const PEM_BLOCK = /-----BEGIN [^-]+-----[\s\S]*?-----END [^-]+-----/g;

/** Removes credential values, PEM blocks and anything shaped like a token from a message. */
export function redact(text: string, secrets: readonly string[]): string {
	let result = text.replace(PEM_BLOCK, '[PEM redacted]').replace(JWT, '[token redacted]');
	for (const secret of secrets) {
		if (secret.length >= 6) result = result.split(secret).join('[redacted]');
	}
	return result;
}
