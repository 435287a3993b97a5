import { NodeApiError, type INode, type JsonObject } from 'n8n-workflow';

import { NATIONAL_CLOUDS, type CloudEnvironment } from '../environments';
import { retryAfterMs } from './clock';

/** A Graph answer that was not a success, reduced to what users and support need. */
export class GraphFailure extends Error {
	constructor(
		/**
		 * HTTP status; 0 when no answer from Graph came: a network error, or an answer that was
		 * not Graph's JSON. Either way nobody can tell whether Graph acted.
		 */
		readonly status: number,
		/** Graph's `error.code` (or the network error code) */
		readonly code: string,
		/** Graph's `error.message` */
		readonly graphMessage: string,
		readonly requestId: string | undefined,
		readonly clientRequestId: string,
		/** Graph's `Retry-After`, when it said how long to wait */
		readonly retryAfterMs?: number,
		/** the credential's cloud, where known: some clouds lack Cloud PC actions */
		readonly cloud?: CloudEnvironment,
	) {
		super(`${status ? `${status} ` : ''}${code}: ${graphMessage}`);
		this.name = 'GraphFailure';
	}

	/** The same failure in other words: status, ids, Retry-After and cloud stay. */
	rephrased(code: string, graphMessage: string): GraphFailure {
		return new GraphFailure(
			this.status,
			code,
			graphMessage,
			this.requestId,
			this.clientRequestId,
			this.retryAfterMs,
			this.cloud,
		);
	}
}

interface ResponseLike {
	status?: number;
	statusCode?: number;
	headers?: Record<string, unknown>;
	data?: unknown;
	body?: unknown;
}

/**
 * Reads status, Graph error body and request-id from whatever the HTTP layer threw. Only these
 * fields survive: the original error carries the request, Authorization header included.
 */
export function graphErrorFromResponse(
	thrown: unknown,
	clientRequestId: string,
	cloud?: CloudEnvironment,
): GraphFailure {
	const error = thrown as {
		cause?: unknown;
		response?: ResponseLike;
		code?: string;
		message?: string;
	};
	const original = (error.cause ?? error) as typeof error;
	const response = original.response ?? error.response;
	if (!response) {
		const code = textOf(original.code) ?? textOf(error.code) ?? 'NetworkError';
		return new GraphFailure(
			0,
			code,
			textOf(original.message) ?? 'No answer from Microsoft Graph',
			undefined,
			clientRequestId,
			undefined,
			cloud,
		);
	}
	return failureFromAnswer(
		response.status ?? response.statusCode ?? 0,
		response.headers,
		response.data ?? response.body,
		clientRequestId,
		cloud,
	);
}

/** A non-success answer (a whole response, or one inside a $batch) as a GraphFailure. */
export function failureFromAnswer(
	status: number,
	headers: Record<string, unknown> | undefined,
	rawBody: unknown,
	clientRequestId: string,
	cloud?: CloudEnvironment,
): GraphFailure {
	if (status >= 300 && status < 400) return redirected(status, headers, clientRequestId, cloud);
	const error = errorObject(parseBody(rawBody));
	const innerError = asRecord(error.innerError);
	return new GraphFailure(
		status,
		textOf(error.code) ?? `HTTP${status}`,
		textOf(error.message) ?? 'Microsoft Graph returned an error without a message',
		headerValue(headers, 'request-id') ?? textOf(innerError['request-id']),
		clientRequestId,
		retryAfterMs(headers),
		cloud,
	);
}

/** Graph calls never follow redirects (transport/graph.ts): the target is named, not visited. */
function redirected(
	status: number,
	headers: Record<string, unknown> | undefined,
	clientRequestId: string,
	cloud?: CloudEnvironment,
): GraphFailure {
	const location = headerValue(headers, 'location');
	// Only the host: a Location's path and query may carry anything, signed URLs included.
	const target = !location
		? 'a redirect without a Location'
		: URL.canParse(location)
			? `a redirect to ${new URL(location).host}`
			: 'a redirect to another path on the same host';
	return new GraphFailure(
		status,
		'Redirect',
		`${target}; it was not followed, so the access token stays with Microsoft Graph`,
		headerValue(headers, 'request-id'),
		clientRequestId,
		undefined,
		cloud,
	);
}

