/**
 * Every Windows 365 remote action this server implements, as data: tests (and the node's
 * registry check) are generated from REMOTE_ACTIONS. Each entry cites its Graph page; where the
 * page is silent the entry says so and models the worst plausible case.
 */

export type ActionScope = 'admin' | 'me' | 'users';
export type ActionVersion = 'v1.0' | 'beta';

export type ActionField =
	| { name: string; type: 'string'; required: boolean; maxLength?: number }
	| { name: string; type: 'boolean'; required: boolean }
	| { name: string; type: 'enum'; required: boolean; values: readonly string[] }
	| { name: string; type: 'object'; required: boolean; odataType: string; fields: ActionField[] };

export interface RemoteActionSpec {
	/** The last path segment: POST .../cloudPCs/{id}/<segment>. */
	segment: string;
	/** `actionName` of the cloudPcRemoteActionResult the action leaves behind. */
	actionName: string;
	/** Whether `actionName` is a value Graph documents, or this server's plausible guess. */
	actionNameDocumented: boolean;
	/**
	 * Its cloudPcRemoteActionName member (beta getSupportedCloudPcRemoteActions, which answers it
	 * capitalized: "Restart", as its example shows); undefined when that enum has no member for it
	 * (then the action is never listed there).
	 */
	capabilityName?: string;
	/** Graph's API reference page. */
	docs: string;
	/** Scopes (path prefixes) per version; absent or empty: no such route in that version. */
	routes: Record<ActionVersion, readonly ActionScope[]>;
	/** Wipes or loses the user's data or the Cloud PC itself. */
	destructive: boolean;
	/** Accepted body parameters; `bodyScopes` limits where they are accepted (default: all). */
	body: readonly ActionField[];
	bodyScopes?: readonly ActionScope[];
	/** Permissions, any of which allows the call. */
	permissions: readonly string[];
	/** False when the page lists application permissions as not supported. */
	appOnly: boolean;
	/** The Cloud PC's (shown) status must be one of these. */
	acceptedStatuses: readonly string[];
	/**
	 * Refused while a remote action with another name runs on the Cloud PC (docs silent: this
	 * server's plausible rule). The same action again is accepted: a duplicate, counted, since
	 * exactly once is the client's job.
	 */
	refusedWhileOtherActionRuns: boolean;
	/** The status while it runs; undefined: status unchanged. */
	runningStatus?: string;
	/** What it changes once done (for the report and the tests). */
	effect: string;
	/** The bulk action subtype that runs it (beta bulkActions), if any. */
	bulkType?: string;
	/** Bulk-only properties of that subtype, beside displayName, cloudPcIds, scheduledDuringMaintenanceWindow. */
	bulkBody?: readonly ActionField[];
}

const LEARN = 'https://learn.microsoft.com/graph/api';
const ALL_SCOPES: readonly ActionScope[] = ['admin', 'me', 'users'];
const ADMIN: readonly ActionScope[] = ['admin'];
const WRITE = ['CloudPC.ReadWrite.All'] as const;
/** Docs silent on statuses for most actions: a provisioned Cloud PC, with or without warnings. */
const RUNNING_PC = ['provisioned', 'provisionedWithWarnings'] as const;
const USER_ACCOUNT_TYPES = ['standardUser', 'administrator', 'unknownFutureValue'] as const;
const REVIEW_STATUS: ActionField = {
	name: 'reviewStatus',
	type: 'object',
	required: true,
	odataType: 'microsoft.graph.cloudPcReviewStatus',
	// learn.microsoft.com/graph/api/resources/cloudpcreviewstatus?view=graph-rest-beta
	fields: [
		{ name: 'inReview', type: 'boolean', required: true },
		{
			name: 'userAccessLevel',
			type: 'enum',
			required: false,
			values: ['unrestricted', 'restricted', 'unknownFutureValue'],
		},
		{ name: 'azureStorageAccountId', type: 'string', required: false },
		{ name: 'azureStorageAccountName', type: 'string', required: false },
		{ name: 'azureStorageContainerName', type: 'string', required: false },
		{ name: 'restorePointDateTime', type: 'string', required: false },
		{ name: 'reviewStartDateTime', type: 'string', required: false },
		{ name: 'subscriptionId', type: 'string', required: false },
		{ name: 'subscriptionName', type: 'string', required: false },
		{ name: 'reviewStartedBy', type: 'string', required: false },
	],
};
/** createSnapshot's optional parameters (the page changed over time: first no body, later these). */
const SNAPSHOT_FIELDS: ActionField[] = [
	{ name: 'storageAccountId', type: 'string', required: false },
	{
		name: 'accessTier',
		type: 'enum',
		required: false,
		values: ['hot', 'cool', 'cold', 'archive', 'unknownFutureValue'],
	},
];

