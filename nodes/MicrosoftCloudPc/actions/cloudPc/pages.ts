import type { IDataObject } from 'n8n-workflow';

import { GraphFailure } from '../../transport/errors';
import type { GraphResponse } from '../../transport/graph';

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
export function readPage(response: GraphResponse<unknown>): Page {
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
