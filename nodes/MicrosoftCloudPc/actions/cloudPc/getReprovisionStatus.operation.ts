import {
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	updateDisplayOptions,
} from 'n8n-workflow';

import type { GraphClient } from '../../transport/graph';
import { cloudPcLocator, organizationBetaNotice } from '../../shared/descriptions';
import type { ItemResult } from '../../shared/types';
import { reprovision } from '../../remoteActions/reprovision.action';
import { fetchActionStatus } from './getActionStatus.operation';

/*
 * Get Reprovision Status, kept for saved workflows: Get Action Status with Reprovision fixed,
 * and its output as it always was (no `action` field).
 */

const displayOptions = { show: { resource: ['cloudPc'], operation: ['getReprovisionStatus'] } };

const properties: INodeProperties[] = [organizationBetaNotice, cloudPcLocator];

export const description = updateDisplayOptions(displayOptions, properties);

/**
 * The latest Reprovision action of each item's Cloud PC (beta
 * `retrieveCloudPcRemoteActionResults`, admin route, every page), 20 reads to a JSON batch.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	graph: GraphClient,
): Promise<ItemResult[]> {
	return await fetchActionStatus(this, graph, items.length, () => reprovision, false);
}
