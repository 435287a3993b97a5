import type { IDataObject } from 'n8n-workflow';

import type { GraphRequest } from '../../transport/graph';
import { text } from '../../shared/outputFields';
import * as adminRead from './adminRead';

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

/** "Restart" and "restart" alike → "restart"; "PlaceUnderReview" → "placeUnderReview". */
const actionKey = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

/**
 * Each listed action's capability by its camel-case name: `{ restart: 'enabled', restore:
 * 'disabled', … }`. A capability newer than enabled/disabled passes through as it is.
 */
export function capabilitiesOf(body: IDataObject): Record<string, string> {
	const capabilities: Record<string, string> = {};
	for (const entry of adminRead.entries(body)) {
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
function output(body: IDataObject): IDataObject {
	const capabilities = capabilitiesOf(body);
	const names = (capability: string) =>
		Object.keys(capabilities).filter((name) => capabilities[name].toLowerCase() === capability);
	return {
		enabledActions: names('enabled'),
		disabledActions: names('disabled'),
		capabilities,
	};
}

const read: adminRead.AdminRead = {
	operation: 'getSupportedActions',
	graphFunction: 'getSupportedCloudPcRemoteActions',
	notice: {
		name: 'supportedActionsNotice',
		needs: 'CloudPC.Read.All when delegated, CloudPC.ReadWrite.All app-only',
	},
	// Graph documents fewer than a dozen actions
	pages: adminRead.pageLimit(5, 'The supported actions'),
	output,
};

export const description = adminRead.description(read);
export const execute = adminRead.execute(read);
export const supportedActionsRequest = (cloudPcId: string): GraphRequest =>
	adminRead.request(read, cloudPcId);
