import type { IDataObject } from 'n8n-workflow';

import type { BatchResult } from '../transport/batch';
import { graphOutcome, sendDirect, type DirectOptions } from '../transport/direct';
import { GraphFailure } from '../transport/graphErrors';
import type { GraphClient, GraphRequest } from '../transport/graph';
import { followPages, type PageLimit } from './paging';

/**
 * A list read's answer with every page in `value`, from the first page's answer (read in a
 * batch) on. Every page is checked to be a list (pageOf); pages past the first are read one by
 * one, following `@odata.nextLink` verbatim, at most `limit.maxPages`. A page that cannot be
 * read fails the whole list, keeping that page's request-id: a list cut short is never taken
 * for the whole.
 */
export async function withLaterPages(
	graph: GraphClient,
	options: DirectOptions,
	first: GraphRequest,
	firstAnswer: BatchResult,
	limit: PageLimit,
): Promise<BatchResult> {
	if (!firstAnswer.ok) return firstAnswer;
	const send = async (request: GraphRequest) =>
		request === first ? firstAnswer.response : await sendDirect<unknown>(graph, request, options);
	const value: IDataObject[] = [];
	const read = async () => {
		for await (const { page } of followPages(send, first, limit)) value.push(...page.value);
	};
	const failed = await graphOutcome(read());
	if (!(failed instanceof GraphFailure)) {
		return { ...firstAnswer, response: { ...firstAnswer.response, body: { value } } };
	}
	const { attempts, answeredAt } = firstAnswer;
	return { attempts, answeredAt, ok: false, failure: failed, sent: true, outcomeUnknown: false };
}
