import type { RemoteActionDescriptor } from './descriptor';

/**
 * Reprovision: wipes the Cloud PC and rebuilds it from its provisioning policy.
 * https://learn.microsoft.com/graph/api/cloudpc-reprovision?view=graph-rest-1.0
 * https://learn.microsoft.com/graph/api/cloudpc-reprovision?view=graph-rest-beta
 * The same three routes in both versions; the body (osVersion, userAccountType) on the admin
 * route only ("Only the APIs for admin support request body"); 204 No Content. Bulk:
 * https://learn.microsoft.com/graph/api/resources/cloudpcbulkreprovision?view=graph-rest-beta
 *
 * Its parameter names (`reprovisionOptions`, `checkEarlierReprovision`,
 * `onlyIfReprovisionable`) and output shape are those of node versions 1 and 2: saved workflows
 * hold them.
 */
export const reprovision: RemoteActionDescriptor = {
	operation: 'reprovision',
	displayName: 'Reprovision',
	action: 'Reprovision a Cloud PC',
	description:
		'Reprovision a Cloud PC: DESTRUCTIVE, it wipes the Cloud PC and rebuilds it from its provisioning policy; the user loses all data on it. Options can skip Cloud PCs that are not reprovisionable, rehearse without sending (dry run) or wait until the rebuild is done.',
	docs: [
		'https://learn.microsoft.com/graph/api/cloudpc-reprovision?view=graph-rest-1.0',
		'https://learn.microsoft.com/graph/api/cloudpc-reprovision?view=graph-rest-beta',
	],
	segment: 'reprovision',
	actionName: 'Reprovision',
	routes: {
		'v1.0': ['organization', 'user', 'me'],
		beta: ['organization', 'user', 'me'],
	},
	permission: 'CloudPC.ReadWrite.All',
	destructive: true,
	notice:
		'Reprovisioning wipes the Cloud PC: the user loses everything stored on it. Only Cloud PCs whose status is "provisioned" or "failed" can be reprovisioned.',
	body: [
		{
			name: 'osVersion',
			displayName: 'OS Version',
			kind: 'options',
			required: false,
			options: [
				{ name: 'Windows 10', value: 'windows10' },
				{ name: 'Windows 11', value: 'windows11' },
			],
			default: 'windows11',
			description: "Operating system to provision; left out, Windows 365 keeps the policy's image",
			scopes: ['organization'],
		},
		{
			name: 'userAccountType',
			displayName: 'User Account Type',
			kind: 'options',
			required: false,
			options: [
				{ name: 'Standard User', value: 'standardUser' },
				{ name: 'Administrator', value: 'administrator' },
			],
			default: 'standardUser',
			description: 'Whether the user is a local administrator on the new Cloud PC',
			scopes: ['organization'],
		},
	],
	optionsParameter: { name: 'reprovisionOptions', displayName: 'Reprovision Options' },
	acceptedStatuses: ['provisioned', 'failed'],
	runningStatus: 'provisioning',
	bulk: { odataType: '#microsoft.graph.cloudPcBulkReprovision', fields: [] },
	hints: {},
	statusHint:
		'A Cloud PC can be reprovisioned only when its status is "provisioned" or "failed"; wait for the current action to finish and check its status.',
	earlier: {
		parameter: 'checkEarlierReprovision',
		displayName: 'Check for an Earlier Reprovision',
		// a reprovision takes one to two hours
		windowMinutes: 240,
		defaultByNodeVersion: { 1: 'onRetry', 2: 'always' },
		description:
			'Whether to skip a Cloud PC, outcome "skipped" with the reason, when a reprovision of it started in the last 4 hours is running or done. Needs an administrator\'s sign-in or app-only to see a reprovision that already finished; a user without an admin role is checked by status only (one still being rebuilt is skipped, one already rebuilt is not).',
	},
	onlyIfReady: {
		parameter: 'onlyIfReprovisionable',
		displayName: 'Only If Reprovisionable',
		description:
			'Whether to skip a Cloud PC that is busy (any status but "provisioned" or "failed") with outcome "skipped" and the reason, instead of failing it. Costs one read per Cloud PC first.',
	},
	words: { noun: 'reprovision', pastParticiple: 'reprovisioned' },
	typicalDuration: 'one to two hours',
	outputWithoutAudit: true,
};