/**
 * A success status whose body is not Graph's JSON: a captive portal's or proxy's page, or a body
 * cut short. Not Graph's answer, so whether Graph acted is unknown: status 0, like a lost answer.
 */
export function invalidResponse(
	status: number,
	headers: Record<string, unknown> | undefined,
	clientRequestId: string,
	cloud?: CloudEnvironment,
): GraphFailure {
	const requestId = headerValue(headers, 'request-id');
	const contentType = headerValue(headers, 'content-type') ?? 'no content type';
	return new GraphFailure(
		0,
		'InvalidResponse',
		`HTTP ${status} with ${contentType} instead of Microsoft Graph's JSON (request-id: ${requestId ?? 'none'})`,
		requestId,
		clientRequestId,
		undefined,
		cloud,
	);
}

/**
 * A header as text, whatever the case of its name: axios lower-cases names, the inner answers
 * of a $batch keep Graph's ("Location", "Retry-After").
 */
export function headerValue(headers: unknown, name: string): string | undefined {
	if (!headers || typeof headers !== 'object') return undefined;
	const entries = Object.entries(headers as Record<string, unknown>);
	const value = entries.find(([key]) => key.toLowerCase() === name)?.[1];
	return typeof value === 'string' ? value : undefined;
}

function parseBody(data: unknown): unknown {
	if (typeof data === 'string') {
		try {
			return JSON.parse(data) as unknown;
		} catch {
			return undefined;
		}
	}
	if (Buffer.isBuffer(data)) return parseBody(data.toString('utf8'));
	return data;
}

/*
 * Graph's error body is `{ error: { code, message, innerError } }` (learn.microsoft.com/graph/errors),
 * but whatever answers may send any JSON: these keep what fits and never call a method of it.
 */
const asRecord = (value: unknown): Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value)
		? (value as Record<string, unknown>)
		: {};

const errorObject = (body: unknown) => asRecord(asRecord(body).error);

/** Text, a number or a boolean as text; anything else (an object, an array) is no text. */
function textOf(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	return typeof value === 'number' || typeof value === 'boolean'
		? JSON.stringify(value)
		: undefined;
}

/**
 * An answer came but reading it failed: the request left, so whether Graph acted is unknown
 * (status 0, checked before any resend). Only the reader's own message is kept.
 */
export function unreadableAnswer(
	error: unknown,
	requestId: string | undefined,
	clientRequestId: string,
	cloud?: CloudEnvironment,
): GraphFailure {
	const why =
		error instanceof Error && typeof error.message === 'string' ? error.message : 'unknown';
	return new GraphFailure(
		0,
		'UnreadableAnswer',
		`The answer could not be read (${why}), so what happened to this request is unknown`,
		requestId,
		clientRequestId,
		undefined,
		cloud,
	);
}

/** Failures that are not Graph's verdict on the request: the same advice whatever the status. */
const HINTS_BY_CODE = new Map([
	[
		'Redirect',
		"Something between n8n and Microsoft Graph (a proxy, a gateway, or the Custom environment's Graph Base URL) redirected the request. Point the credential at a host that answers Graph requests itself; redirects are not followed, so the access token never goes elsewhere.",
	],
	[
		'InvalidResponse',
		"The answer did not come from Microsoft Graph: a proxy, captive portal or gateway answered instead. Check the n8n host's proxy settings and the credential's environment (for Custom: Graph Base URL). Whether Graph acted on the request is unknown.",
	],
]);

/** Statuses and codes with which Graph refuses an action its cloud does not offer. */
const REFUSALS = new Set([400, 404, 405, 501]);

/** Names the cloud when Graph refuses in one where Microsoft does not document Cloud PC actions. */
function cloudHint(failure: GraphFailure): string | undefined {
	const cloud =
		failure.cloud && failure.cloud !== 'custom' ? NATIONAL_CLOUDS[failure.cloud] : undefined;
	if (!cloud || cloud.reprovision) return undefined;
	if (!REFUSALS.has(failure.status) && !/not ?supported/i.test(failure.code)) return undefined;
	return `The credential's environment is ${cloud.name}: Microsoft documents Cloud PC reprovision and bulk actions for Global and US Government L4 only, so Graph may refuse them in this cloud.`;
}

