import type { RemoteActionDescriptor } from './descriptor';

/**
 * Power On: powers on a Windows 365 Frontline Cloud PC, which "is allocated to a user, and
 * licenses are assigned immediately. Only IT admin users can perform this action."
 * https://learn.microsoft.com/graph/api/cloudpc-poweron?view=graph-rest-beta
 * Beta only, admin route only: POST /deviceManagement/virtualEndpoint/cloudPCs/{id}/powerOn;
 * "Don't supply a request body"; 204 No Content; delegated or application
 * CloudPC.ReadWrite.All. Its `actionName` in remote action results is documented:
 * 'CloudPcPowerOn' (cloudPcRemoteActionResult). Bulk (beta):
 * https://learn.microsoft.com/graph/api/resources/cloudpcbulkpoweron?view=graph-rest-beta
 * The page does not say in which statuses Graph accepts it: a provisioned Cloud PC is assumed,
 * as the Graph stand-in does.
 */
export const powerOn: RemoteActionDescriptor = {
	operation: 'powerOn',
	displayName: 'Power On',
	action: 'Power on a Cloud PC',
	description:
		'Power on a Windows 365 Frontline Cloud PC: it is allocated to its user and a license is assigned at once. Options can skip Cloud PCs that are not provisioned, rehearse without sending (dry run) or wait until the power-on is done.',
	docs: ['https://learn.microsoft.com/graph/api/cloudpc-poweron?view=graph-rest-beta'],
	segment: 'powerOn',
	actionName: 'CloudPcPowerOn',
	routes: { beta: ['organization'] },
	permission: 'CloudPC.ReadWrite.All',
	destructive: false,
	notice:
		"Power On works on Windows 365 Frontline Cloud PCs only: the Cloud PC is allocated to its user and takes one of the tenant's Frontline licenses at once. Organization (Admin) scope and API Version beta only.",
	body: [],
	acceptedStatuses: ['provisioned', 'provisionedWithWarnings'],
	bulk: { odataType: '#microsoft.graph.cloudPcBulkPowerOn', fields: [] },
	hints: {},
	statusHint:
		'Only a provisioned Windows 365 Frontline Cloud PC can be powered on, while no other action is running on it; check that it is a Frontline Cloud PC, its status, and that a Frontline license is free.',
	earlier: {
		parameter: 'checkEarlierAction',
		displayName: 'Check for an Earlier Power-On',
		windowMinutes: 30,
		defaultByNodeVersion: { 1: 'onRetry', 2: 'always' },
		description:
			'Whether to skip a Cloud PC, outcome "skipped" with the reason, when a power-on of it started in the last 30 minutes is running or done.',
	},
	onlyIfReady: {
		parameter: 'onlyIfReady',
		displayName: 'Only If Provisioned',
		description:
			'Whether to skip a Cloud PC whose status is not "provisioned" or "provisionedWithWarnings" with outcome "skipped" and the reason, instead of failing it. Costs one read per Cloud PC first.',
	},
	words: { noun: 'power-on', pastParticiple: 'powered on' },
	typicalDuration: 'few minutes',
};
