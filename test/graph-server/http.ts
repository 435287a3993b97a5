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

export function mediaType(req: IncomingRequest): string {
	return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}
