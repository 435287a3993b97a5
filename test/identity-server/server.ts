import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
	createServer as createHttpServer,
	type IncomingMessage,
	type Server,
	type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

import { readBody } from '../graph-server/http';
import { verifyClientAssertion, type RegisteredCertificate } from './assertion';

export interface IdentityApp {
	tenantId: string;
	clientId: string;
	secret?: string;
	/** the secret is right but past its end date */
	secretExpired?: boolean;
	certificates?: RegisteredCertificate[];
	/** answer every token request of this app with this error instead */
	refuse?: { status: number; error: string; aadsts: number; message: string };
	/** take this app's token requests and never answer them: a login endpoint gone silent */
	hang?: boolean;
}

export interface UserAssignedIdentity {
	clientId: string;
	resourceId: string;
	objectId: string;
}

export interface IdentityServerOptions {
	/** TLS key and certificate for https://127.0.0.1 */
	tls: { key: string; cert: string };
	apps: IdentityApp[];
	/**
	 * The resource tokens are for, as Entra ID knows Microsoft Graph (https://graph.microsoft.com,
	 * whatever URL requests later go to); a scope or resource for anything else gets AADSTS500011.
	 */
	graphResource: string;
	/** further resources the tenant has, such as an API gateway's application ID URI */
	otherResources?: string[];
	/** access tokens to hand out, in order */
	accessTokens: string[];
	/** `expires_in` of issued tokens; default 3599, like Entra ID */
	expiresIn?: number;
	managedIdentities?: { systemAssigned?: boolean; userAssigned?: UserAssignedIdentity[] };
}

export interface LoggedIdentityRequest {
	endpoint: 'token' | 'managedIdentity' | 'unknown';
	method: string;
	/** path without the query */
	path: string;
	status: number;
	tenant?: string;
	clientId?: string;
	credential?: 'secret' | 'assertion' | 'managedIdentity' | 'none';
	assertion?: { alg: string; thumbprintHeader: string; x5c: boolean };
	/** `scope` of a token request, `resource` of a managed identity request */
	scope?: string;
	/** managed identity query, minus nothing secret (the identity header is not logged) */
	query?: Record<string, string>;
	/** `AADSTS…` or the error text */
	error?: string;
	/** the access token handed out */
	issued?: string;
}

