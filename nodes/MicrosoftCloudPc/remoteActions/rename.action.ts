import type { RemoteActionDescriptor } from './descriptor';

/**
 * Rename: sets the Cloud PC's display name (not its device name).
 * https://learn.microsoft.com/graph/api/cloudpc-rename?view=graph-rest-1.0 (admin route only)
 * https://learn.microsoft.com/graph/api/cloudpc-rename?view=graph-rest-beta (also /me and
 * /users/{userId}). Body `{ displayName }`; 204 No Content. No bulk action subtype renames.
 * displayName: "Maximum length is 64 characters"
 * (https://learn.microsoft.com/graph/api/resources/cloudpc?view=graph-rest-1.0). The pages do not
 * say in which statuses Graph accepts it: any Cloud PC that exists and is not being built or
 * removed is assumed. (The en-us v1.0 page marks US Government L4 as not available; other
 * copies and the beta page mark it available.)
 */
export const rename: RemoteActionDescriptor = {
	operation: 'rename',
	displayName: 'Rename',
	action: 'Rename a Cloud PC',
	description:
		"Change a Cloud PC's display name (what Windows 365 and the user's apps show; not the device name). Nothing on the Cloud PC changes. Options can skip Cloud PCs that cannot be renamed now, rehearse without sending (dry run) or wait until the new name shows.",
	docs: [
		'https://learn.microsoft.com/graph/api/cloudpc-rename?view=graph-rest-1.0',
		'https://learn.microsoft.com/graph/api/cloudpc-rename?view=graph-rest-beta',
	],
	segment: 'rename',
	actionName: 'Rename',
	routes: {
		'v1.0': ['organization'],
		beta: ['organization', 'user', 'me'],
	},
	permission: 'CloudPC.ReadWrite.All',
	destructive: false,
	notice:
		'Renaming changes the name Windows 365 shows for the Cloud PC, not its device name. Signed-In User and Specific User need API Version beta.',
	body: [
		{
			name: 'displayName',
			parameter: 'newDisplayName',
			displayName: 'New Display Name',
			kind: 'text',
			required: true,
			default: '',
			placeholder: 'Adele Vance - Finance',
			maxLength: 64,
			description: 'The name Windows 365 shows for the Cloud PC, up to 64 characters',
		},
	],
	acceptedStatuses: ['provisioned', 'provisionedWithWarnings', 'failed', 'inGracePeriod'],
	hints: {},
	statusHint:
		'A Cloud PC cannot be renamed while it is being provisioned, changed or removed, or while another action runs on it; wait for that to finish and check its status.',
	earlier: {
		parameter: 'checkEarlierAction',
		displayName: 'Check for an Earlier Rename',
		windowMinutes: 60,
		// Renaming again to the same name changes nothing, and a rename to another name within the
		// window must not be skipped: no check unless asked for.
		defaultByNodeVersion: { 1: 'never', 2: 'never' },
		description:
			'Whether to skip a Cloud PC, outcome "skipped" with the reason, when a rename of it started in the last hour is running or done, whatever name it set. Needs an administrator\'s sign-in or app-only to see remote actions.',
	},
	onlyIfReady: {
		parameter: 'onlyIfReady',
		displayName: 'Only If Renamable',
		description:
			'Whether to skip a Cloud PC whose status is not "provisioned", "provisionedWithWarnings", "failed" or "inGracePeriod" with outcome "skipped" and the reason, instead of failing it. Costs one read per Cloud PC first.',
	},
	words: { noun: 'rename', pastParticiple: 'renamed' },
	typicalDuration: 'few minutes',
};