/**
 * A remote action's own words for Graph's refusals of it (its descriptor's hints): by Graph
 * error code, for a 400 about the Cloud PC's state, and the page to check a request against.
 */
export interface ActionHints {
	byCode: Readonly<Record<string, string>>;
	/** a 400 whose message names the action or a status */
	state: string;
	/** the action's route segment, as Graph's messages name it */
	segment: string;
	/** the action's API page */
	reference: string;
}

/** What to do about a failure, in the words of an Entra ID / Intune admin. */
export function hintFor(failure: GraphFailure, action?: ActionHints): string {
	const byCode = HINTS_BY_CODE.get(failure.code) ?? ownHint(action, failure.code);
	if (byCode) return byCode;
	const cloud = cloudHint(failure);
	const hint = statusHint(failure, action);
	return cloud ? `${cloud} Otherwise: ${hint}` : hint;
}

function ownHint(action: ActionHints | undefined, code: string): string | undefined {
	return action && Object.hasOwn(action.byCode, code) ? action.byCode[code] : undefined;
}

function statusHint(failure: GraphFailure, action?: ActionHints): string {
	const message = failure.graphMessage.toLowerCase();
	switch (failure.status) {
		case 0:
			return "Microsoft Graph could not be reached: check the network, proxy and the credential's environment.";
		case 400:
			if (message.includes('/me request is only valid with delegated')) {
				return 'The Signed-In User scope needs a delegated (OAuth2) credential; use Organization scope with an app-only credential.';
			}
			if (
				action &&
				(message.includes(action.segment.toLowerCase()) || message.includes('status'))
			) {
				return action.state;
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
			return failure.code === 'Request_ResourceNotFound'
				? unknownUserHint(failure)
				: 'No such Cloud PC in this scope: check the ID, and for the Signed-In User and Specific User scopes that the Cloud PC belongs to that user.';
		case 409:
			return 'Another action is already running on this Cloud PC; wait for it to finish.';
		case 429:
			return 'Microsoft Graph is throttling this app: run fewer items at once or later.';
		default:
			return failure.status >= 500
				? 'Microsoft Graph had a transient failure: run the item again later.'
				: action
					? `Check the request against ${action.reference}.`
					: 'Check the request against the Cloud PC reprovision documentation.';
	}
}

/**
 * Graph's directory answers a user it does not know (`/users/{UPN}/...`) with
 * Request_ResourceNotFound, "Resource '<UPN>' does not exist or…"; a missing Cloud PC has
 * another code. Name the user, so a typo in it is not taken for a wrong Cloud PC ID.
 */
function unknownUserHint(failure: GraphFailure): string {
	const user = /Resource '([^']*)'/.exec(failure.graphMessage)?.[1];
	return `No user ${user ? `"${user}" ` : ''}in this tenant: check the spelling of "User" (a user principal name such as AdeleV@contoso.onmicrosoft.com, or an object ID). The Cloud PC was not looked for.`;
}

/**
 * The failure as n8n's API error, naming the item (none for a trigger's poll), keeping code,
 * message and request-id.
 */
export function toNodeApiError(
	node: INode,
	failure: GraphFailure,
	itemIndex: number | undefined,
	extra = '',
	action?: ActionHints,
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
	const item = itemIndex === undefined ? '' : `Item ${itemIndex}: `;
	const message = `${item}Microsoft Graph answered ${failure.message}`;
	const error = new NodeApiError(node, errorBody, {
		message,
		description: [hintFor(failure, action), ids, extra].filter(Boolean).join(' '),
		httpCode: failure.status ? String(failure.status) : undefined,
		itemIndex,
	});
	// NodeApiError swaps in canned text when a message contains a socket error code, and
	// Graph's "ResourceNotFound" contains ENOTFOUND: keep Graph's own words.
	error.message = message;
	return error;
}