export const REMOTE_ACTIONS: readonly RemoteActionSpec[] = [
	{
		segment: 'reboot',
		actionName: 'Reboot',
		actionNameDocumented: true,
		capabilityName: 'restart',
		// /me and /users only in beta; v1.0 lists the admin path alone.
		docs: `${LEARN}/cloudpc-reboot?view=graph-rest-1.0 ; ${LEARN}/cloudpc-reboot?view=graph-rest-beta`,
		routes: { 'v1.0': ADMIN, beta: ALL_SCOPES },
		destructive: false,
		body: [],
		permissions: WRITE,
		appOnly: true,
		acceptedStatuses: RUNNING_PC,
		refusedWhileOtherActionRuns: true,
		effect: 'none (the session restarts)',
		bulkType: '#microsoft.graph.cloudPcBulkRestart',
	},
	{
		segment: 'rename',
		actionName: 'Rename',
		actionNameDocumented: true,
		capabilityName: 'rename',
		docs: `${LEARN}/cloudpc-rename?view=graph-rest-1.0 ; ${LEARN}/cloudpc-rename?view=graph-rest-beta`,
		routes: { 'v1.0': ADMIN, beta: ALL_SCOPES },
		destructive: false,
		// cloudPC.displayName: "Maximum length is 64 characters" (resources/cloudpc).
		body: [{ name: 'displayName', type: 'string', required: true, maxLength: 64 }],
		permissions: WRITE,
		appOnly: true,
		acceptedStatuses: [...RUNNING_PC, 'failed', 'inGracePeriod'],
		refusedWhileOtherActionRuns: true,
		effect: 'displayName becomes the new name when the action is done',
	},
	{
		segment: 'troubleshoot',
		actionName: 'Troubleshoot',
		actionNameDocumented: true,
		capabilityName: 'troubleShoot',
		docs: `${LEARN}/cloudpc-troubleshoot?view=graph-rest-1.0 ; ${LEARN}/cloudpc-troubleshoot?view=graph-rest-beta`,
		routes: { 'v1.0': ADMIN, beta: ALL_SCOPES },
		destructive: false,
		body: [],
		permissions: WRITE,
		appOnly: true,
		// Checks health, so a failed Cloud PC takes it too (docs silent).
		acceptedStatuses: [...RUNNING_PC, 'failed'],
		refusedWhileOtherActionRuns: true,
		effect: 'none (health check)',
		bulkType: '#microsoft.graph.cloudPcBulkTroubleshoot',
	},
	{
		segment: 'reprovision',
		actionName: 'Reprovision',
		actionNameDocumented: true,
		capabilityName: 'reprovision',
		docs: `${LEARN}/cloudpc-reprovision?view=graph-rest-1.0 ; ${LEARN}/cloudpc-reprovision?view=graph-rest-beta`,
		routes: { 'v1.0': ALL_SCOPES, beta: ALL_SCOPES },
		destructive: true,
		body: [
			{
				name: 'osVersion',
				type: 'enum',
				required: false,
				values: ['windows10', 'windows11', 'unknownFutureValue'],
			},
			{ name: 'userAccountType', type: 'enum', required: false, values: USER_ACCOUNT_TYPES },
		],
		// "Only the APIs for admin support request body."
		bodyScopes: ADMIN,
		permissions: WRITE,
		appOnly: true,
		acceptedStatuses: ['provisioned', 'failed'],
		// Kept as it always was here: only the status (which may lag) decides.
		refusedWhileOtherActionRuns: false,
		runningStatus: 'provisioning',
		effect: 'status provisioning, then provisioned (failed when the action fails); data wiped',
		bulkType: '#microsoft.graph.cloudPcBulkReprovision',
	},
	{
		segment: 'resize',
		actionName: 'Resize',
		actionNameDocumented: true,
		capabilityName: 'resize',
		docs: `${LEARN}/cloudpc-resize?view=graph-rest-1.0 ; ${LEARN}/cloudpc-resize?view=graph-rest-beta`,
		routes: { 'v1.0': ADMIN, beta: ADMIN },
		destructive: false,
		body: [{ name: 'targetServicePlanId', type: 'string', required: true }],
		permissions: WRITE,
		appOnly: true,
		acceptedStatuses: RUNNING_PC,
		refusedWhileOtherActionRuns: true,
		runningStatus: 'resizing',
		effect: 'status resizing, then back; servicePlanId becomes targetServicePlanId when done',
		bulkType: '#microsoft.graph.cloudPcBulkResize',
		// learn.microsoft.com/graph/api/resources/cloudpcbulkresize?view=graph-rest-beta
		bulkBody: [{ name: 'targetServicePlanId', type: 'string', required: true }],
	},
	{
		segment: 'restore',
		actionName: 'Restore',
		actionNameDocumented: true,
		capabilityName: 'restore',
		// v1.0 page: Global service only.
		docs: `${LEARN}/cloudpc-restore?view=graph-rest-1.0 ; ${LEARN}/cloudpc-restore?view=graph-rest-beta`,
		routes: { 'v1.0': ADMIN, beta: ADMIN },
		destructive: true,
		body: [{ name: 'cloudPcSnapshotId', type: 'string', required: true }],
		permissions: WRITE,
		appOnly: true,
		// Docs silent; also needs a ready snapshot of this Cloud PC (see the route).
		acceptedStatuses: [...RUNNING_PC, 'failed'],
		refusedWhileOtherActionRuns: true,
		runningStatus: 'restoring',
		effect:
			'status restoring, then provisioned; the snapshot gets lastRestoredDateTime; data since then lost',
		bulkType: '#microsoft.graph.cloudPcBulkRestore',
		// learn.microsoft.com/graph/api/resources/cloudpcbulkrestore?view=graph-rest-beta
		bulkBody: [
			{ name: 'restorePointDateTime', type: 'string', required: true },
			{
				name: 'timeRange',
				type: 'enum',
				required: false,
				values: ['before', 'after', 'beforeOrAfter', 'unknownFutureValue'],
			},
		],
	},
	{
		segment: 'endGracePeriod',
		actionName: 'EndGracePeriod',
		actionNameDocumented: false,
		docs: `${LEARN}/cloudpc-endgraceperiod?view=graph-rest-1.0 ; ${LEARN}/cloudpc-endgraceperiod?view=graph-rest-beta`,
		routes: { 'v1.0': ADMIN, beta: ADMIN },
		destructive: true,
		body: [],
		permissions: WRITE,
		appOnly: true,
		// "The grace period is triggered when the Cloud PC license is removed…": only then.
		acceptedStatuses: ['inGracePeriod'],
		refusedWhileOtherActionRuns: true,
		runningStatus: 'deprovisioning',
		effect: 'status deprovisioning, then the Cloud PC is gone (404) when done',
	},
	{
		segment: 'start',
		actionName: 'Start',
		actionNameDocumented: false,
		docs: `${LEARN}/cloudpc-start?view=graph-rest-beta`,
		routes: { 'v1.0': [], beta: ALL_SCOPES },
		destructive: false,
		body: [],
		permissions: WRITE,
		// Permissions table: Application "Not supported." (Frontline Cloud PCs only.)
		appOnly: false,
		acceptedStatuses: RUNNING_PC,
		refusedWhileOtherActionRuns: true,
		effect: 'none visible (Frontline power state)',
	},
	{
		segment: 'stop',
		actionName: 'Stop',
		actionNameDocumented: false,
		docs: `${LEARN}/cloudpc-stop?view=graph-rest-beta`,
		routes: { 'v1.0': [], beta: ALL_SCOPES },
		destructive: false,
		body: [],
		permissions: WRITE,
		// Same permissions include as start: application not supported.
		appOnly: false,
		acceptedStatuses: RUNNING_PC,
		refusedWhileOtherActionRuns: true,
		effect: 'none visible (Frontline power state)',
	},
	{
		segment: 'powerOn',
		actionName: 'CloudPcPowerOn',
		actionNameDocumented: true,
		docs: `${LEARN}/cloudpc-poweron?view=graph-rest-beta`,
		routes: { 'v1.0': [], beta: ADMIN },
		destructive: false,
		body: [],
		permissions: WRITE,
		appOnly: true,
		acceptedStatuses: RUNNING_PC,
		refusedWhileOtherActionRuns: true,
		effect: 'none visible (Frontline: allocated, license assigned)',
		bulkType: '#microsoft.graph.cloudPcBulkPowerOn',
	},
	{
		segment: 'powerOff',
		actionName: 'CloudPcPowerOff',
		actionNameDocumented: false,
		// The page writes the path '.../poweroff'; Graph's segments compare case-insensitively.
		docs: `${LEARN}/cloudpc-poweroff?view=graph-rest-beta`,
		routes: { 'v1.0': [], beta: ADMIN },
		destructive: false,
		body: [],
		permissions: WRITE,
		appOnly: true,
		acceptedStatuses: RUNNING_PC,
		refusedWhileOtherActionRuns: true,
		effect: 'none visible (Frontline: deallocated, license revoked)',
		bulkType: '#microsoft.graph.cloudPcBulkPowerOff',
	},
	{
		segment: 'retryPartnerAgentInstallation',
		actionName: 'RetryPartnerAgentInstallation',
		actionNameDocumented: false,
		docs: `${LEARN}/cloudpc-retrypartneragentinstallation?view=graph-rest-beta`,
		routes: { 'v1.0': [], beta: ADMIN },
		destructive: false,
		body: [],
		permissions: WRITE,
		appOnly: true,
		acceptedStatuses: RUNNING_PC,
		refusedWhileOtherActionRuns: true,
		effect: 'none visible',
	},
	{
		segment: 'createSnapshot',
		actionName: 'CreateSnapshot',
		actionNameDocumented: false,
		docs: `${LEARN}/cloudpc-createsnapshot?view=graph-rest-beta`,
		routes: { 'v1.0': [], beta: ADMIN },
		destructive: false,
		body: SNAPSHOT_FIELDS,
		permissions: WRITE,
		appOnly: true,
		acceptedStatuses: RUNNING_PC,
		refusedWhileOtherActionRuns: true,
		effect: 'a manual snapshot (status ready) appears in retrieveSnapshots when done',
		bulkType: '#microsoft.graph.cloudPcBulkCreateSnapshot',
		// learn.microsoft.com/graph/api/resources/cloudpcbulkcreatesnapshot?view=graph-rest-beta
		bulkBody: SNAPSHOT_FIELDS,
	},
	{
		segment: 'changeUserAccountType',
		actionName: 'ChangeUserAccountType',
		actionNameDocumented: false,
		capabilityName: 'changeUserAccountType',
		docs: `${LEARN}/cloudpc-changeuseraccounttype?view=graph-rest-beta`,
		routes: { 'v1.0': [], beta: ADMIN },
		destructive: false,
		body: [{ name: 'userAccountType', type: 'enum', required: true, values: USER_ACCOUNT_TYPES }],
		permissions: WRITE,
		appOnly: true,
		acceptedStatuses: RUNNING_PC,
		refusedWhileOtherActionRuns: true,
		effect: 'userAccountType recorded when done',
	},
	{
		segment: 'setReviewStatus',
		actionName: 'PlaceUnderReview',
		actionNameDocumented: false,
		capabilityName: 'placeUnderReview',
		docs: `${LEARN}/cloudpc-setreviewstatus?view=graph-rest-beta`,
		routes: { 'v1.0': [], beta: ADMIN },
		destructive: false,
		body: [REVIEW_STATUS],
		// The page's table: least privileged CloudPC.Read.All, higher CloudPC.ReadWrite.All.
		permissions: ['CloudPC.Read.All', 'CloudPC.ReadWrite.All'],
		appOnly: true,
		acceptedStatuses: [...RUNNING_PC, 'failed'],
		refusedWhileOtherActionRuns: true,
		effect: 'reviewStatus recorded when done',
		bulkType: '#microsoft.graph.cloudPcBulkSetReviewStatus',
		bulkBody: [REVIEW_STATUS],
	},
];

