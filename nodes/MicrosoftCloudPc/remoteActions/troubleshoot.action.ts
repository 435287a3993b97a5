import type { RemoteActionDescriptor } from './descriptor';

/**
 * Troubleshoot: checks the health of the Cloud PC and its session host.
 * https://learn.microsoft.com/graph/api/cloudpc-troubleshoot?view=graph-rest-1.0 (admin route only)
 * https://learn.microsoft.com/graph/api/cloudpc-troubleshoot?view=graph-rest-beta (also /me and
 * /users/{userId}). No request body; 204 No Content. Bulk (beta):
 * https://learn.microsoft.com/graph/api/resources/cloudpcbulktroubleshoot?view=graph-rest-beta
 * The pages do not say in which statuses Graph accepts it: a Cloud PC that runs, or failed (what
 * one troubleshoots), is assumed.
 */
export const troubleshoot: RemoteActionDescriptor = {
	operation: 'troubleshoot',
	displayName: 'Troubleshoot',
	action: 'Troubleshoot a Cloud PC',
	description:
		"Check the health of a Cloud PC and its session host; Windows 365 may fix what it finds. The user's data stays. Options can skip Cloud PCs in other statuses, rehearse without sending (dry run) or wait until the check is done.",
	docs: [
		'https://learn.microsoft.com/graph/api/cloudpc-troubleshoot?view=graph-rest-1.0',
		'https://learn.microsoft.com/graph/api/cloudpc-troubleshoot?view=graph-rest-beta',
	],
	segment: 'troubleshoot',
	actionName: 'Troubleshoot',
	routes: {
		'v1.0': ['organization'],
		beta: ['organization', 'user', 'me'],
	},
	permission: 'CloudPC.ReadWrite.All',
	destructive: false,
	notice:
		'Troubleshooting checks the Cloud PC and its session host; the user may be disconnected while it runs. Signed-In User and Specific User need API Version beta.',
	body: [],
	acceptedStatuses: ['provisioned', 'provisionedWithWarnings', 'failed'],
	bulk: { odataType: '#microsoft.graph.cloudPcBulkTroubleshoot', fields: [] },
	hints: {},
	statusHint:
		'A Cloud PC can be troubleshot only when it is provisioned (with or without warnings) or failed and no other action runs on it; wait for that action to finish and check its status.',
	earlier: {
		parameter: 'checkEarlierAction',
		displayName: 'Check for an Earlier Troubleshoot',
		windowMinutes: 60,
		defaultByNodeVersion: { 1: 'onRetry', 2: 'always' },
		description:
			'Whether to skip a Cloud PC, outcome "skipped" with the reason, when a troubleshoot of it started in the last hour is running or done. Needs an administrator\'s sign-in or app-only to see remote actions.',
	},
	onlyIfReady: {
		parameter: 'onlyIfReady',
		displayName: 'Only If Troubleshootable',
		description:
			'Whether to skip a Cloud PC whose status is not "provisioned", "provisionedWithWarnings" or "failed" with outcome "skipped" and the reason, instead of failing it. Costs one read per Cloud PC first.',
	},
	words: { noun: 'troubleshoot', pastParticiple: 'troubleshot' },
	typicalDuration: 'few minutes',
};
