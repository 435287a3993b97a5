import { NodeApiError, type INode, type JsonObject } from 'n8n-workflow';

import { retryAfterMs } from './clock';

/** A Graph answer that was not a success, reduced to what users and support need. */
export class GraphFailure extends Error {
	constructor(
		/** HTTP status; 0 when no answer came (network error) */
		readonly status: number,
		/** Graph's `error.code` (or the network error code) */
		readonly code: string,
		/** Graph's `error.message` */
		readonly graphMessage: string,
		readonly requestId: string | undefined,
		readonly clientRequestId: string,
		/** Graph's `Retry-After`, when it said how long to wait */
		readonly retryAfterMs?: number,
	) {
		super(`${status ? `${status} ` : ''}${code}: ${graphMessage}`);
		this.name = 'GraphFailure';
	}
}

interface ResponseLike {
	status?: number;
	statusCode?: number;
	headers?: Record<string, unknown>;
	data?: unknown;
	body?: unknown;
}

interface GraphErrorBody {
	error?: {
		code?: string;
		message?: string;
		innerError?: Record<string, unknown>;
	};
}

/**
 * Reads status, Graph error body and request-id from whatever the HTTP layer threw. Only these
 * fields survive: the original error carries the request, Authorization header included.
 */
export function graphErrorFromResponse(thrown: unknown, clientRequestId: string): GraphFailure {
	const error = thrown as {
		cause?: unknown;
		response?: ResponseLike;
		code?: string;
		message?: string;
	};
	const original = (error.cause ?? error) as typeof error;
	const response = original.response ?? error.response;
	if (!response) {
		const code = original.code ?? error.code ?? 'NetworkError';
		return new GraphFailure(
			0,
			code,
			original.message ?? 'No answer from Microsoft Graph',
			undefined,
			clientRequestId,
		);
	}
	return failureFromAnswer(
		response.status ?? response.statusCode ?? 0,
		response.headers,
		response.data ?? response.body,
		clientRequestId,
	);
}

/** A non-success answer (a whole response, or one inside a $batch) as a GraphFailure. */
export function failureFromAnswer(
	status: number,
	headers: Record<string, unknown> | undefined,
	rawBody: unknown,
	clientRequestId: string,
): GraphFailure {
	const body = parseBody(rawBody);
	const headerRequestId = headers?.['request-id'];
	const innerRequestId = body.error?.innerError?.['request-id'];
	return new GraphFailure(
		status,
		body.error?.code ?? `HTTP${status}`,
		body.error?.message ?? 'Microsoft Graph returned an error without a message',
		typeof headerRequestId === 'string'
			? headerRequestId
			: typeof innerRequestId === 'string'
				? innerRequestId
				: undefined,
		clientRequestId,
		retryAfterMs(headers),
	);
}

function parseBody(data: unknown): GraphErrorBody {
	if (typeof data === 'string') {
		try {
			return JSON.parse(data) as GraphErrorBody;
		} catch {
			return {};
		}
	}
	if (Buffer.isBuffer(data)) return parseBody(data.toString('utf8'));
	return (data ?? {}) as GraphErrorBody;
}

/** What to do about a failure, in the words of an Entra ID / Intune admin. */
export function hintFor(failure: GraphFailure): string {
	const message = failure.graphMessage.toLowerCase();
	switch (failure.status) {
		case 0:
			return "Microsoft Graph could not be reached: check the network, proxy and the credential's environment.";
		case 400:
			if (message.includes('/me request is only valid with delegated')) {
				return 'The Signed-In User scope needs a delegated (OAuth2) credential; use Organization scope with an app-only credential.';
			}
			if (message.includes('reprovision') || message.includes('status')) {
				return 'A Cloud PC can be reprovisioned only when its status is "provisioned" or "failed"; wait for the current action to finish and check its status.';
			}
			return 'Graph rejected the request as malformed: check the Cloud PC ID, the user and the options.';
		case 401:
			return "The access token was rejected: reconnect the credential, and check that its environment and tenant match the account's cloud.";
		case 403:
			return 'Grant the app registration the Microsoft Graph permission CloudPC.ReadWrite.All (delegated or application, as the credential uses) and have an administrator grant admin consent in Entra ID. Delegated calls on the Organization scope also need a Windows 365 or Intune administrator role.';
		case 404:
			return 'No such Cloud PC in this scope: check the ID, and for the Signed-In User and Specific User scopes that the Cloud PC belongs to that user.';
		case 409:
			return 'Another action is already running on this Cloud PC; wait for it to finish.';
		case 429:
			return 'Microsoft Graph is throttling this app: run fewer items at once or later.';
		default:
			return failure.status >= 500
				? 'Microsoft Graph had a transient failure: run the item again later.'
				: 'Check the request against the Cloud PC reprovision documentation.';
	}
}

/** The failure as n8n's API error, naming the item, keeping code, message and request-id. */
export function toNodeApiError(
	node: INode,
	failure: GraphFailure,
	itemIndex: number,
	extra = '',
): NodeApiError {
	const errorBody: JsonObject = {
		error: {
			code: failure.code,
			message: failure.graphMessage,
			innerError: {
				'request-id': failure.requestId ?? null,
				'client-request-id': failure.clientRequestId,
			},
		},
	};
	const ids = `Request ID: ${failure.requestId ?? 'none'}; client request ID: ${failure.clientRequestId}.`;
	const message = `Item ${itemIndex}: Microsoft Graph answered ${failure.message}`;
	const error = new NodeApiError(node, errorBody, {
		message,
		description: [hintFor(failure), ids, extra].filter(Boolean).join(' '),
		httpCode: failure.status ? String(failure.status) : undefined,
		itemIndex,
	});
	// NodeApiError swaps in canned text when a message contains a socket error code, and
	// Graph's "ResourceNotFound" contains ENOTFOUND: keep Graph's own words.
	error.message = message;
	return error;
}
