import type { BatchResult } from '../transport/batch';
import type { DirectOptions } from '../transport/direct';
import type { GraphClient } from '../transport/graph';
import { withLaterPages } from './everyPage';
import type { PageLimit } from './paging';
import { remoteActionResultsRequest } from './remoteActionResults';

/** Pages of remote action results read at most: an earlier action may be on any of them. */
export const REMOTE_ACTION_PAGES: PageLimit = {
	maxPages: 20,
	message: (_why, pages) => `The remote action results did not end after ${pages} pages`,
};

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
	return await withLaterPages(
		graph,
		options,
		remoteActionResultsRequest(cloudPcId),
		firstAnswer,
		REMOTE_ACTION_PAGES,
	);
}
