import type { IDataObject } from 'n8n-workflow';

import { newestFirst, remoteActionFields, text } from '../../shared/outputFields';
import { REMOTE_ACTION_PAGES } from '../../shared/remoteActionPages';
import { outcomeOfAction } from '../../shared/remoteActionResults';
import * as adminRead from './adminRead';

/*
 * Get Action Results: beta
 * `GET /deviceManagement/virtualEndpoint/cloudPCs/{id}/retrieveCloudPcRemoteActionResults`, admin
 * route only, no v1.0; CloudPC.ReadWrite.All, delegated and application (no read-only
 * permission is listed); Global and US Government L4. The answer is a cloudPcRemoteActionResult
 * collection `{ value: [{ actionName, actionState, startDateTime, lastUpdatedDateTime, cloudPcId,
 * managedDeviceId, statusDetail }] }`, every action (Reboot, Rename, Reprovision, Restore, Resize,
 * Troubleshoot, CloudPcPowerOn…), actionState none | pending | canceled | active | done | failed
 * | notSupported. No paging is documented, but Graph may page any collection: every page is read
 * (shared/remoteActionPages.ts), since the latest action may be on the last.
 * learn.microsoft.com/graph/api/cloudpc-retrievecloudpcremoteactionresults?view=graph-rest-beta
 * learn.microsoft.com/graph/api/resources/cloudpcremoteactionresult?view=graph-rest-beta
 */

/** Still running: not in a final state, and not `none` (no action). Newer states count as running. */
function running(actionState: unknown): boolean {
	return !outcomeOfAction(actionState).final && String(actionState ?? '').toLowerCase() !== 'none';
}

function actionFields(action: IDataObject): IDataObject {
	const flat = remoteActionFields(action);
	return {
		actionName: flat.actionName,
		actionState: flat.actionState,
		startDateTime: flat.actionStartDateTime,
		lastUpdatedDateTime: flat.actionLastUpdatedDateTime,
		statusDetail: flat.actionStatusDetail,
		statusDetailCode: flat.actionStatusDetailCode,
		managedDeviceId: text(action.managedDeviceId),
		stillRunning: running(action.actionState),
	};
}

/**
 * One output item per input item: every remote action of its Cloud PC (every page) newest first
 * in `actions`, the names of those still running, and the newest action's fields flat (the
 * same `action*` fields as Get Reprovision Status; null when there is none).
 */
function output(body: IDataObject): IDataObject {
	const raw = newestFirst(adminRead.entries(body), 'startDateTime');
	const actions = raw.map(actionFields);
	return {
		actionCount: actions.length,
		...remoteActionFields(raw[0]),
		runningActions: actions.filter((a) => a.stillRunning).map((a) => a.actionName),
		stillRunning: actions.some((a) => a.stillRunning),
		actions,
	};
}

const read: adminRead.AdminRead = {
	operation: 'getActionResults',
	graphFunction: 'retrieveCloudPcRemoteActionResults',
	notice: {
		name: 'actionResultsNotice',
		needs: 'CloudPC.ReadWrite.All (Graph lists no read-only permission for remote action results)',
	},
	pages: REMOTE_ACTION_PAGES,
	output,
};

export const description = adminRead.description(read);
export const execute = adminRead.execute(read);
