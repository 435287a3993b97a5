import type { RemoteActionDescriptor } from './descriptor';

/**
 * Power Off: powers off a Windows 365 Frontline Cloud PC: "it's deallocated, and licenses are
 * revoked immediately. Only IT admin users can perform this action."
 * https://learn.microsoft.com/graph/api/cloudpc-poweroff?view=graph-rest-beta
 * Beta only, admin route only: the page writes POST
 * /deviceManagement/virtualEndpoint/cloudPCs/{id}/poweroff; the action is `powerOff` (Graph
 * matches segments without case) and is sent so. "Don't supply a request body"; 204 No
 * Content; delegated or application CloudPC.ReadWrite.All. Bulk (beta):
 * https://learn.microsoft.com/graph/api/resources/cloudpcbulkpoweroff?view=graph-rest-beta
 * Not destructive (nothing stored is lost, sending it twice powers off a Cloud PC already off),
 * but it ends the user's session: unsaved work is lost. The page does not say in which statuses
 * Graph accepts it, nor its `actionName` in remote action results: a provisioned Cloud PC and
 * 'CloudPcPowerOff' (after the documented 'CloudPcPowerOn') are assumed, as the Graph stand-in
 * does.
 */
export const powerOff: RemoteActionDescriptor = {
	operation: 'powerOff',
	displayName: 'Power Off',
	action: 'Power off a Cloud PC',
	description:
		"Power off a Windows 365 Frontline Cloud PC: it is deallocated and its license is freed at once; the user's session ends and unsaved work is lost, nothing stored on it is. Options can skip Cloud PCs that are not provisioned, rehearse without sending (dry run) or wait until the power-off is done.",
	docs: ['https://learn.microsoft.com/graph/api/cloudpc-poweroff?view=graph-rest-beta'],
	segment: 'powerOff',
	actionName: 'CloudPcPowerOff',
	routes: { beta: ['organization'] },
	permission: 'CloudPC.ReadWrite.All',
	destructive: false,
	notice:
		"Powering off ends the user's session (unsaved work is lost), deallocates the Cloud PC and frees its Frontline license at once. Windows 365 Frontline Cloud PCs only; Organization (Admin) scope and API Version beta only.",
	body: [],
	acceptedStatuses: ['provisioned', 'provisionedWithWarnings'],
	bulk: { odataType: '#microsoft.graph.cloudPcBulkPowerOff', fields: [] },
	hints: {},
	statusHint:
		'Only a provisioned Windows 365 Frontline Cloud PC can be powered off, while no other action is running on it; check that it is a Frontline Cloud PC and its status.',
	earlier: {
		parameter: 'checkEarlierAction',
		displayName: 'Check for an Earlier Power-Off',
		windowMinutes: 30,
		defaultByNodeVersion: { 1: 'onRetry', 2: 'always' },
		description:
			'Whether to skip a Cloud PC, outcome "skipped" with the reason, when a power-off of it started in the last 30 minutes is running or done.',
	},
	onlyIfReady: {
		parameter: 'onlyIfReady',
		displayName: 'Only If Provisioned',
		description:
			'Whether to skip a Cloud PC whose status is not "provisioned" or "provisionedWithWarnings" with outcome "skipped" and the reason, instead of failing it. Costs one read per Cloud PC first.',
	},
	words: { noun: 'power-off', pastParticiple: 'powered off' },
	typicalDuration: 'few minutes',
};
