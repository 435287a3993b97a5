import { randomUUID } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import { followPages, type EndlessList } from '../MicrosoftCloudPc/shared/paging';
import { MAX_TOP, cloudPcPath } from '../MicrosoftCloudPc/model';
import { sendDirect } from '../MicrosoftCloudPc/transport/direct';
import { GraphFailure } from '../MicrosoftCloudPc/transport/graphErrors';
import type { GraphClient, GraphRequest } from '../MicrosoftCloudPc/transport/graph';
import { DEFAULT_RETRY_POLICY } from '../MicrosoftCloudPc/transport/retry';
import type { SeenCloudPc } from './state';

/** Only what the events need; `lastRemoteActionResult` is beta, as is `status`. */
const SELECT = 'id,displayName,userPrincipalName,status,statusDetail,lastRemoteActionResult';
/** About a million Cloud PCs; there so a Graph that never stops paging cannot hold the poll. */
export const MAX_PAGES = 1000;
/** A request unanswered this long is sent again (a read: safe to repeat). */
const REQUEST_TIMEOUT_MS = 60_000;

/** The list request: beta, admin route, the filters as $filter. */
export function listRequest(filter: string | undefined): GraphRequest {
	return {
		method: 'GET',
		version: 'beta',
		path: cloudPcPath('organization', undefined),
		qs: { $select: SELECT, $top: MAX_TOP, ...(filter ? { $filter: filter } : {}) },
	};
}

function seenCloudPc(pc: IDataObject): SeenCloudPc | undefined {
	if (typeof pc.id !== 'string' || pc.id === '') return undefined;
	const action = pc.lastRemoteActionResult;
	// an action without a name is no action (Graph may send an empty result rather than null)
	const lastAction =
		typeof action === 'object' &&
		action !== null &&
		!Array.isArray(action) &&
		typeof (action as IDataObject).actionName === 'string' &&
		(action as IDataObject).actionName !== ''
			? (action as IDataObject)
			: undefined;
	return {
		id: pc.id,
		pc,
		// a status newer than this node is kept as it is; none at all is kept as 'unknown'
		status: typeof pc.status === 'string' && pc.status !== '' ? pc.status : 'unknown',
		lastAction,
	};
}

/**
 * Every Cloud PC the list shows, by id: page after page through `@odata.nextLink`. A Cloud PC
 * listed twice (a list that shifted while paged) counts once, as its last page showed it.
 * Throttling waits inside the poll, but never past `deadline` (ms since the epoch): the poll
 * then fails, and the next one starts from the last successful state.
 */
export async function fetchTenant(
	graph: GraphClient,
	first: GraphRequest,
	deadline: number,
): Promise<Map<string, SeenCloudPc>> {
	const seen = new Map<string, SeenCloudPc>();
	let read = 0;
	const send = async (request: GraphRequest) => {
		const left = deadline - Date.now();
		if (left <= 0) {
			throw new GraphFailure(
				0,
				'PollBudgetSpent',
				`Reading the Cloud PCs took longer than this poll may take (${read} pages read); the poll stopped and keeps its last state`,
				undefined,
				randomUUID(),
			);
		}
		const policy = { ...DEFAULT_RETRY_POLICY, maxRetries: 3, maxWaitMs: Math.max(0, left) };
		const response = await sendDirect<unknown>(graph, request, {
			policy,
			timeoutMs: Math.max(1_000, Math.min(REQUEST_TIMEOUT_MS, left)),
		});
		read++;
		return response;
	};
	const message = (_why: EndlessList, pages: number) =>
		`Graph's list of Cloud PCs did not end after ${pages} pages; the poll stopped and keeps its last state`;
	for await (const { page } of followPages(send, first, { maxPages: MAX_PAGES, message })) {
		for (const pc of page.value) {
			const one = seenCloudPc(pc);
			if (one) seen.set(one.id, one);
		}
	}
	return seen;
}
