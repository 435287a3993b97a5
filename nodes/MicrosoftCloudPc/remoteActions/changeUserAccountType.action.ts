import type { RemoteActionDescriptor } from './descriptor';

/**
 * Change User Account Type: makes the Cloud PC's user a local administrator or a standard user.
 * https://learn.microsoft.com/graph/api/cloudpc-changeuseraccounttype?view=graph-rest-beta
 * Beta only, admin route only; body `{ userAccountType }`: standardUser, administrator (and
 * unknownFutureValue, not offered); 204 No Content; delegated or application
 * CloudPC.ReadWrite.All. No bulk action subtype. The change applies once the user signs out
 * and back in (or the Cloud PC restarts): Windows 365's remote actions, "Change account type"
 * (https://learn.microsoft.com/training/modules/explore-windows-365-cloud-pc-management/2-examine-cloud-pc-management-options).
 * The page does not say in which statuses Graph accepts it, nor its `actionName`: a
 * provisioned Cloud PC and 'ChangeUserAccountType' are assumed, as the Graph stand-in does.
 */
export const changeUserAccountType: RemoteActionDescriptor = {
	operation: 'changeUserAccountType',
	displayName: 'Change User Account Type',
	action: 'Change the user account type on a Cloud PC',
	description:
		"Make a Cloud PC's user a local administrator or a standard user; it applies at the user's next sign-in. Options can skip Cloud PCs that are not provisioned, rehearse without sending (dry run) or wait until the change is done.",
	docs: [
		'https://learn.microsoft.com/graph/api/cloudpc-changeuseraccounttype?view=graph-rest-beta',
	],
	segment: 'changeUserAccountType',
	actionName: 'ChangeUserAccountType',
	routes: { beta: ['organization'] },
	permission: 'CloudPC.ReadWrite.All',
	destructive: false,
	notice:
		'The new account type applies once the user signs out of the Cloud PC and back in (or it restarts). Organization (Admin) scope and API Version beta only.',
	body: [
		{
			name: 'userAccountType',
			displayName: 'User Account Type',
			kind: 'options',
			required: true,
			options: [
				{ name: 'Standard User', value: 'standardUser' },
				{ name: 'Administrator', value: 'administrator' },
			],
			default: 'standardUser',
			description: 'Whether the user is a local administrator on the Cloud PC',
		},
	],
	acceptedStatuses: ['provisioned', 'provisionedWithWarnings'],
	hints: {},
	statusHint:
		"A user's account type can be changed only on a provisioned Cloud PC while no other action is running on it; check its status.",
	earlier: {
		parameter: 'checkEarlierAction',
		displayName: 'Check for an Earlier Account Type Change',
		windowMinutes: 60,
		// Changing to the same type again changes nothing, and a change to the other type within
		// the window must not be skipped: no check unless asked for (as Rename).
		defaultByNodeVersion: { 1: 'never', 2: 'never' },
		description:
			'Whether to skip a Cloud PC, outcome "skipped" with the reason, when an account type change on it started in the last hour is running or done, whatever type it set.',
	},
	onlyIfReady: {
		parameter: 'onlyIfReady',
		displayName: 'Only If Provisioned',
		description:
			'Whether to skip a Cloud PC whose status is not "provisioned" or "provisionedWithWarnings" with outcome "skipped" and the reason, instead of failing it. Costs one read per Cloud PC first.',
	},
	words: { noun: 'account type change', pastParticiple: 'given a new user account type' },
	typicalDuration: 'few minutes',
};
