import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	updateDisplayOptions,
} from 'n8n-workflow';

import type { GraphClient, GraphRequest } from '../../transport/graph';
import { adminBetaReadNotice, cloudPcLocator } from '../../shared/descriptions';
import { readCloudPcId } from '../validate';
import { fetchEach } from './batchedReads';
import { newestFirst, text } from '../../shared/outputFields';
import type { ItemResult } from '../../shared/types';
import { cloudPcPath } from '../../model';

/*
 * Get Snapshots: beta `GET /deviceManagement/virtualEndpoint/cloudPCs/{id}/retrieveSnapshots`,
 * a function on the admin route only (no /me or /users form, none in v1.0); CloudPC.ReadWrite.All
 * delegated and application (no read-only permission is listed); Global and US Government L4.
 * The answer is a cloudPcSnapshot collection `{ value: [{ id, cloudPcId, status, createdDateTime,
 * lastRestoredDateTime, snapshotType, expirationDateTime }] }` in no documented order; status
 * ready | unknownFutureValue, snapshotType automatic | manual. The page documents no query
 * options and no paging; a nextLink is followed anyway (Graph may page any collection).
 * learn.microsoft.com/graph/api/cloudpc-retrievesnapshots?view=graph-rest-beta
 * learn.microsoft.com/graph/api/resources/cloudpcsnapshot?view=graph-rest-beta
 */

const displayOptions = { show: { resource: ['cloudPc'], operation: ['getSnapshots'] } };

const properties: INodeProperties[] = [
	adminBetaReadNotice(
		'snapshotsNotice',
		'CloudPC.ReadWrite.All (Graph lists no read-only permission for snapshots)',
	),
	cloudPcLocator,
];

export const description = updateDisplayOptions(displayOptions, properties);

/** Pages of one Cloud PC's snapshots read at most (a few a day, kept for weeks). */
const MAX_PAGES = 20;

export function snapshotsRequest(cloudPcId: string): GraphRequest {
	return {
		method: 'GET',
		version: 'beta',
		path: `${cloudPcPath('organization', undefined, cloudPcId)}/retrieveSnapshots`,
	};
}

/** One snapshot, flat; `snapshotId` is what Restore's Snapshot field takes. */
export function snapshotFields(snapshot: IDataObject): IDataObject {
	return {
		snapshotId: text(snapshot.id),
		createdDateTime: text(snapshot.createdDateTime),
		snapshotType: text(snapshot.snapshotType),
		status: text(snapshot.status),
		lastRestoredDateTime: text(snapshot.lastRestoredDateTime),
		expirationDateTime: text(snapshot.expirationDateTime),
	};
}

/** Every snapshot in a retrieveSnapshots answer (every page), flat, newest first. */
export function snapshotsOf(body: IDataObject): IDataObject[] {
	const value = Array.isArray(body.value) ? (body.value as IDataObject[]) : [];
	return newestFirst(value.map(snapshotFields), 'createdDateTime');
}

/**
 * One output item per input item: its Cloud PC's snapshots newest first in `snapshots`, and the
 * newest one's fields flat beside them (null when there is none), 20 reads to a JSON batch.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	graph: GraphClient,
): Promise<ItemResult[]> {
	const known = (cloudPcId: string) => ({ cloudPcId, apiVersion: 'beta' });
	return await fetchEach(this, graph, items.length, {
		plan: (itemIndex) => readCloudPcId(this, itemIndex),
		request: snapshotsRequest,
		known,
		everyPage: {
			maxPages: MAX_PAGES,
			message: (_why, pages) => `The snapshot list did not end after ${pages} pages`,
		},
		output: (cloudPcId, response) => {
			const snapshots = snapshotsOf(response.body);
			const latest: IDataObject = snapshots[0] ?? {};
			return {
				...known(cloudPcId),
				snapshotCount: snapshots.length,
				latestSnapshotId: latest.snapshotId ?? null,
				latestSnapshotCreatedDateTime: latest.createdDateTime ?? null,
				latestSnapshotType: latest.snapshotType ?? null,
				latestSnapshotStatus: latest.status ?? null,
				snapshots,
				requestId: response.requestId ?? null,
			};
		},
	});
}
