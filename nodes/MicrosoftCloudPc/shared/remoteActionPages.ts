import type { IDataObject } from 'n8n-workflow';

import type { BatchResult } from '../transport/batch';
import { graphOutcome, sendDirect, type DirectOptions } from '../transport/direct';
import { GraphFailure } from '../transport/graphErrors';
import type { GraphClient, GraphRequest } from '../transport/graph';
import { followPages } from './paging';
import { remoteActionResultsRequest } from './remoteActionResults';

/** Pages of remote action results read at most: an earlier action may be on any of them. */
const MAX_ACTION_PAGES = 20;

/**
 * One Cloud PC's remote action results with every page in `value`, from the first page's answer
 * on: a reprovision on page 2 is as much a wipe as one on page 1. Every page is checked to be a
 * list (one that is not would read as "no action"); pages past the first (rare: a Cloud PC has
 * few actions) are read one by one, and one that cannot be read fails the whole list.
 */
export async function withEveryPage(
	graph: GraphClient,
	options: DirectOptions,
	cloudPcId: string,
	firstAnswer: BatchResult,
): Promise<BatchResult> {
	if (!firstAnswer.ok) return firstAnswer;
	const first = remoteActionResultsRequest(cloudPcId);
	const send = async (request: GraphRequest) =>
		request === first ? firstAnswer.response : await sendDirect<unknown>(graph, request, options);
	const value: IDataObject[] = [];
	const read = async () => {
		const pages = followPages(send, first, {
			maxPages: MAX_ACTION_PAGES,
			message: (_why, pages) => `The remote action results did not end after ${pages} pages`,
		});
		for await (const { page } of pages) value.push(...page.value);
	};
	const failed = await graphOutcome(read());
	if (!(failed instanceof GraphFailure)) {
		return { ...firstAnswer, response: { ...firstAnswer.response, body: { value } } };
	}
	const { attempts, answeredAt } = firstAnswer;
	return { attempts, answeredAt, ok: false, failure: failed, sent: true, outcomeUnknown: false };
}
