import type { IDataObject } from 'n8n-workflow';

import type { GraphRequest } from '../../transport/graph';
import { newestFirst, text } from '../../shared/outputFields';
import * as adminRead from './adminRead';

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
	return newestFirst(adminRead.entries(body).map(snapshotFields), 'createdDateTime');
}

/**
 * One output item per input item: its Cloud PC's snapshots newest first in `snapshots`, and the
 * newest one's fields flat beside them (null when there is none).
 */
function output(body: IDataObject): IDataObject {
	const snapshots = snapshotsOf(body);
	const latest: IDataObject = snapshots[0] ?? {};
	return {
		snapshotCount: snapshots.length,
		latestSnapshotId: latest.snapshotId ?? null,
		latestSnapshotCreatedDateTime: latest.createdDateTime ?? null,
		latestSnapshotType: latest.snapshotType ?? null,
		latestSnapshotStatus: latest.status ?? null,
		snapshots,
	};
}

const read: adminRead.AdminRead = {
	operation: 'getSnapshots',
	graphFunction: 'retrieveSnapshots',
	notice: {
		name: 'snapshotsNotice',
		needs: 'CloudPC.ReadWrite.All (Graph lists no read-only permission for snapshots)',
	},
	// a few snapshots a day, kept for weeks
	pages: adminRead.pageLimit(20, 'The snapshot list'),
	output,
};

export const description = adminRead.description(read);
export const execute = adminRead.execute(read);
export const snapshotsRequest = (cloudPcId: string): GraphRequest =>
	adminRead.request(read, cloudPcId);
