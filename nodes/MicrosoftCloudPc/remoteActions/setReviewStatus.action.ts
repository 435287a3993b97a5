import type { RemoteActionDescriptor } from './descriptor';

/**
 * Set Review Status: places a Cloud PC under review (or takes it out of review).
 * https://learn.microsoft.com/graph/api/cloudpc-setreviewstatus?view=graph-rest-beta
 * Beta only, admin route: POST /deviceManagement/virtualEndpoint/cloudPCs/{cloudPCId}/
 * setReviewStatus (a copy of the page seen before showed the route without the
 * /deviceManagement/virtualEndpoint prefix; the current page, and the Graph stand-in, have the
 * admin route). 204 No Content. Permissions per the page's table: least privileged
 * CloudPC.Read.All, higher CloudPC.ReadWrite.All (delegated or application); a write needs
 * the latter in practice, so the node names it. "Use this API to set the review status of a
 * Cloud PC to in review if you consider a Cloud PC suspicious. After the review is completed,
 * use this API again to set the Cloud PC back to a normal state."
 * Body: `{ reviewStatus: cloudPcReviewStatus }`
 * (https://learn.microsoft.com/graph/api/resources/cloudpcreviewstatus?view=graph-rest-beta):
 * `inReview` (required here: what the call sets), `userAccessLevel` (`unrestricted` or
 * `restricted`: whether the user can still connect while it is under review) and
 * `azureStorageAccountId` (the storage account a snapshot of it is kept in for the
 * investigation). The resource's other properties (storage account and container names,
 * subscription, restore point, who started it) are not offered: Windows 365 fills them.
 * Not destructive: nothing is wiped, and review can be ended with this action again; with
 * restricted access the user cannot connect until it ends.
 * The page does not give the `actionName` nor the statuses Graph accepts it in:
 * 'PlaceUnderReview' (the stand-in's guess, after cloudPcRemoteActionName placeUnderReview)
 * and provisioned, provisionedWithWarnings or failed, as the stand-in models them.
 * Bulk (beta cloudPcBulkSetReviewStatus) is not offered: its fields nest in `reviewStatus`
 * too, and the bulk engine does not build nested fields yet.
 */
const AZURE_STORAGE_ACCOUNT_ID = {
	regex:
		'^/subscriptions/[^/\\s]+/resource[Gg]roups/[^/\\s]+/providers/[Mm]icrosoft\\.[Ss]torage/storage[Aa]ccounts/[^/\\s]+$',
	says: 'an Azure storage account resource ID (/subscriptions/…/resourceGroups/…/providers/Microsoft.Storage/storageAccounts/…)',
};

export const setReviewStatus: RemoteActionDescriptor = {
	operation: 'setReviewStatus',
	displayName: 'Set Review Status',
	action: 'Set the review status of a Cloud PC',
	description:
		'Place a Cloud PC under review when you consider it suspicious, optionally restricting its user’s access and keeping a snapshot in your Azure storage account, or end the review. Options can skip Cloud PCs in a status Graph refuses, rehearse without sending (dry run) or wait until Windows 365 has applied it.',
	docs: ['https://learn.microsoft.com/graph/api/cloudpc-setreviewstatus?view=graph-rest-beta'],
	segment: 'setReviewStatus',
	actionName: 'PlaceUnderReview',
	routes: { beta: ['organization'] },
	permission: 'CloudPC.ReadWrite.All',
	destructive: false,
	notice:
		'Windows 365 places the Cloud PC under review for investigation (In Review on) or returns it to normal (off). With User Access Level Restricted, its user cannot connect to it until the review ends. Organization (Admin) scope and API Version beta only.',
	body: [
		{
			name: 'inReview',
			within: 'reviewStatus',
			displayName: 'In Review',
			kind: 'boolean',
			required: true,
			default: true,
			description:
				'Whether the Cloud PC is under review: on places it under review, off ends the review and returns it to normal',
		},
		{
			name: 'userAccessLevel',
			within: 'reviewStatus',
			displayName: 'User Access Level',
			kind: 'options',
			required: false,
			options: [
				{
					name: 'Unrestricted',
					value: 'unrestricted',
					description: 'The user can still connect to the Cloud PC while it is under review',
				},
				{
					name: 'Restricted',
					value: 'restricted',
					description: 'The user cannot connect to the Cloud PC while it is under review',
				},
			],
			default: 'unrestricted',
			description: 'Whether the user can connect to the Cloud PC while it is under review',
		},
		{
			name: 'azureStorageAccountId',
			within: 'reviewStatus',
			displayName: 'Azure Storage Account ID',
			kind: 'text',
			required: false,
			default: '',
			placeholder:
				'/subscriptions/f68bd846-16ad-4b51-a7c6-c84944a3367c/resourceGroups/Review/providers/Microsoft.Storage/storageAccounts/cloudpcreview',
			maxLength: 1024,
			pattern: AZURE_STORAGE_ACCOUNT_ID,
			description:
				'Azure storage account (its resource ID) that keeps the snapshot of the Cloud PC taken for the review',
		},
	],
	optionsParameter: { name: 'setReviewStatusOptions', displayName: 'Review Options' },
	acceptedStatuses: ['provisioned', 'provisionedWithWarnings', 'failed'],
	hints: {},
	statusHint:
		'Graph sets the review status only of a provisioned (or failed) Cloud PC while no other action is running on it; check its status, and that the storage account ID names an account the Windows 365 service can write to.',
	earlier: {
		parameter: 'checkEarlierAction',
		displayName: 'Check for an Earlier Review Status Change',
		windowMinutes: 60,
		defaultByNodeVersion: { 1: 'onRetry', 2: 'always' },
		description:
			'Whether to skip a Cloud PC, outcome "skipped" with the reason, when a review status change of it started in the last hour is running or done, so that a request delivered twice does not set it twice.',
	},
	onlyIfReady: {
		parameter: 'onlyIfReady',
		displayName: 'Only If Provisioned or Failed',
		description:
			'Whether to skip a Cloud PC whose status is not "provisioned", "provisionedWithWarnings" or "failed" with outcome "skipped" and the reason, instead of failing it. Costs one read per Cloud PC first.',
	},
	words: { noun: 'review status change', pastParticiple: 'set under review' },
	typicalDuration: 'minutes (Microsoft publishes no figure)',
};
