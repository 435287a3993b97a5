import { jsonReply, mediaType, type IncomingRequest, type Reply } from './http';
import type { GraphServerOptions, TokenGrant } from './types';

type IssuedToken = NonNullable<GraphServerOptions['refreshTokens']>[string];

export interface LoginContext {
	tokens: ReadonlyMap<string, TokenGrant>;
	refreshTokens: ReadonlyMap<string, IssuedToken>;
}

const AAD_JSON = 'application/json; charset=utf-8';
const NO_STORE = { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' };
/** What Entra ID usually grants for Graph. */
const DEFAULT_EXPIRES_IN = 3599;

/** Login-host paths look like /{tenant}/oauth2/...; everything else is Graph. */
export function isLoginPath(segments: readonly string[]): boolean {
	return segments[1]?.toLowerCase() === 'oauth2';
}

function isTokenPath(segments: readonly string[]): boolean {
	return (
		segments.length === 4 &&
		segments[2].toLowerCase() === 'v2.0' &&
		segments[3].toLowerCase() === 'token'
	);
}

export function readForm(req: IncomingRequest): URLSearchParams | undefined {
	return mediaType(req) === 'application/x-www-form-urlencoded'
		? new URLSearchParams(req.rawBody)
		: undefined;
}

class AadError extends Error {
	constructor(
		readonly error: string,
		readonly aadsts: number,
		message: string,
	) {
		super(message);
	}
}

export function aadErrorReply(
	req: IncomingRequest,
	status: number,
	error: string,
	message: string,
	headers: Record<string, string> = {},
	aadsts?: number,
): Reply {
	const now = new Date().toISOString();
	const timestamp = `${now.slice(0, 10)} ${now.slice(11, 19)}Z`;
	const prefix = aadsts === undefined ? '' : `AADSTS${aadsts}: `;
	return jsonReply(
		status,
		{
			error,
			error_description: `${prefix}${message} Trace ID: ${req.requestId} Correlation ID: ${req.clientRequestId} Timestamp: ${timestamp}`,
			error_codes: aadsts === undefined ? [] : [aadsts],
			timestamp,
			trace_id: req.requestId,
			correlation_id: req.clientRequestId,
		},
		{ ...NO_STORE, ...headers },
		AAD_JSON,
	);
}

export function handleLogin(req: IncomingRequest, ctx: LoginContext): Reply {
	if (!isTokenPath(req.segments)) return { status: 404, headers: {} };
	try {
		return issueToken(req, ctx);
	} catch (err) {
		if (err instanceof AadError)
			return aadErrorReply(req, 400, err.error, err.message, {}, err.aadsts);
		throw err;
	}
}

function missing(name: string): AadError {
	return new AadError(
		'invalid_request',
		900144,
		`The request body must contain the following parameter: '${name}'.`,
	);
}

/** client_secret_basic carries the client id in the Authorization header instead of the form. */
function basicClientId(req: IncomingRequest): string | undefined {
	const encoded = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
	if (!encoded) return undefined;
	const [clientId] = Buffer.from(encoded, 'base64').toString('utf8').split(':');
	return clientId ? decodeURIComponent(clientId) : undefined;
}

/** Only the refresh-token grant is served: sign-in itself happens outside the tests. */
function issueToken(req: IncomingRequest, ctx: LoginContext): Reply {
	if (req.method !== 'POST') {
		throw new AadError(
			'invalid_request',
			900561,
			`The endpoint only accepts POST, OPTIONS requests. Received a ${req.method} request.`,
		);
	}
	const form = readForm(req) ?? new URLSearchParams();
	const grantType = form.get('grant_type');
	if (!grantType) throw missing('grant_type');
	if (!(form.get('client_id') || basicClientId(req))) throw missing('client_id');
	if (grantType !== 'refresh_token') {
		throw new AadError(
			'unsupported_grant_type',
			70003,
			`The app requested an unsupported grant type '${grantType}'.`,
		);
	}
	const refreshToken = form.get('refresh_token');
	if (!refreshToken) throw missing('refresh_token');
	const issued = ctx.refreshTokens.get(refreshToken);
	const grant = issued && ctx.tokens.get(issued.accessToken);
	if (!issued || !grant) {
		throw new AadError(
			'invalid_grant',
			70000,
			"The provided value for the input parameter 'refresh_token' or 'assertion' is not valid.",
		);
	}
	const expiresIn = issued.expiresIn ?? DEFAULT_EXPIRES_IN;
	return jsonReply(
		200,
		{
			token_type: 'Bearer',
			scope: grant.scopes.join(' '),
			expires_in: expiresIn,
			ext_expires_in: expiresIn,
			access_token: issued.accessToken,
			refresh_token: refreshToken,
		},
		NO_STORE,
		AAD_JSON,
	);
}
