import {
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	updateDisplayOptions,
} from 'n8n-workflow';

import type { GraphClient } from '../../transport/graph';
import { cloudPcLocator, organizationBetaNotice } from '../../shared/descriptions';
import { readCloudPcId } from '../validate';
import { fetchEach } from './batchedReads';
import { remoteActionFields } from '../../shared/outputFields';
import {
	latestAction,
	outcomeOfAction,
	reasonOfAction,
	remoteActionResultsRequest,
} from '../../shared/remoteActionResults';
import type { ItemResult } from '../../shared/types';

const displayOptions = { show: { resource: ['cloudPc'], operation: ['getReprovisionStatus'] } };

const properties: INodeProperties[] = [organizationBetaNotice, cloudPcLocator];

export const description = updateDisplayOptions(displayOptions, properties);

/**
 * The latest Reprovision action of each item's Cloud PC (beta
 * `retrieveCloudPcRemoteActionResults`, admin route), 20 reads to a JSON batch.
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
		output: (cloudPcId, response) => {
			const action = latestAction(response.body, 'Reprovision');
			const state = action ? outcomeOfAction(action.actionState) : undefined;
			return {
				...known(cloudPcId),
				...remoteActionFields(action),
				outcome: state?.outcome ?? null,
				// One field for a wait loop's IF node: true until the action is done or failed.
				stillRunning: state ? !state.final : false,
				reason: action
					? reasonOfAction(action, 'reprovision')
					: 'No reprovision action found for this Cloud PC',
				requestId: response.requestId ?? null,
			};
		},
	});
}
