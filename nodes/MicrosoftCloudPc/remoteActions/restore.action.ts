import type { RemoteActionDescriptor } from './descriptor';

/**
 * Restore: returns the Cloud PC to one of its snapshots (restore points); everything changed on
 * it since is lost.
 * https://learn.microsoft.com/graph/api/cloudpc-restore?view=graph-rest-1.0
 * https://learn.microsoft.com/graph/api/cloudpc-restore?view=graph-rest-beta
 * Admin route only in both versions; body `{ cloudPcSnapshotId }` (String: "the unique
 * identifier for the snapshot of the Cloud PC device at a specific point in time"; the example
 * is 'A00009UV000_93aff428-…', not a GUID, so the field is text); 204 No Content. The copies of
 * the v1.0 and beta pages read mark Global and US Government L4 available (the Graph stand-in's
 * note says Global only). Snapshot IDs: beta retrieveSnapshots
 * (https://learn.microsoft.com/graph/api/cloudpc-retrievesnapshots?view=graph-rest-beta).
 * Bulk (beta) restores by date, not by snapshot: restorePointDateTime and timeRange,
 * https://learn.microsoft.com/graph/api/resources/cloudpcbulkrestore?view=graph-rest-beta
 * The pages do not say in which statuses Graph accepts it: a running or failed Cloud PC is
 * assumed (restoring is how a broken one is brought back). Status `restoring` while it runs.
 *
 * The Snapshot field lists the Cloud PC's snapshots (`searchSnapshots`, beta retrieveSnapshots)
 * or takes an ID; a plain text ID saved before is still taken.
 */
export const restore: RemoteActionDescriptor = {
	operation: 'restore',
	displayName: 'Restore',
	action: 'Restore a Cloud PC',
	description:
		'Restore a Cloud PC to a snapshot: DESTRUCTIVE, everything changed on it since the snapshot (files, apps, settings) is lost and the user is disconnected. Options can skip Cloud PCs that are busy, rehearse without sending (dry run) or wait until the restore is done.',
	docs: [
		'https://learn.microsoft.com/graph/api/cloudpc-restore?view=graph-rest-1.0',
		'https://learn.microsoft.com/graph/api/cloudpc-restore?view=graph-rest-beta',
	],
	segment: 'restore',
	actionName: 'Restore',
	routes: {
		'v1.0': ['organization'],
		beta: ['organization'],
	},
	permission: 'CloudPC.ReadWrite.All',
	destructive: true,
	notice:
		'Restoring returns the Cloud PC to the chosen snapshot: everything changed on it since (files not in OneDrive, apps, settings) is lost, and the user is disconnected. Get Snapshots lists the snapshot IDs. Organization (Admin) scope only.',
	body: [
		{
			name: 'cloudPcSnapshotId',
			displayName: 'Snapshot ID',
			kind: 'text',
			listSearch: 'searchSnapshots',
			required: true,
			default: '',
			placeholder: 'CPC_d4cfdeb2-d409-4e97-87ce-618b704d75f1_d95c0bde-485d-400e-9bef-083905e1b768',
			maxLength: 256,
			pattern: {
				regex: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$',
				says: 'a snapshot ID as Get Snapshots outputs it (letters, digits, "_", "-", "." and ":", no spaces)',
			},
			description:
				'ID of the snapshot (restore point) of this Cloud PC to restore it to, as Get Snapshots (beta retrieveSnapshots) outputs it',
		},
	],
	acceptedStatuses: ['provisioned', 'provisionedWithWarnings', 'failed'],
	runningStatus: 'restoring',
	bulk: {
		odataType: '#microsoft.graph.cloudPcBulkRestore',
		fields: [
			{
				name: 'restorePointDateTime',
				displayName: 'Restore Point Date and Time',
				kind: 'datetime',
				required: true,
				description: 'The time the snapshot to restore to was taken, or is nearest to',
			},
			{
				name: 'timeRange',
				displayName: 'Time Range',
				kind: 'options',
				required: false,
				options: [
					{ name: 'Before', value: 'before' },
					{ name: 'After', value: 'after' },
					{ name: 'Before or After', value: 'beforeOrAfter' },
				],
				description: 'Which snapshot counts as nearest to the restore point',
			},
		],
	},
	hints: {},
	statusHint:
		'A Cloud PC can be restored only when its status is "provisioned", "provisionedWithWarnings" or "failed" and no other action is running on it, and only to a snapshot of its own that is ready: check its status, and the snapshot ID with Get Snapshots.',
	earlier: {
		parameter: 'checkEarlierAction',
		displayName: 'Check for an Earlier Restore',
		// Microsoft gives no duration; a restore rewrites the whole disk
		windowMinutes: 240,
		defaultByNodeVersion: { 1: 'onRetry', 2: 'always' },
		description:
			'Whether to skip a Cloud PC, outcome "skipped" with the reason, when a restore of it started in the last 4 hours is running or done, whatever snapshot it used, so that a request delivered twice does not throw away the user\'s work twice.',
	},
	onlyIfReady: {
		parameter: 'onlyIfReady',
		displayName: 'Only If Restorable',
		description:
			'Whether to skip a Cloud PC that is busy (any status but "provisioned", "provisionedWithWarnings" or "failed") with outcome "skipped" and the reason, instead of failing it. Costs one read per Cloud PC first.',
	},
	words: { noun: 'restore', pastParticiple: 'restored' },
	typicalDuration: 'tens of minutes (Microsoft publishes no figure)',
};
