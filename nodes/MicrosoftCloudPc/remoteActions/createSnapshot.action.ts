import type { RemoteActionDescriptor } from './descriptor';

/**
 * Create Snapshot: takes a manual snapshot (restore point) of the Cloud PC.
 * https://learn.microsoft.com/graph/api/cloudpc-createsnapshot?view=graph-rest-beta
 * Beta only, admin route only; 204 No Content; delegated or application
 * CloudPC.ReadWrite.All. The page changed over time: its first versions said "Don't supply a
 * request body"; the current one takes two optional parameters, `storageAccountId` ("The
 * storage account which receives the restore point (snapshot)") and `accessTier` ("hot, cool,
 * cold, archive, and unknownFutureValue. The default value is hot"). Left out, the body is
 * `{}`, which either version takes. Bulk (beta), with the same two properties, the storage
 * account given as an Azure resource ID ("/subscriptions/…"):
 * https://learn.microsoft.com/graph/api/resources/cloudpcbulkcreatesnapshot?view=graph-rest-beta
 * The new snapshot shows in beta retrieveSnapshots. The page does not say in which statuses
 * Graph accepts it, nor its `actionName`: a provisioned Cloud PC and 'CreateSnapshot' are
 * assumed, as the Graph stand-in does.
 */
const STORAGE_ACCOUNT_ID = {
	regex:
		'^/subscriptions/[^/\\s]+/resource[Gg]roups/[^/\\s]+/providers/[Mm]icrosoft\\.[Ss]torage/storage[Aa]ccounts/[^/\\s]+$',
	says: 'an Azure storage account resource ID (/subscriptions/…/resourceGroups/…/providers/Microsoft.Storage/storageAccounts/…)',
};
const STORAGE_ACCOUNT_PLACEHOLDER =
	'/subscriptions/f68bd846-16ad-4b51-a7c6-c84944a3367c/resourceGroups/Snapshots/providers/Microsoft.Storage/storageAccounts/cloudpcsnapshots';
const ACCESS_TIERS = [
	{ name: 'Hot', value: 'hot' },
	{ name: 'Cool', value: 'cool' },
	{ name: 'Cold', value: 'cold' },
	{ name: 'Archive', value: 'archive' },
];

export const createSnapshot: RemoteActionDescriptor = {
	operation: 'createSnapshot',
	displayName: 'Create Snapshot',
	action: 'Create a snapshot of a Cloud PC',
	description:
		'Take a snapshot (restore point) of a Cloud PC now, optionally copied to your own Azure storage account. Options can skip Cloud PCs that are not provisioned, rehearse without sending (dry run) or wait until the snapshot is taken.',
	docs: ['https://learn.microsoft.com/graph/api/cloudpc-createsnapshot?view=graph-rest-beta'],
	segment: 'createSnapshot',
	actionName: 'CreateSnapshot',
	routes: { beta: ['organization'] },
	permission: 'CloudPC.ReadWrite.All',
	destructive: false,
	notice:
		'Windows 365 takes a manual snapshot (restore point) of the Cloud PC; Get Snapshots lists it once it is ready, and Restore can return the Cloud PC to it. Organization (Admin) scope and API Version beta only.',
	body: [
		{
			name: 'storageAccountId',
			displayName: 'Storage Account ID',
			kind: 'text',
			required: false,
			default: '',
			placeholder: STORAGE_ACCOUNT_PLACEHOLDER,
			maxLength: 1024,
			pattern: STORAGE_ACCOUNT_ID,
			description:
				'Azure storage account (its resource ID) that receives a copy of the snapshot; left out, the snapshot stays with Windows 365',
		},
		{
			name: 'accessTier',
			displayName: 'Access Tier',
			kind: 'options',
			required: false,
			options: ACCESS_TIERS,
			default: 'hot',
			description:
				'Access tier of the blob the snapshot is copied to in the storage account; Graph uses Hot when left out',
		},
	],
	optionsParameter: { name: 'createSnapshotOptions', displayName: 'Snapshot Options' },
	acceptedStatuses: ['provisioned', 'provisionedWithWarnings'],
	bulk: {
		odataType: '#microsoft.graph.cloudPcBulkCreateSnapshot',
		fields: [
			{
				name: 'storageAccountId',
				displayName: 'Storage Account ID',
				kind: 'text',
				required: false,
				placeholder: STORAGE_ACCOUNT_PLACEHOLDER,
				maxLength: 1024,
				pattern: STORAGE_ACCOUNT_ID,
				description: 'Azure storage account (its resource ID) that receives the snapshots',
			},
			{
				name: 'accessTier',
				displayName: 'Access Tier',
				kind: 'options',
				required: false,
				options: ACCESS_TIERS,
				description: 'Access tier of the blobs the snapshots are copied to',
			},
		],
	},
	hints: {},
	statusHint:
		'A snapshot can be taken only of a provisioned Cloud PC while no other action is running on it; check its status, and that the storage account ID names an account the Windows 365 service can write to.',
	earlier: {
		parameter: 'checkEarlierAction',
		displayName: 'Check for an Earlier Snapshot',
		windowMinutes: 120,
		defaultByNodeVersion: { 1: 'onRetry', 2: 'always' },
		description:
			'Whether to skip a Cloud PC, outcome "skipped" with the reason, when a manual snapshot of it started in the last 2 hours is running or done, so that a request delivered twice does not take two snapshots.',
	},
	onlyIfReady: {
		parameter: 'onlyIfReady',
		displayName: 'Only If Provisioned',
		description:
			'Whether to skip a Cloud PC whose status is not "provisioned" or "provisionedWithWarnings" with outcome "skipped" and the reason, instead of failing it. Costs one read per Cloud PC first.',
	},
	words: { noun: 'snapshot', pastParticiple: 'snapshotted' },
	typicalDuration: 'tens of minutes (Microsoft publishes no figure)',
};
