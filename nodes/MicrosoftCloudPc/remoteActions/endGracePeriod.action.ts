import type { RemoteActionDescriptor } from './descriptor';

/**
 * End Grace Period: deprovisions a Cloud PC in its grace period now instead of after up to
 * seven days; the Cloud PC and everything on it are gone.
 * https://learn.microsoft.com/graph/api/cloudpc-endgraceperiod?view=graph-rest-1.0
 * https://learn.microsoft.com/graph/api/cloudpc-endgraceperiod?view=graph-rest-beta
 * Admin route only in both versions (beta's PowerShell module also has a /users route,
 * Stop-MgBetaUserCloudPcGracePeriod, which the API page does not list); "Don't supply a request
 * body"; 204 No Content. "The grace period is triggered when the Cloud PC license is removed
 * or the provisioning policy is unassigned": so only a Cloud PC in status `inGracePeriod`
 * takes it; it shows `deprovisioning` while it runs. No bulk action subtype. The action's
 * `actionName` in remote action results is not documented: 'EndGracePeriod' is assumed, as
 * the Graph stand-in does.
 */
export const endGracePeriod: RemoteActionDescriptor = {
	operation: 'endGracePeriod',
	displayName: 'End Grace Period',
	action: 'End the grace period of a Cloud PC',
	description:
		'End the grace period of a Cloud PC: DESTRUCTIVE, it deprovisions the Cloud PC now instead of after the grace period; the Cloud PC and everything on it are gone. Options can skip Cloud PCs not in their grace period, rehearse without sending (dry run) or wait until it is deprovisioned.',
	docs: [
		'https://learn.microsoft.com/graph/api/cloudpc-endgraceperiod?view=graph-rest-1.0',
		'https://learn.microsoft.com/graph/api/cloudpc-endgraceperiod?view=graph-rest-beta',
	],
	segment: 'endGracePeriod',
	actionName: 'EndGracePeriod',
	routes: {
		'v1.0': ['organization'],
		beta: ['organization'],
	},
	permission: 'CloudPC.ReadWrite.All',
	destructive: true,
	notice:
		'Ending the grace period deprovisions the Cloud PC at once: it and everything stored on it are deleted, with no way back. Only a Cloud PC whose status is "inGracePeriod" (its license removed or its provisioning policy unassigned) takes it. Organization (Admin) scope only.',
	body: [],
	acceptedStatuses: ['inGracePeriod'],
	runningStatus: 'deprovisioning',
	hints: {},
	statusHint:
		'Only a Cloud PC in its grace period (status "inGracePeriod": license removed or provisioning policy unassigned) can have it ended; check its status.',
	earlier: {
		parameter: 'checkEarlierAction',
		displayName: 'Check for an Earlier End of Grace Period',
		windowMinutes: 240,
		defaultByNodeVersion: { 1: 'onRetry', 2: 'always' },
		description:
			'Whether to skip a Cloud PC, outcome "skipped" with the reason, when an end of its grace period started in the last 4 hours is running or done.',
	},
	onlyIfReady: {
		parameter: 'onlyIfReady',
		displayName: 'Only If in Grace Period',
		description:
			'Whether to skip a Cloud PC that is not in its grace period (any status but "inGracePeriod") with outcome "skipped" and the reason, instead of failing it. Costs one read per Cloud PC first.',
	},
	words: { noun: 'deprovision', pastParticiple: 'deprovisioned' },
	typicalDuration: 'few minutes to an hour (Microsoft publishes no figure)',
};
