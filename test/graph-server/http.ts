import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** What a handler sees: the request fully read, its correlation ids already chosen. */
export interface IncomingRequest {
	method: string;
	rawPath: string;
	/** Path segments, not decoded. */
	segments: string[];
	query: URLSearchParams;
	headers: Record<string, string>;
	rawBody: string;
	requestId: string;
	clientRequestId: string;
}

export interface Reply {
	status: number;
	headers: Record<string, string>;
	body?: string;
	/** Send the answer this much later than the server's latency alone would. */
	delayMs?: number;
	/** Send no answer at all: close the connection after this many ms. */
	dropAfterMs?: number;
	/** Inside a $batch: leave this answer out of `responses`, or put it in twice. */
	batchAnswer?: 'omitted' | 'repeated';
}

/**
 * `target` is the path and query as sent ('/v1.0/me/cloudPCs?$top=5'); `headers` have lower-cased
 * names. Used for requests off the wire and for the inner requests of a JSON batch alike.
 */
export function requestFor(
	method: string,
	target: string,
	headers: Record<string, string>,
	rawBody: string,
): IncomingRequest {
	const queryStart = target.indexOf('?');
	const rawPath = queryStart === -1 ? target : target.slice(0, queryStart);
	return {
		method,
		rawPath,
		segments: rawPath.split('/').filter((segment) => segment.length > 0),
		query: new URLSearchParams(queryStart === -1 ? '' : target.slice(queryStart + 1)),
		headers,
		rawBody,
		requestId: randomUUID(),
		clientRequestId: headers['client-request-id'] || randomUUID(),
	};
}

/** Graph always answers both ids; Entra ID names its own x-ms-request-id and echoes only a sent client id. */
export function correlationHeaders(req: IncomingRequest, isLogin: boolean): Record<string, string> {
	if (!isLogin) return { 'request-id': req.requestId, 'client-request-id': req.clientRequestId };
	const echoed = req.headers['client-request-id'];
	return { 'x-ms-request-id': req.requestId, ...(echoed ? { 'client-request-id': echoed } : {}) };
}

/** What Graph sends on OData payloads; clients must not insist on a bare 'application/json'. */
export const ODATA_JSON =
	'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export function jsonReply(
	status: number,
	payload: unknown,
	headers: Record<string, string> = {},
	contentType = ODATA_JSON,
): Reply {
	return {
		status,
		headers: { 'Content-Type': contentType, ...headers },
		body: JSON.stringify(payload),
	};
}

/** Thrown anywhere in Graph handling; turned into Graph's error body at the edge. */
export class GraphError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly headers: Record<string, string> = {},
	) {
		super(message);
	}
}

export function graphErrorReply(
	req: IncomingRequest,
	status: number,
	code: string,
	message: string,
	headers: Record<string, string> = {},
): Reply {
	const innerError = {
		date: new Date().toISOString().slice(0, 19),
		'request-id': req.requestId,
		'client-request-id': req.clientRequestId,
	};
	return jsonReply(status, { error: { code, message, innerError } }, headers, 'application/json');
}

/** Runs a Graph handler; a GraphError thrown anywhere in it becomes Graph's error answer. */
export function answeringGraphErrors(req: IncomingRequest, handle: () => Reply): Reply {
	try {
		return handle();
	} catch (err) {
		if (err instanceof GraphError)
			return graphErrorReply(req, err.status, err.code, err.message, err.headers);
		throw err;
	}
}

export function mediaType(req: Pick<IncomingRequest, 'headers'>): string {
	return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** The whole request body as text (both local servers read bodies this way). */
export function readBody(message: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		message.on('data', (chunk: Buffer) => chunks.push(chunk));
		message.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		message.on('error', reject);
	});
}