/** By lower-cased segment: lookups run on every status read of large fleets. */
const BY_SEGMENT = new Map(REMOTE_ACTIONS.map((action) => [action.segment.toLowerCase(), action]));

export function findAction(segment: string): RemoteActionSpec | undefined {
	return BY_SEGMENT.get(segment) ?? BY_SEGMENT.get(segment.toLowerCase());
}

export function actionBySegment(segment: string): RemoteActionSpec {
	const found = findAction(segment);
	if (!found) throw new Error(`graph-server: no remote action '${segment}'`);
	return found;
}

export function actionByName(actionName: string): RemoteActionSpec | undefined {
	const lower = actionName.toLowerCase();
	return REMOTE_ACTIONS.find((action) => action.actionName.toLowerCase() === lower);
}

/**
 * Bulk action subtypes Graph documents that this server knows but does not run
 * (learn.microsoft.com/graph/api/resources/cloudpcbulkaction?view=graph-rest-beta).
 */
export const UNIMPLEMENTED_BULK_TYPES = [
	'cloudPcBulkDisasterRecovery',
	'cloudPcBulkDisasterRecoveryFailback',
	'cloudPcBulkDisasterRecoveryFailover',
	'cloudPcBulkModifyDiskEncryptionType',
	'cloudPcBulkMove',
	'cloudPcBulkReinstallAgent',
].map((name) => `#microsoft.graph.${name}`);
