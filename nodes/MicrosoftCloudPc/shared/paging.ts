import type { IDataObject } from 'n8n-workflow';

import { GraphFailure } from '../transport/graphErrors';
import type { GraphRequest, GraphResponse } from '../transport/graph';

/** One page of a Graph collection, its shape checked. */
export interface Page {
	value: IDataObject[];
	nextLink?: string;
}

/** A 2xx answer that is not what Graph documents, as a failure that keeps its request-id. */
export function unexpectedAnswer(
	response: GraphResponse<unknown>,
	code: string,
	message: string,
): GraphFailure {
	return new GraphFailure(
		response.statusCode,
		code,
		message,
		response.requestId,
		response.clientRequestId,
	);
}

const isObject = (value: unknown): value is IDataObject =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A list answer as Graph documents it: `value`, an array of objects, and an optional
 * `@odata.nextLink` text. Anything else is an error, not an empty list.
 */
export function pageOf(response: GraphResponse<unknown>): Page {
	const body = response.body;
	const value = isObject(body) ? body.value : undefined;
	if (!Array.isArray(value) || !value.every(isObject)) {
		throw unexpectedAnswer(
			response,
			'UnexpectedResponse',
			'The answer to a list request has no "value" list of objects',
		);
	}
	const nextLink = (body as IDataObject)['@odata.nextLink'];
	const absent = nextLink === undefined || nextLink === null;
	// followed verbatim later: one that cannot be parsed fails here, as this page's answer
	if (!absent && (typeof nextLink !== 'string' || !URL.canParse(nextLink))) {
		throw unexpectedAnswer(
			response,
			'UnexpectedResponse',
			'The "@odata.nextLink" of a page is not a link',
		);
	}
	return { value, nextLink: absent ? undefined : nextLink };
}

/** Why a list was not read to its end. */
export type EndlessList = 'RepeatedNextLink' | 'TooManyPages';

export interface PageLimit {
	/** pages at most: a Graph that never stops paging cannot hold the run */
	maxPages: number;
	/** the message of the failure that stops a list, after `pages` pages */
	message: (why: EndlessList, pages: number) => string;
}

/**
 * The pages of a Graph list: `first`, then each `@odata.nextLink` verbatim on the same version
 * (it carries the filter, projection and page size). Every page's shape is checked (pageOf).
 * A link already followed, or one more page than `maxPages`, stops it with a failure that keeps
 * the request-id, never an endless or silently short list. Leave the loop to stop early.
 */
export async function* followPages(
	send: (request: GraphRequest) => Promise<GraphResponse<unknown>>,
	first: GraphRequest,
	limit: PageLimit,
): AsyncGenerator<{ page: Page; response: GraphResponse<unknown> }> {
	const followed = new Set<string>();
	let request = first;
	for (let pages = 1; ; pages++) {
		const response = await send(request);
		const page = pageOf(response);
		yield { page, response };
		const { nextLink } = page;
		if (!nextLink) return;
		const why = followed.has(nextLink)
			? 'RepeatedNextLink'
			: pages >= limit.maxPages
				? 'TooManyPages'
				: undefined;
		if (why) throw unexpectedAnswer(response, why, limit.message(why, pages));
		followed.add(nextLink);
		request = { method: 'GET', version: first.version, url: nextLink };
	}
}
