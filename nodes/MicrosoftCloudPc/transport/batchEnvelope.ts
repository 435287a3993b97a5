import type { IDataObject } from 'n8n-workflow';

import type { CloudEnvironment } from '../environments';
import { failureFromAnswer, GraphFailure, unreadableAnswer } from './graphErrors';
import type { GraphRequest, GraphResponse } from './graph';

/*
 * Graph JSON batching, the wire format: the `$batch` body built from requests, and its answer
 * read back into one answer per request. learn.microsoft.com/graph/json-batching
 */

/** Graph's limit of requests in one JSON batch. */
export const MAX_BATCH_SIZE = 20;

/** One request of a batch, with the id it goes out under. */
export interface BatchEntry {
	id: string;
	request: GraphRequest;
	clientRequestId: string;
}

/** What Graph answered for one request; a failure with status 0 when nothing usable came back. */
export type EntryAnswer =
	| { ok: true; response: GraphResponse }
	| { ok: false; failure: GraphFailure };

const WRITES = new Set(['POST', 'PATCH', 'PUT']);

/**
 * A write inside a batch must carry a body and its Content-Type, or Graph refuses it ("Write
 * request id : 0 does not contain Content-Type header or body", microsoftgraph/msgraph-sdk-dotnet
 * issue 2628): an action without parameters goes as `{}`.
 */
export function batchBody(entries: readonly BatchEntry[]): IDataObject {
	return {
		requests: entries.map(({ id, request, clientRequestId }) => {
			const body = request.body ?? (WRITES.has(request.method) ? {} : undefined);
			return {
				id,
				method: request.method,
				url: relativeUrl(request),
				headers: {
					'client-request-id': clientRequestId,
					...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
				},
				...(body !== undefined ? { body } : {}),
			};
		}),
	};
}

/** A batch's url is relative to the version: `/deviceManagement/...?$select=...`. */
function relativeUrl(request: GraphRequest): string {
	const query = request.qs
		? new URLSearchParams(request.qs as Record<string, string>).toString()
		: '';
	return query ? `${request.path}?${query}` : (request.path ?? '');
}

interface InnerResponse {
	id: string;
	status: number;
	headers: Record<string, unknown>;
	body?: unknown;
}

/**
 * Each entry's answer, by id. An entry the answer leaves out or names twice, or an answer
 * without the documented `responses` array, is a failure with status 0: the request may have
 * run, and the caller must treat its outcome as unknown, never as refused.
 */
export function readBatchAnswer(
	envelope: GraphResponse<unknown>,
	entries: readonly BatchEntry[],
	cloud: CloudEnvironment,
): Map<string, EntryAnswer> {
	try {
		return readEntries(envelope, entries, cloud);
	} catch (error) {
		// The batch left: an answer that cannot be read says nothing of what ran.
		return new Map(
			entries.map((entry) => [
				entry.id,
				{
					ok: false,
					failure: unreadableAnswer(error, envelope.requestId, entry.clientRequestId, cloud),
				},
			]),
		);
	}
}

function readEntries(
	envelope: GraphResponse<unknown>,
	entries: readonly BatchEntry[],
	cloud: CloudEnvironment,
): Map<string, EntryAnswer> {
	const lost = (code: string, message: string, entry: BatchEntry): EntryAnswer => ({
		ok: false,
		failure: new GraphFailure(
			0,
			code,
			message,
			envelope.requestId,
			entry.clientRequestId,
			undefined,
			cloud,
		),
	});
	const responses = (envelope.body as { responses?: unknown } | null)?.responses;
	if (!Array.isArray(responses)) {
		return new Map(
			entries.map((entry) => [
				entry.id,
				lost(
					'MalformedBatchAnswer',
					'The $batch answer had no "responses" array, so what happened to this request is unknown',
					entry,
				),
			]),
		);
	}
	const byId = new Map<string, InnerResponse[]>();
	for (const raw of responses) {
		const inner = innerResponse(raw);
		if (inner) byId.set(inner.id, [...(byId.get(inner.id) ?? []), inner]);
	}
	return new Map(
		entries.map((entry) => {
			const found = byId.get(entry.id) ?? [];
			if (found.length === 0)
				return [
					entry.id,
					lost('MissingBatchResponse', 'The $batch answer left this request out', entry),
				];
			if (found.length > 1)
				return [
					entry.id,
					lost(
						'DuplicateBatchResponse',
						'The $batch answer named this request more than once',
						entry,
					),
				];
			return [entry.id, entryAnswer(found[0], envelope, entry, cloud)];
		}),
	);
}

function innerResponse(raw: unknown): InnerResponse | undefined {
	if (typeof raw !== 'object' || raw === null) return undefined;
	const { id, status, headers, body } = raw as Record<string, unknown>;
	if ((typeof id !== 'string' && typeof id !== 'number') || !Number.isInteger(status))
		return undefined;
	const validHeaders = typeof headers === 'object' && headers !== null && !Array.isArray(headers);
	return {
		id: String(id),
		status: status as number,
		headers: validHeaders ? (headers as Record<string, unknown>) : {},
		body,
	};
}

function entryAnswer(
	inner: InnerResponse,
	envelope: GraphResponse<unknown>,
	entry: BatchEntry,
	cloud: CloudEnvironment,
): EntryAnswer {
	if (inner.status < 200 || inner.status >= 300) {
		return {
			ok: false,
			failure: failureFromAnswer(
				inner.status,
				inner.headers,
				inner.body,
				entry.clientRequestId,
				cloud,
			),
		};
	}
	const requestId = inner.headers['request-id'];
	const body = inner.body;
	return {
		ok: true,
		response: {
			statusCode: inner.status,
			body:
				typeof body === 'object' && body !== null && !Array.isArray(body)
					? (body as IDataObject)
					: {},
			headers: inner.headers as IDataObject,
			requestId: typeof requestId === 'string' ? requestId : envelope.requestId,
			clientRequestId: entry.clientRequestId,
		},
	};
}
