import type { RemoteActionDescriptor } from './descriptor';

/**
 * Reboot: restarts the Cloud PC; the user's session ends and unsaved work is lost.
 * https://learn.microsoft.com/graph/api/cloudpc-reboot?view=graph-rest-1.0 (admin route only)
 * https://learn.microsoft.com/graph/api/cloudpc-reboot?view=graph-rest-beta (also /me and
 * /users/{userId}). No request body; 204 No Content. Bulk (beta):
 * https://learn.microsoft.com/graph/api/resources/cloudpcbulkrestart?view=graph-rest-beta
 * The pages do not say in which statuses Graph accepts it: a running Cloud PC is assumed
 * (provisioned, with or without warnings).
 */
export const reboot: RemoteActionDescriptor = {
	operation: 'reboot',
	displayName: 'Reboot',
	action: 'Reboot a Cloud PC',
	description:
		"Restart a Cloud PC: the user's session ends and unsaved work is lost, nothing stored on the Cloud PC is. Options can skip Cloud PCs that are not running, rehearse without sending (dry run) or wait until the restart is done.",
	docs: [
		'https://learn.microsoft.com/graph/api/cloudpc-reboot?view=graph-rest-1.0',
		'https://learn.microsoft.com/graph/api/cloudpc-reboot?view=graph-rest-beta',
	],
	segment: 'reboot',
	actionName: 'Reboot',
	routes: {
		'v1.0': ['organization'],
		beta: ['organization', 'user', 'me'],
	},
	permission: 'CloudPC.ReadWrite.All',
	destructive: false,
	notice:
		'Rebooting ends the user\'s session on the Cloud PC: unsaved work is lost. Only a running Cloud PC (status "provisioned" or "provisionedWithWarnings") can be rebooted. Signed-In User and Specific User need API Version beta.',
	body: [],
	acceptedStatuses: ['provisioned', 'provisionedWithWarnings'],
	bulk: { odataType: '#microsoft.graph.cloudPcBulkRestart', fields: [] },
	hints: {},
	statusHint:
		'A Cloud PC can be rebooted only while it runs (status "provisioned" or "provisionedWithWarnings") and no other action is running on it; wait for that action to finish and check its status.',
	earlier: {
		parameter: 'checkEarlierAction',
		displayName: 'Check for an Earlier Reboot',
		// a reboot takes minutes
		windowMinutes: 30,
		defaultByNodeVersion: { 1: 'onRetry', 2: 'always' },
		description:
			'Whether to skip a Cloud PC, outcome "skipped" with the reason, when a reboot of it started in the last 30 minutes is running or done, so that a request delivered twice does not end the user\'s session twice. Needs an administrator\'s sign-in or app-only to see remote actions.',
	},
	onlyIfReady: {
		parameter: 'onlyIfReady',
		displayName: 'Only If Running',
		description:
			'Whether to skip a Cloud PC that is not running (any status but "provisioned" or "provisionedWithWarnings") with outcome "skipped" and the reason, instead of failing it. Costs one read per Cloud PC first.',
	},
	words: { noun: 'reboot', pastParticiple: 'rebooted' },
	typicalDuration: 'few minutes',
};
