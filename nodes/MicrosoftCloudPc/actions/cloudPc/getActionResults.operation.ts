import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	updateDisplayOptions,
} from 'n8n-workflow';

import type { GraphClient } from '../../transport/graph';
import { adminBetaReadNotice, cloudPcLocator } from '../../shared/descriptions';
import { readCloudPcId } from '../validate';
import { fetchEach } from './batchedReads';
import { newestFirst, remoteActionFields, text } from '../../shared/outputFields';
import { REMOTE_ACTION_PAGES } from '../../shared/remoteActionPages';
import { outcomeOfAction, remoteActionResultsRequest } from '../../shared/remoteActionResults';
import type { ItemResult } from '../../shared/types';

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

const displayOptions = { show: { resource: ['cloudPc'], operation: ['getActionResults'] } };

const properties: INodeProperties[] = [
	adminBetaReadNotice(
		'actionResultsNotice',
		'CloudPC.ReadWrite.All (Graph lists no read-only permission for remote action results)',
	),
	cloudPcLocator,
];

export const description = updateDisplayOptions(displayOptions, properties);

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
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	graph: GraphClient,
): Promise<ItemResult[]> {
	const known = (cloudPcId: string) => ({ cloudPcId, apiVersion: 'beta' });
	return await fetchEach(this, graph, items.length, {
		plan: (itemIndex) => readCloudPcId(this, itemIndex),
		request: remoteActionResultsRequest,
		known,
		everyPage: REMOTE_ACTION_PAGES,
		output: (cloudPcId, response) => {
			const value = Array.isArray(response.body.value)
				? (response.body.value as IDataObject[])
				: [];
			const raw = newestFirst(value, 'startDateTime');
			const actions = raw.map(actionFields);
			return {
				...known(cloudPcId),
				actionCount: actions.length,
				...remoteActionFields(raw[0]),
				runningActions: actions.filter((a) => a.stillRunning).map((a) => a.actionName),
				stillRunning: actions.some((a) => a.stillRunning),
				actions,
				requestId: response.requestId ?? null,
			};
		},
	});
}
