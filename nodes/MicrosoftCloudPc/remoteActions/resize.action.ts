import type { RemoteActionDescriptor } from './descriptor';

/**
 * Resize: moves the Cloud PC to another service plan (vCPU, RAM, disk); user data is kept.
 * https://learn.microsoft.com/graph/api/cloudpc-resize?view=graph-rest-1.0
 * https://learn.microsoft.com/graph/api/cloudpc-resize?view=graph-rest-beta
 * Admin route only in both versions; body `{ targetServicePlanId }` (String; the example is a
 * GUID); 204 No Content. Bulk (beta), with the same targetServicePlanId:
 * https://learn.microsoft.com/graph/api/resources/cloudpcbulkresize?view=graph-rest-beta
 * The pages do not say in which statuses Graph accepts it: a running Cloud PC is assumed
 * (provisioned, with or without warnings). While it runs the status is `resizing` (beta
 * cloudPcStatus). Resizing disconnects the user, unsaved work may be lost, and GPU Cloud PCs
 * cannot be resized (Windows 365's "Cloud PC resizing overview",
 * https://go.microsoft.com/fwlink/p/?linkid=2238185); Microsoft gives no duration.
 */
export const resize: RemoteActionDescriptor = {
	operation: 'resize',
	displayName: 'Resize',
	action: 'Resize a Cloud PC',
	description:
		"Move a Cloud PC to another service plan (more or fewer vCPUs, more RAM or disk); files and apps are kept, the user's session ends. Options can skip Cloud PCs that are not running, rehearse without sending (dry run) or wait until the resize is done.",
	docs: [
		'https://learn.microsoft.com/graph/api/cloudpc-resize?view=graph-rest-1.0',
		'https://learn.microsoft.com/graph/api/cloudpc-resize?view=graph-rest-beta',
	],
	segment: 'resize',
	actionName: 'Resize',
	routes: {
		'v1.0': ['organization'],
		beta: ['organization'],
	},
	permission: 'CloudPC.ReadWrite.All',
	destructive: false,
	notice:
		'Resizing disconnects the user (unsaved work may be lost) and moves the Cloud PC to the target service plan; files and apps are kept. The user needs a license of the target plan. Organization (Admin) scope only.',
	body: [
		{
			name: 'targetServicePlanId',
			displayName: 'Target Service Plan ID',
			kind: 'guid',
			required: true,
			default: '',
			placeholder: '30d0e128-de93-41dc-89ec-33d84bb662a0',
			description:
				'ID of the Windows 365 service plan (size) to resize the Cloud PC to, a GUID; Graph lists them at GET /deviceManagement/virtualEndpoint/servicePlans',
		},
	],
	acceptedStatuses: ['provisioned', 'provisionedWithWarnings'],
	runningStatus: 'resizing',
	bulk: {
		odataType: '#microsoft.graph.cloudPcBulkResize',
		fields: [
			{
				name: 'targetServicePlanId',
				displayName: 'Target Service Plan ID',
				kind: 'guid',
				required: true,
				description: 'ID of the Windows 365 service plan to resize the Cloud PCs to',
			},
		],
	},
	hints: {},
	statusHint:
		'A Cloud PC can be resized only while it runs (status "provisioned" or "provisionedWithWarnings") and no other action is running on it; GPU Cloud PCs cannot be resized. Check its status, and that the target service plan ID is a plan the user is licensed for.',
	earlier: {
		parameter: 'checkEarlierAction',
		displayName: 'Check for an Earlier Resize',
		// Microsoft gives no duration: as long as Reprovision's window
		windowMinutes: 240,
		defaultByNodeVersion: { 1: 'onRetry', 2: 'always' },
		description:
			'Whether to skip a Cloud PC, outcome "skipped" with the reason, when a resize of it started in the last 4 hours is running or done, whatever plan it targeted, so that a request delivered twice does not disconnect the user twice.',
	},
	onlyIfReady: {
		parameter: 'onlyIfReady',
		displayName: 'Only If Running',
		description:
			'Whether to skip a Cloud PC that is not running (any status but "provisioned" or "provisionedWithWarnings") with outcome "skipped" and the reason, instead of failing it. Costs one read per Cloud PC first.',
	},
	words: { noun: 'resize', pastParticiple: 'resized' },
	typicalDuration: 'tens of minutes (Microsoft publishes no figure)',
};