export interface IdentityServer {
	/** `https://127.0.0.1:PORT`: the Login Base URL of a Custom environment */
	loginBaseUrl: string;
	/** App Service-style managed identity endpoint (IDENTITY_ENDPOINT) */
	identityEndpoint: string;
	/** the IDENTITY_HEADER value the endpoint insists on */
	identityHeader: string;
	/** every request, in arrival order; never holds a secret or assertion */
	requests: LoggedIdentityRequest[];
	/** token requests (both endpoints), successful or not */
	tokenRequests(): number;
	setExpiresIn(seconds: number): void;
	/** clears the log; issued tokens stay used */
	reset(): void;
	close(): Promise<void>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

interface Reply {
	status: number;
	body: Record<string, unknown>;
	log: Partial<LoggedIdentityRequest>;
	/** logged, but never answered */
	hang?: boolean;
}

class Refusal extends Error {
	constructor(
		readonly status: number,
		readonly error: string,
		readonly aadsts: number,
		message: string,
	) {
		super(message);
	}
}

/**
 * A local Microsoft Entra ID token endpoint (client secret and client certificate, over HTTPS
 * because MSAL insists) and an App Service-style managed identity endpoint (plain HTTP on
 * loopback, as on App Service). Both listen on 127.0.0.1 only and never write to the console.
 */
export async function startIdentityServer(options: IdentityServerOptions): Promise<IdentityServer> {
	const requests: LoggedIdentityRequest[] = [];
	const tokens = [...options.accessTokens];
	const resources = new Set([options.graphResource, ...(options.otherResources ?? [])]);
	let expiresIn = options.expiresIn ?? 3599;
	const identityHeader = randomBytes(16).toString('hex');
	const tenants = new Set(options.apps.map((app) => app.tenantId.toLowerCase()));
	let loginBaseUrl = '';

	const issue = (): string => {
		const token = tokens.shift();
		if (!token) throw new Error('identity-server: ran out of access tokens to issue');
		return token;
	};

	function tokenEndpoint(message: IncomingMessage, path: string, body: string): Reply {
		const [tenant] = path.split('/').filter(Boolean);
		const form = new URLSearchParams(body);
		const clientId = form.get('client_id') ?? '';
		const scope = form.get('scope') ?? '';
		const log: Partial<LoggedIdentityRequest> = { tenant, clientId, scope, credential: 'none' };
		try {
			if (message.method !== 'POST') {
				throw new Refusal(405, 'invalid_request', 900561, 'The endpoint only accepts POST.');
			}
			if (!tenants.has(tenant.toLowerCase())) {
				throw GUID.test(tenant) || DOMAIN.test(tenant)
					? new Refusal(
							400,
							'invalid_request',
							90002,
							`Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
						)
					: new Refusal(
							400,
							'invalid_request',
							900023,
							`Specified tenant identifier '${tenant}' is neither a valid DNS name, nor a valid external domain.`,
						);
			}
			if (form.get('grant_type') !== 'client_credentials') {
				throw new Refusal(
					400,
					'unsupported_grant_type',
					70003,
					'The app requested an unsupported grant type.',
				);
			}
			// Client credentials take only a resource's `/.default` scope.
			if (!scope.endsWith('/.default') || !resources.has(scope.slice(0, -'/.default'.length))) {
				throw new Refusal(
					400,
					'invalid_resource',
					500011,
					`The resource principal named ${scope.replace(/\/\.default$/, '')} was not found in the tenant named ${tenant}. You might have sent your authentication request to the wrong tenant.`,
				);
			}
			const app = options.apps.find(
				(candidate) =>
					candidate.tenantId.toLowerCase() === tenant.toLowerCase() &&
					candidate.clientId === clientId,
			);
			if (!app) {
				throw new Refusal(
					400,
					'unauthorized_client',
					700016,
					`Application with identifier '${clientId}' was not found in the directory '${tenant}'.`,
				);
			}
			if (app.refuse) {
				const { status, error, aadsts, message: text } = app.refuse;
				throw new Refusal(status, error, aadsts, text);
			}
			if (app.hang)
				return { status: 0, body: {}, log: { ...log, error: 'never answered' }, hang: true };
			authenticateClient(app, form, `${loginBaseUrl}/${tenant}/oauth2/v2.0/token`, log);
			const issued = issue();
			return {
				status: 200,
				body: {
					token_type: 'Bearer',
					expires_in: expiresIn,
					ext_expires_in: expiresIn,
					access_token: issued,
				},
				log: { ...log, issued },
			};
		} catch (error) {
			if (!(error instanceof Refusal)) throw error;
			return {
				status: error.status,
				body: aadError(error),
				log: { ...log, error: `AADSTS${error.aadsts}` },
			};
		}
	}

	function managedIdentityEndpoint(message: IncomingMessage, url: URL): Reply {
		const query = Object.fromEntries(url.searchParams);
		const resource = query.resource ?? '';
		const log: Partial<LoggedIdentityRequest> = {
			credential: 'managedIdentity',
			scope: resource,
			query,
		};
		const refuse = (status: number, text: string): Reply => ({
			status,
			body: { statusCode: status, message: text, correlationId: randomUUID() },
			log: { ...log, error: text },
		});
		if (message.headers['x-identity-header'] !== identityHeader) {
			return refuse(401, 'Missing or wrong X-IDENTITY-HEADER.');
		}
		if (query['api-version'] !== '2019-08-01') return refuse(400, 'Unsupported api-version.');
		const { systemAssigned, userAssigned = [] } = options.managedIdentities ?? {};
		const named = query.client_id ?? query.mi_res_id ?? query.object_id ?? query.principal_id;
		const identity = named
			? userAssigned.find((id) => [id.clientId, id.resourceId, id.objectId].includes(named))
			: systemAssigned
				? { clientId: 'system-assigned' }
				: undefined;
		if (!identity) {
			return refuse(
				400,
				'No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.',
			);
		}
		if (!resources.has(resource)) {
			return refuse(
				400,
				`AADSTS500011: The resource principal named ${resource} was not found in the tenant.`,
			);
		}
		const issued = issue();
		return {
			status: 200,
			body: {
				access_token: issued,
				expires_on: String(Math.floor(Date.now() / 1000) + expiresIn),
				resource,
				token_type: 'Bearer',
				client_id: identity.clientId,
			},
			log: { ...log, clientId: identity.clientId, issued },
		};
	}

	const handle =
		(endpointFor: (path: string) => LoggedIdentityRequest['endpoint']) =>
		(message: IncomingMessage, res: ServerResponse) => {
			readBody(message)
				.then((body) => {
					const url = new URL(message.url ?? '/', 'http://127.0.0.1');
					const endpoint = endpointFor(url.pathname);
					let reply: Reply;
					try {
						reply =
							endpoint === 'token'
								? tokenEndpoint(message, url.pathname, body)
								: endpoint === 'managedIdentity'
									? managedIdentityEndpoint(message, url)
									: { status: 404, body: { error: 'not_found' }, log: {} };
					} catch (error) {
						// A setup mistake must fail the request visibly, never hang it.
						reply = {
							status: 500,
							body: { error: 'server_error', error_description: (error as Error).message },
							log: { error: (error as Error).message },
						};
					}
					requests.push({
						endpoint,
						method: message.method ?? 'GET',
						path: url.pathname,
						status: reply.status,
						...reply.log,
					});
					if (reply.hang) return;
					res
						.writeHead(reply.status, {
							'Content-Type': 'application/json; charset=utf-8',
							'Cache-Control': 'no-store',
						})
						.end(JSON.stringify(reply.body));
				})
				.catch(() => res.destroy());
		};

	const login = createHttpsServer(
		{ key: options.tls.key, cert: options.tls.cert },
		handle((path) => (/^\/[^/]+\/oauth2\/v2\.0\/token$/.test(path) ? 'token' : 'unknown')),
	);
	const msi = createHttpServer(
		handle((path) => (path === '/msi/token' ? 'managedIdentity' : 'unknown')),
	);
	const loginPort = await listen(login);
	const msiPort = await listen(msi);
	loginBaseUrl = `https://127.0.0.1:${loginPort}`;

	return {
		loginBaseUrl,
		identityEndpoint: `http://127.0.0.1:${msiPort}/msi/token`,
		identityHeader,
		requests,
		tokenRequests: () => requests.filter((request) => request.endpoint !== 'unknown').length,
		setExpiresIn: (seconds) => {
			expiresIn = seconds;
		},
		reset: () => {
			requests.length = 0;
		},
		close: async () => {
			await Promise.all([login, msi].map(close));
		},
	};
}

function authenticateClient(
	app: IdentityApp,
	form: URLSearchParams,
	audience: string,
	log: Partial<LoggedIdentityRequest>,
): void {
	const secret = form.get('client_secret');
	const assertion = form.get('client_assertion');
	if (secret !== null) {
		log.credential = 'secret';
		if (!app.secret || !sameText(secret, app.secret)) {
			throw new Refusal(
				401,
				'invalid_client',
				7000215,
				`Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
			);
		}
		if (app.secretExpired) {
			throw new Refusal(
				401,
				'invalid_client',
				7000222,
				`The provided client secret keys for app '${app.clientId}' are expired.`,
			);
		}
		return;
	}
	if (assertion !== null) {
		log.credential = 'assertion';
		if (form.get('client_assertion_type') !== JWT_BEARER) {
			throw new Refusal(
				400,
				'invalid_request',
				7000219,
				"'client_assertion_type' must be " + JWT_BEARER,
			);
		}
		const verified = verifyClientAssertion(assertion, {
			audience,
			clientId: app.clientId,
			certificates: app.certificates ?? [],
		});
		if ('aadsts' in verified)
			throw new Refusal(401, 'invalid_client', verified.aadsts, verified.message);
		log.assertion = {
			alg: verified.alg,
			thumbprintHeader: verified.thumbprintHeader,
			x5c: !!verified.x5c,
		};
		return;
	}
	throw new Refusal(
		401,
		'invalid_client',
		7000218,
		"The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
	);
}

function sameText(a: string, b: string): boolean {
	const left = Buffer.from(a);
	const right = Buffer.from(b);
	return left.length === right.length && timingSafeEqual(left, right);
}

/** Entra ID's error body, AADSTS code first in the description as the real service writes it. */
function aadError(refusal: Refusal): Record<string, unknown> {
	const traceId = randomUUID();
	const correlationId = randomUUID();
	const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
	return {
		error: refusal.error,
		error_description: `AADSTS${refusal.aadsts}: ${refusal.message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
		error_codes: [refusal.aadsts],
		timestamp,
		trace_id: traceId,
		correlation_id: correlationId,
		error_uri: `https://login.microsoftonline.com/error?code=${refusal.aadsts}`,
	};
}

async function listen(server: Server): Promise<number> {
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	return (server.address() as AddressInfo).port;
}

function close(server: Server): Promise<void> {
	// fetch keeps connections alive; without this close() would wait for them.
	server.closeAllConnections();
	return new Promise((resolve, reject) =>
		server.close((error) => (error ? reject(error) : resolve())),
	);
}
