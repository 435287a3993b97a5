import type { RemoteActionDescriptor } from './descriptor';

/**
 * Stop: stops a Windows 365 Frontline Cloud PC ("Currently, only Windows 365 Frontline Cloud
 * PCs are supported"); the user's session ends.
 * https://learn.microsoft.com/graph/api/cloudpc-stop?view=graph-rest-beta
 * Beta only: POST /me/cloudPCs/{id}/stop and /users/{userId}/cloudPCs/{id}/stop (delegated),
 * and /deviceManagement/virtualEndpoint/cloudPCs/{id}/stop; "Don't supply a request body"; 204
 * No Content. Its permissions table says Application "Not supported" although its route text
 * offers the admin route with application permission: the table is followed (as the Graph
 * stand-in does). No bulk action subtype. Not destructive (nothing stored is lost, sending it
 * twice stops a stopped Cloud PC), but it interrupts the user: unsaved work is lost. The pages
 * do not say in which statuses Graph accepts it nor the `actionName` it reports: a provisioned
 * Cloud PC and 'Stop' are assumed, as the Graph stand-in does.
 */
export const stop: RemoteActionDescriptor = {
	operation: 'stop',
	displayName: 'Stop',
	action: 'Stop a Cloud PC',
	description:
		"Stop a Windows 365 Frontline Cloud PC: the user's session ends and unsaved work is lost, nothing stored on the Cloud PC is. Options can skip Cloud PCs that are not provisioned, rehearse without sending (dry run) or wait until the stop is done.",
	docs: ['https://learn.microsoft.com/graph/api/cloudpc-stop?view=graph-rest-beta'],
	segment: 'stop',
	actionName: 'Stop',
	routes: { beta: ['organization', 'user', 'me'] },
	permission: 'CloudPC.ReadWrite.All',
	destructive: false,
	notice:
		"Stopping ends the user's session on the Cloud PC: unsaved work is lost. Stop works on Windows 365 Frontline Cloud PCs only, with a delegated (OAuth2) credential: Graph does not support it app-only. API Version beta only.",
	body: [],
	acceptedStatuses: ['provisioned', 'provisionedWithWarnings'],
	hints: {
		Forbidden:
			'Graph does not support Stop with application permissions: use a delegated (OAuth2) credential. Otherwise grant the app registration CloudPC.ReadWrite.All (delegated) with admin consent; on the Organization scope the user also needs a Windows 365 or Intune administrator role.',
	},
	statusHint:
		'Only a provisioned Windows 365 Frontline Cloud PC can be stopped, while no other action is running on it; check that it is a Frontline Cloud PC and its status.',
	earlier: {
		parameter: 'checkEarlierAction',
		displayName: 'Check for an Earlier Stop',
		windowMinutes: 30,
		defaultByNodeVersion: { 1: 'onRetry', 2: 'always' },
		description:
			'Whether to skip a Cloud PC, outcome "skipped" with the reason, when a stop of it began in the last 30 minutes and is running or done. Needs an administrator\'s sign-in to see remote actions; other users are checked by status only.',
	},
	onlyIfReady: {
		parameter: 'onlyIfReady',
		displayName: 'Only If Provisioned',
		description:
			'Whether to skip a Cloud PC whose status is not "provisioned" or "provisionedWithWarnings" with outcome "skipped" and the reason, instead of failing it. Costs one read per Cloud PC first.',
	},
	words: { noun: 'stop', pastParticiple: 'stopped' },
	typicalDuration: 'few minutes',
};
