import type { IDataObject } from 'n8n-workflow';

import { sendDirect, type DirectOptions } from '../../transport/direct';
import type { GraphClient, GraphRequest } from '../../transport/graph';
import { followPages } from '../../shared/paging';
import { EARLIER_WINDOW_MS } from '../../shared/remoteActionResults';

/*
 * The tenant's bulk actions (beta): created with POST, listed with GET on the same path,
 * learn.microsoft.com/graph/api/virtualendpoint-list-bulkactions?view=graph-rest-beta. Each
 * carries `@odata.type`, `displayName`, `cloudPcIds` and `createdDateTime`:
 * learn.microsoft.com/graph/api/resources/cloudpcbulkaction?view=graph-rest-beta.
 */

export const BULK_ACTIONS_PATH = '/deviceManagement/virtualEndpoint/bulkActions';
/** Pages of bulk actions read at most: a list that never ends cannot hold the run. */
const MAX_PAGES = 100;

/** Each page of the tenant's bulk actions; a page that is not a list fails (pages.ts). */
export function bulkActionPages(graph: GraphClient, throughput: DirectOptions) {
	const first: GraphRequest = { method: 'GET', version: 'beta', path: BULK_ACTIONS_PATH };
	return followPages(
		async (request) => await sendDirect<unknown>(graph, request, throughput),
		first,
		{
			maxPages: MAX_PAGES,
			message: (_why, pages) => `The bulk actions did not end after ${pages} pages`,
		},
	);
}

/**
 * The bulk actions of one subtype (`odataType`, e.g. '#microsoft.graph.cloudPcBulkReprovision')
 * created in the last `windowMs`, by the Cloud PCs they cover (lower-case IDs; the latest action
 * wins). Whatever their status: a bulk action's status does not say which of its Cloud PCs were
 * already acted on. One scheduled for the maintenance window counts too, and still counts after
 * the window while it is `pending`: it has not run yet, and the window may be days away. Another
 * subtype's bulk action does not count: a restart does not stand for a reprovision.
 */
export async function recentBulkActions(
	graph: GraphClient,
	throughput: DirectOptions,
	odataType: string,
	windowMs = EARLIER_WINDOW_MS,
	now = Date.now(),
): Promise<Map<string, IDataObject>> {
	const type = odataType.toLowerCase();
	const byCloudPc = new Map<string, IDataObject>();
	for await (const { page } of bulkActionPages(graph, throughput)) {
		for (const action of page.value) {
			const created = Date.parse(String(action.createdDateTime ?? ''));
			if (String(action['@odata.type'] ?? '').toLowerCase() !== type) continue;
			const waiting =
				action.scheduledDuringMaintenanceWindow === true && action.status === 'pending';
			if (!(created >= now - windowMs) && !waiting) continue;
			const ids = Array.isArray(action.cloudPcIds) ? action.cloudPcIds : [];
			for (const id of ids) {
				const known = byCloudPc.get(String(id).toLowerCase());
				if (!known || Date.parse(String(known.createdDateTime)) <= created) {
					byCloudPc.set(String(id).toLowerCase(), action);
				}
			}
		}
	}
	return byCloudPc;
}
