import type { RemoteActionDescriptor } from './descriptor';

/**
 * Retry Partner Agent Installation: "Retry installation for the partner agents that failed to
 * install on the Cloud PC. Service side checks which agent installation failed firstly and
 * retry." Partner agents are Citrix, VMware and HP (cloudPcPartnerAgentInstallResult).
 * https://learn.microsoft.com/graph/api/cloudpc-retrypartneragentinstallation?view=graph-rest-beta
 * Beta only, admin route only; "Don't supply a request body"; 204 No Content; delegated or
 * application CloudPC.ReadWrite.All. No bulk action subtype (cloudPcBulkReinstallAgent
 * reinstalls Windows 365's own agent, another action). The page does not say in which statuses
 * Graph accepts it, nor its `actionName`: a provisioned Cloud PC and
 * 'RetryPartnerAgentInstallation' are assumed, as the Graph stand-in does.
 */
export const retryPartnerAgentInstallation: RemoteActionDescriptor = {
	operation: 'retryPartnerAgentInstallation',
	displayName: 'Retry Partner Agent Installation',
	action: 'Retry the partner agent installation on a Cloud PC',
	description:
		'Retry installing the partner agents (Citrix, VMware, HP) that failed to install on a Cloud PC. Options can skip Cloud PCs that are not provisioned, rehearse without sending (dry run) or wait until the retry is done.',
	docs: [
		'https://learn.microsoft.com/graph/api/cloudpc-retrypartneragentinstallation?view=graph-rest-beta',
	],
	segment: 'retryPartnerAgentInstallation',
	actionName: 'RetryPartnerAgentInstallation',
	routes: { beta: ['organization'] },
	permission: 'CloudPC.ReadWrite.All',
	destructive: false,
	notice:
		'Windows 365 retries installing the partner agents (Citrix, VMware, HP) whose installation failed on the Cloud PC. Organization (Admin) scope and API Version beta only.',
	body: [],
	acceptedStatuses: ['provisioned', 'provisionedWithWarnings'],
	hints: {},
	statusHint:
		'A partner agent installation can be retried only on a provisioned Cloud PC while no other action is running on it; check its status.',
	earlier: {
		parameter: 'checkEarlierAction',
		displayName: 'Check for an Earlier Partner Agent Installation Retry',
		windowMinutes: 60,
		defaultByNodeVersion: { 1: 'onRetry', 2: 'always' },
		description:
			'Whether to skip a Cloud PC, outcome "skipped" with the reason, when a partner agent installation retry on it started in the last hour is running or done.',
	},
	onlyIfReady: {
		parameter: 'onlyIfReady',
		displayName: 'Only If Provisioned',
		description:
			'Whether to skip a Cloud PC whose status is not "provisioned" or "provisionedWithWarnings" with outcome "skipped" and the reason, instead of failing it. Costs one read per Cloud PC first.',
	},
	words: {
		noun: 'partner agent installation retry',
		pastParticiple: 'sent a partner agent installation retry',
	},
	typicalDuration: 'few minutes to half an hour (Microsoft publishes no figure)',
};
