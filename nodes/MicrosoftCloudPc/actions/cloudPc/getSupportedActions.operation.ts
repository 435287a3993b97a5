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
import { text } from '../../shared/outputFields';
import type { ItemResult } from '../../shared/types';
import { cloudPcPath } from '../../model';

/*
 * Get Supported Actions: beta
 * `GET /deviceManagement/virtualEndpoint/cloudPCs/{id}/getSupportedCloudPcRemoteActions`, admin
 * route only, no v1.0; delegated CloudPC.Read.All, application CloudPC.ReadWrite.All (the
 * current page; older copies listed Read.All for both); Global and US Government L4. The answer
 * is a cloudPcRemoteActionCapability collection `{ value: [{ actionName, actionCapability }] }`,
 * actionCapability enabled | disabled; actionName is documented in camel case (restart, rename,
 * restore, resize, reprovision, troubleShoot, changeUserAccountType, placeUnderReview, and
 * setDeviceName with Prefer: include-unknown-enum-members) while the page's own example answers
 * "Restart", "PlaceUnderReview": names are compared without regard to case. No paging is
 * documented; a nextLink is followed anyway.
 * learn.microsoft.com/graph/api/cloudpc-getsupportedcloudpcremoteactions?view=graph-rest-beta
 * learn.microsoft.com/graph/api/resources/cloudpcremoteactioncapability?view=graph-rest-beta
 */

const displayOptions = { show: { resource: ['cloudPc'], operation: ['getSupportedActions'] } };

const properties: INodeProperties[] = [
	adminBetaReadNotice(
		'supportedActionsNotice',
		'CloudPC.Read.All when delegated, CloudPC.ReadWrite.All app-only',
	),
	cloudPcLocator,
];

export const description = updateDisplayOptions(displayOptions, properties);

/** Pages read at most: Graph documents fewer than a dozen actions. */
const MAX_PAGES = 5;

export function supportedActionsRequest(cloudPcId: string): GraphRequest {
	return {
		method: 'GET',
		version: 'beta',
		path: `${cloudPcPath('organization', undefined, cloudPcId)}/getSupportedCloudPcRemoteActions`,
	};
}

/** "Restart" and "restart" alike → "restart"; "PlaceUnderReview" → "placeUnderReview". */
const actionKey = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

/**
 * Each listed action's capability by its camel-case name: `{ restart: 'enabled', restore:
 * 'disabled', … }`. A capability newer than enabled/disabled passes through as it is.
 */
export function capabilitiesOf(body: IDataObject): Record<string, string> {
	const value = Array.isArray(body.value) ? (body.value as IDataObject[]) : [];
	const capabilities: Record<string, string> = {};
	for (const entry of value) {
		const name = text(entry?.actionName);
		if (!name) continue;
		// an own property whatever the name ("__proto__" included), as Graph sent it
		Object.defineProperty(capabilities, actionKey(name), {
			value: text(entry.actionCapability) ?? 'unknown',
			enumerable: true,
			writable: true,
			configurable: true,
		});
	}
	return capabilities;
}

/**
 * Whether Graph says the action is disabled on this Cloud PC (a getSupportedCloudPcRemoteActions
 * answer): `capabilityName` as cloudPcRemoteActionName spells it, any case. An action Graph does
 * not list is not called disabled: the list is not documented to be complete.
 */
export function isActionDisabled(body: IDataObject, capabilityName: string): boolean {
	const wanted = capabilityName.toLowerCase();
	return Object.entries(capabilitiesOf(body)).some(
		([name, capability]) =>
			name.toLowerCase() === wanted && capability.toLowerCase() === 'disabled',
	);
}

/**
 * One output item per input item: `capabilities` by action name, and the enabled and disabled
 * names as lists (an IF node can test `{{ $json.disabledActions.includes('restore') }}`).
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	graph: GraphClient,
): Promise<ItemResult[]> {
	const known = (cloudPcId: string) => ({ cloudPcId, apiVersion: 'beta' });
	return await fetchEach(this, graph, items.length, {
		plan: (itemIndex) => readCloudPcId(this, itemIndex),
		request: supportedActionsRequest,
		known,
		everyPage: {
			maxPages: MAX_PAGES,
			message: (_why, pages) => `The supported actions did not end after ${pages} pages`,
		},
		output: (cloudPcId, response) => {
			const capabilities = capabilitiesOf(response.body);
			const names = (capability: string) =>
				Object.keys(capabilities).filter((name) => capabilities[name].toLowerCase() === capability);
			return {
				...known(cloudPcId),
				enabledActions: names('enabled'),
				disabledActions: names('disabled'),
				capabilities,
				requestId: response.requestId ?? null,
			};
		},
	});
}
