import type { RemoteActionDescriptor } from './descriptor';

/**
 * Start: starts a Windows 365 Frontline Cloud PC ("Currently, only Windows 365 Frontline Cloud
 * PCs are supported").
 * https://learn.microsoft.com/graph/api/cloudpc-start?view=graph-rest-beta
 * Beta only: POST /me/cloudPCs/{id}/start and /users/{userId}/cloudPCs/{id}/start (delegated),
 * and /deviceManagement/virtualEndpoint/cloudPCs/{id}/start; "Don't supply a request body";
 * 204 No Content. Its permissions table says Application "Not supported" although its route
 * text offers the admin route "using either delegated permission … or application
 * permission": the table is followed (as the Graph stand-in does), so app-only credentials are
 * told to use a delegated one. No bulk action subtype. The pages do not say in which statuses
 * Graph accepts it nor the `actionName` it reports: a provisioned Cloud PC and 'Start' are
 * assumed, as the Graph stand-in does.
 */
export const start: RemoteActionDescriptor = {
	operation: 'start',
	displayName: 'Start',
	action: 'Start a Cloud PC',
	description:
		'Start a Windows 365 Frontline Cloud PC so that its user can connect. Options can skip Cloud PCs that are not provisioned, rehearse without sending (dry run) or wait until the start is done.',
	docs: ['https://learn.microsoft.com/graph/api/cloudpc-start?view=graph-rest-beta'],
	segment: 'start',
	actionName: 'Start',
	routes: { beta: ['organization', 'user', 'me'] },
	permission: 'CloudPC.ReadWrite.All',
	destructive: false,
	notice:
		'Start works on Windows 365 Frontline Cloud PCs only, with a delegated (OAuth2) credential: Graph does not support it app-only. API Version beta only.',
	body: [],
	acceptedStatuses: ['provisioned', 'provisionedWithWarnings'],
	hints: {
		Forbidden:
			'Graph does not support Start with application permissions: use a delegated (OAuth2) credential. Otherwise grant the app registration CloudPC.ReadWrite.All (delegated) with admin consent; on the Organization scope the user also needs a Windows 365 or Intune administrator role.',
	},
	statusHint:
		'Only a provisioned Windows 365 Frontline Cloud PC can be started, while no other action is running on it; check that it is a Frontline Cloud PC and its status.',
	earlier: {
		parameter: 'checkEarlierAction',
		displayName: 'Check for an Earlier Start',
		windowMinutes: 30,
		defaultByNodeVersion: { 1: 'onRetry', 2: 'always' },
		description:
			'Whether to skip a Cloud PC, outcome "skipped" with the reason, when a start of it began in the last 30 minutes and is running or done. Needs an administrator\'s sign-in to see remote actions; other users are checked by status only.',
	},
	onlyIfReady: {
		parameter: 'onlyIfReady',
		displayName: 'Only If Provisioned',
		description:
			'Whether to skip a Cloud PC whose status is not "provisioned" or "provisionedWithWarnings" with outcome "skipped" and the reason, instead of failing it. Costs one read per Cloud PC first.',
	},
	words: { noun: 'start', pastParticiple: 'started' },
	typicalDuration: 'few minutes',
};
