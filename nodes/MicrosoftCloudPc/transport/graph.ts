import { randomUUID } from 'node:crypto';

import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type INode,
	type IPollFunctions,
} from 'n8n-workflow';

import { environmentOf, resolveEndpoints, type CloudEnvironment } from '../environments';
import { refusedDelegatedRefresh } from '../auth/signInErrors';
import { forgetAppOnlyToken } from '../auth/msal';
import {
	graphErrorFromResponse,
	headerValue,
	invalidResponse,
	unreadableAnswer,
	type GraphFailure,
} from './graphErrors';
import { USER_AGENT } from './userAgent';

export type GraphVersion = 'v1.0' | 'beta';

export type Authentication = 'oAuth2' | 'appOnly';

/** The credential type behind each value of the node's Authentication parameter. */
export function credentialTypeFor(authentication: Authentication): string {
	return authentication === 'appOnly' ? 'microsoftCloudPcAppOnlyApi' : 'microsoftCloudPcOAuth2Api';
}

export interface GraphRequest {
	method: IHttpRequestMethods;
	version: GraphVersion;
	/** path below the version, e.g. `/me/cloudPCs`; or */
	path?: string;
	/** an absolute `@odata.nextLink`, followed verbatim */
	url?: string;
	qs?: IDataObject;
	body?: IDataObject;
	/** abandon the request after this long; its outcome is then unknown */
	timeoutMs?: number;
	/** the execution's cancel signal: abandons the request, whose outcome is then unknown */
	signal?: AbortSignal;
}

export interface GraphResponse<T = IDataObject> {
	statusCode: number;
	body: T;
	/** Graph's `request-id`: support asks for it */
	requestId?: string;
	clientRequestId: string;
	headers: IDataObject;
}

type GraphContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

export interface GraphClient {
	authentication: Authentication;
	graphBaseUrl: string;
	/** the credential's cloud, for failures made outside this client (inner $batch answers) */
	cloud: CloudEnvironment;
	/** Sends one request; a Graph error is thrown as a `GraphFailure` with code, message and request-id. */
	request<T = IDataObject>(request: GraphRequest): Promise<GraphResponse<T>>;
}

/** The request's URL on this credential's Graph host. */
function graphUrl(graphBaseUrl: string, request: GraphRequest): string {
	if (request.url === undefined) return `${graphBaseUrl}/${request.version}${request.path ?? ''}`;
	// A nextLink carries the bearer token with it: never follow one off the Graph host.
	if (new URL(request.url).origin !== new URL(graphBaseUrl).origin) {
		throw new Error(`Refusing to follow a link outside ${graphBaseUrl}: ${request.url}`);
	}
	return request.url;
}

/** Sends one request once, through n8n with the credential; a failure is a `GraphFailure`. */
async function sendOnce<T>(
	ctx: GraphContext,
	credentialType: string,
	graphBaseUrl: string,
	cloud: CloudEnvironment,
	request: GraphRequest,
): Promise<GraphResponse<T>> {
	const clientRequestId = randomUUID();
	const options: IHttpRequestOptions = {
		method: request.method,
		url: graphUrl(graphBaseUrl, request),
		qs: request.qs,
		headers: {
			Accept: 'application/json',
			'User-Agent': USER_AGENT,
			'client-request-id': clientRequestId,
			...(request.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
		},
		body: request.body,
		json: true,
		returnFullResponse: true,
		timeout: request.timeoutMs,
		abortSignal: request.signal,
		// n8n follows redirects with the Authorization header, to any host: a redirect
		// (from a gateway, a proxy, or Graph) would hand the bearer token to its target and
		// re-post a $batch of reprovisions there. A 3xx is a failure instead (errors.ts).
		disableFollowRedirect: true,
	};
	let response: { statusCode: number; headers: IDataObject; body: T };
	try {
		response = (await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			credentialType,
			options,
		)) as typeof response;
	} catch (error) {
		throw signInFailure(ctx.getNode(), error) ?? failureOf(error, clientRequestId, cloud);
	}
	// Graph answers JSON, or 204 with nothing; anything else is not Graph speaking.
	if (response.statusCode !== 204 && !isJsonObject(response.body)) {
		throw invalidResponse(response.statusCode, response.headers, clientRequestId, cloud);
	}
	return {
		statusCode: response.statusCode,
		body: response.body,
		requestId: headerValue(response.headers, 'request-id'),
		clientRequestId,
		headers: response.headers,
	};
}

/** The request left: a failure to read what came back leaves its outcome unknown, never "not sent". */
function failureOf(error: unknown, clientRequestId: string, cloud: CloudEnvironment): GraphFailure {
	try {
		return graphErrorFromResponse(error, clientRequestId, cloud);
	} catch (readError) {
		return unreadableAnswer(readError, undefined, clientRequestId, cloud);
	}
}

/** One client per execution: the credential is read once, not once per item. */
export async function createGraphClient(
	ctx: GraphContext,
	authentication: Authentication,
): Promise<GraphClient> {
	const credentialType = credentialTypeFor(authentication);
	const credentials = await ctx.getCredentials(credentialType);
	const { graphBaseUrl } = resolveEndpoints(credentials);
	const cloud = environmentOf(credentials);

	const send = <T>(request: GraphRequest) =>
		sendOnce<T>(ctx, credentialType, graphBaseUrl, cloud, request);

	return {
		authentication,
		graphBaseUrl,
		cloud,
		async request<T>(request: GraphRequest): Promise<GraphResponse<T>> {
			const first = await send<T>(request).then(
				(response) => ({ response }),
				(failure: GraphFailure) => ({ failure }),
			);
			if ('response' in first) return first.response;
			// n8n refreshes delegated tokens itself; an app-only token Graph rejects is dropped
			// from MSAL's cache and a fresh one tried, once. A 401 means nothing ran.
			if (first.failure.status !== 401 || authentication !== 'appOnly') throw first.failure;
			forgetAppOnlyToken(credentials);
			return await send<T>(request);
		},
	};
}

/**
 * Failures that are no Graph answer and that retrying cannot mend: a credential that cannot get
 * a token, or n8n refusing to send at all. The batch sender ends the run at once on anything
 * that is not a GraphFailure.
 */
function signInFailure(node: INode, error: unknown): NodeOperationError | undefined {
	const cause = (error as { cause?: unknown }).cause ?? error;
	const refused = refusedDelegatedRefresh(error);
	if (refused) {
		return new NodeOperationError(node, refused.message, {
			description: refused.description,
			failure: { cause: 'credential-invalid' },
		});
	}
	// Lost connections, timeouts and answers are axios errors (and may be retried); anything
	// else stopped before the request went out: an app-only sign-in that failed, an OAuth2
	// credential never connected, a host n8n blocks.
	if ((cause as { isAxiosError?: unknown }).isAxiosError === true) return undefined;
	return new NodeOperationError(node, cause as Error, {
		description: 'Nothing was sent to Microsoft Graph.',
	});
}

/** Axios hands over a body it could not parse as the raw text. */
function isJsonObject(body: unknown): boolean {
	return typeof body === 'object' && body !== null && !Buffer.isBuffer(body);
}
