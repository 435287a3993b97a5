export interface SeedCloudPc {
	/** GUID */
	id: string;
	displayName: string;
	managedDeviceName?: string;
	/** Owner's UPN */
	userPrincipalName: string;
	/** Owner's object id (GUID) */
	userId: string;
	servicePlanName?: string;
	provisioningPolicyId?: string;
	imageDisplayName?: string;
	/** Only visible in beta; defaults to 'provisioned'. */
	status?: string;
	lastModifiedDateTime?: string;
	/** Intune's id for the device; remote action results carry it (null when unset). */
	managedDeviceId?: string;
}

export interface TokenGrant {
	/** Delegated token: the signed-in user's object id (what /me resolves to). Omit for app-only. */
	userId?: string;
	/** Reads need CloudPC.Read.All or CloudPC.ReadWrite.All; writes need CloudPC.ReadWrite.All. */
	scopes: string[];
	/** App-only tokens get 400 on /me routes. A grant without userId is app-only too. */
	appOnly?: boolean;
}

export interface GraphServerOptions {
	/** Default: SAMPLE_CLOUD_PCS. */
	cloudPcs?: SeedCloudPc[];
	/** Accepted bearer tokens and what they may do. Default: none (every Graph call is 401). */
	tokens?: Record<string, TokenGrant>;
	/** Server-driven page size for list endpoints (default 100); a smaller $top wins. */
	pageSize?: number;
	/**
	 * Remote action results per page (`retrieveCloudPcRemoteActionResults`, oldest first);
	 * without it, one page. Graph may page any collection (learn.microsoft.com/graph/paging).
	 */
	remoteActionPageSize?: number;
	/** refresh_token → access token the token endpoint issues; that access token must be in `tokens`. */
	refreshTokens?: Record<string, { accessToken: string; expiresIn?: number }>;
	/** Answer a batch's inner responses in a random order: Graph promises none. Default false. */
	shuffleBatchResponses?: boolean;
	/**
	 * Every Graph answer (direct or $batch envelope, not the token endpoint) is sent this long
	 * after its request arrived. A batch's inner requests run concurrently inside it, so a batch
	 * costs one latency.
	 */
	latencyMs?: number;
	/** Graph's per-app throttling; off by default. */
	throttle?: ThrottleOptions;
	/** Probability (0..1) that a Graph operation answers 503 without running. Default 0. */
	faultRate?: number;
	/** `Retry-After` on those 503 answers; without it they carry none. */
	faultRetryAfterSeconds?: number;
	/** Source of randomness for faultRate and shuffleBatchResponses. Default Math.random. */
	random?: () => number;
	/** Default true. False keeps `requests` empty (counters only), for runs of thousands of calls. */
	logRequests?: boolean;
	/**
	 * A running Reprovision action reports `done` on its Nth status read
	 * (`retrieveCloudPcRemoteActionResults`), and its Cloud PC becomes `provisioned`. Without it
	 * an action stays `active` until `completeRemoteAction`.
	 */
	reprovisionCompletesAfterPolls?: number;
	/**
	 * After an accepted reprovision, the Cloud PC's `status` still reads as before for this long,
	 * and a second reprovision in that time is accepted too: Graph's documentation does not say
	 * how soon status follows an action, so the test server models the worst case. The action
	 * itself is in `retrieveCloudPcRemoteActionResults` at once. Default 0.
	 */
	statusLagMs?: number;
	/**
	 * A Reprovision action is `done` this long after it started (its Cloud PC `provisioned`),
	 * seen by the next read: a real one takes one to two hours (Windows 365 documentation),
	 * tests of waiting take seconds. Without it an action stays as the other options leave it.
	 */
	reprovisionDurationMs?: number;
	/**
	 * Every other remote action (reboot, restore, …) follows reprovisionCompletesAfterPolls and
	 * reprovisionDurationMs too (so the demo timings hold for all); this overrides them per action
	 * segment, and can make an action read `pending` first.
	 */
	actionTimings?: Partial<Record<string, ActionTiming>>;
	/**
	 * Snapshots (beta retrieveSnapshots, restore's cloudPcSnapshotId). Default: one automatic, ready
	 * snapshot a day old for each seeded Cloud PC (`defaultSnapshots`).
	 */
	snapshots?: CloudPcSnapshot[];
	/** Serve HTTPS with this key and certificate (PEM) instead of plain HTTP. */
	tls?: { key: string; cert: string };
}

/**
 * A sliding window per app (keyed by the bearer token) over Graph operations: each direct
 * request and each inner batch request counts, a $batch envelope does not. A request over the
 * limit does not run and takes no slot.
 */
export interface ThrottleOptions {
	limit: number;
	windowMs: number;
	/**
	 * One window for every token instead of one per app: Windows 365 publishes its budgets per
	 * tenant (List Cloud PCs 180, Get Cloud PC 540 per 60 s), so N workers or executions share
	 * one budget whatever token each holds. Default false (per app).
	 */
	perTenant?: boolean;
}

export interface LoggedRequest {
	method: string;
	/** Path without the query, exactly as received (not decoded). */
	path: string;
	/** Decoded query parameters (last one wins when repeated). */
	query: Record<string, string>;
	/** Lower-cased names. */
	headers: Record<string, string>;
	/** Parsed JSON; the token endpoint's form as an object; otherwise the raw string; undefined when empty. */
	body: unknown;
	/** 0 when no answer was sent: the connection was dropped (`hangMs`). */
	status: number;
	/** The request id the server answered with (`request-id`, or `x-ms-request-id` on the token endpoint). */
	requestId: string;
	/** Date.now() when the request arrived (for an inner request: when its envelope did). */
	at: number;
	/**
	 * Set on an inner request of a JSON batch: its envelope's request-id. Such an entry follows its
	 * envelope's; its `path` is the inner url's path behind the version ('/v1.0/...'), its headers
	 * are the inner ones plus the envelope's authorization and user-agent.
	 */
	batchRequestId?: string;
}

export interface LastReprovision {
	osVersion?: string;
	userAccountType?: string;
	/** ISO date of the accepted request */
	at: string;
}

export type CloudPcState = SeedCloudPc & {
	status: string;
	lastReprovision?: LastReprovision;
	/** Set by a Resize once done (its targetServicePlanId); state only, reads do not show it. */
	servicePlanId?: string;
	/** Set by a ChangeUserAccountType once done. */
	userAccountType?: string;
	/** Set by setReviewStatus once done (the body's reviewStatus). */
	reviewStatus?: Record<string, unknown>;
};

/**
 * One beta cloudPcSnapshot (learn.microsoft.com/graph/api/resources/cloudpcsnapshot?view=graph-rest-beta):
 * status ready | unknownFutureValue, snapshotType automatic | manual | unknownFutureValue.
 */
export interface CloudPcSnapshot {
	id: string;
	cloudPcId: string;
	status: string;
	createdDateTime: string;
	lastRestoredDateTime: string | null;
	snapshotType: string;
	expirationDateTime: string | null;
}

/** One beta cloudPcConnectivityEvent (getCloudPcConnectivityHistory). */
export interface CloudPcConnectivityEvent {
	eventDateTime: string;
	eventName: string;
	eventResult: string;
	eventType: string;
	message: string;
}

/** Per action segment ('reboot', 'restore', …): how its remote actions progress. */
export interface ActionTiming {
	/** The action reads `pending` this long before `active` (default 0: active at once). */
	pendingMs?: number;
	/** Overrides reprovisionCompletesAfterPolls for this action. */
	completesAfterPolls?: number;
	/** Overrides reprovisionDurationMs for this action. */
	durationMs?: number;
}

/** One entry of beta `retrieveCloudPcRemoteActionResults`, as Graph serializes it. */
export interface RemoteActionResult {
	/** 'Reprovision', 'Restart', …: Graph's names, compared case-insensitively by clients. */
	actionName: string;
	/** none | pending | canceled | active | done | failed | notSupported (or anything newer) */
	actionState: string;
	startDateTime: string;
	lastUpdatedDateTime: string;
	cloudPcId: string;
	managedDeviceId: string | null;
	statusDetail: { code: string; message: string; additionalInformation: unknown[] } | null;
}

/**
 * A created bulk action (beta `bulkActions`), as Graph answered it; subtypes add their own
 * properties (targetServicePlanId, restorePointDateTime, timeRange, …).
 */
export interface BulkActionState {
	[property: string]: unknown;
	'@odata.type': string;
	id: string;
	displayName: string;
	status: string;
	createdDateTime: string;
	cloudPcIds: string[];
	initiatedByUserPrincipalName: string | null;
	scheduledDuringMaintenanceWindow: boolean;
	actionSummary: {
		pendingCount: number;
		inProgressCount: number;
		successfulCount: number;
		failedCount: number;
		notSupportedCount: number;
	};
}

/**
 * Matches direct requests, $batch envelopes (their path includes '$batch') and inner batch
 * requests (method and '/{version}/...' path of the inner request); the first to match answers.
 */
export interface FaultMatcher {
	method?: string;
	/** Substring of the raw path (without the query). */
	pathIncludes?: string;
	/** A query parameter the request carries, e.g. '$skiptoken' for the pages after the first. */
	queryHas?: string;
	/** Let this many matching requests through first: a fault in the middle of a run. */
	skip?: number;
}

export interface FaultResponse {
	status: number;
	code?: string;
	message?: string;
	headers?: Record<string, string>;
	/**
	 * Sent as-is (objects as JSON, `null` included); without it an error body is built from
	 * code/message. Graph documents `{ error: { code, message, innerError } }`
	 * (learn.microsoft.com/graph/errors), but a proxy, a gateway or a service bug may answer any
	 * JSON: the docs promise nothing for them, so tests send shapes Graph never documents.
	 */
	body?: unknown;
	/** Answer this much later (for an inner request: its envelope answers no sooner). */
	delayMs?: number;
	/**
	 * Run the real handler first, so its side effect happens, then answer with this response:
	 * a gateway timeout after the reprovision actually ran. Graph documents 500, 502, 503 and 504
	 * as the service's or a gateway's trouble (learn.microsoft.com/graph/errors) and never that
	 * the work did not run; only a 429 says the request failed before running
	 * (learn.microsoft.com/graph/throttling). So any of them may come after acting, 503 included
	 * (a $batch envelope's or an inner one's, with or without Retry-After).
	 */
	afterEffect?: boolean;
	/**
	 * Run the real handler this long after the request arrived, not now: a request held in
	 * transit (a proxy, a gateway's queue) reaches Graph after the client gave up and checked.
	 * Graph's documentation says nothing of how long a request may travel; this is the worst
	 * case. Pair it with `hangMs` longer than the client's timeout, so no answer comes.
	 */
	landsAfterMs?: number;
	/**
	 * Send nothing and close the connection after this many ms, so a client timeout fires first
	 * (status and body are then never sent). On an inner request the whole envelope hangs.
	 */
	hangMs?: number;
	/**
	 * On an inner request of a $batch: the envelope leaves its answer out (`omitted`) or names
	 * it twice (`repeated`). Graph's documentation promises one answer per request; these model
	 * an answer that breaks that promise, after the work ran when `afterEffect` is set.
	 */
	batchAnswer?: 'omitted' | 'repeated';
}

/** Counters since start or the last reset(); kept even when logRequests is false. */
export interface GraphServerStats {
	/** Requests on the wire: $batch envelopes, direct Graph requests and token endpoint requests. */
	httpRequests: number;
	/** Graph operations received: direct requests plus inner batch requests. */
	graphOperations: number;
	/** Reprovision operations received, whether they ran, were refused, throttled or faulted. */
	reprovisionAttempts: number;
	/** The same for every remote action, by segment ('reboot', 'reprovision', …): attempts received. */
	actionAttempts: Record<string, number>;
	/** Operations answered 429 by the `throttle` option (not by failNext). */
	throttled: number;
	/** Operations answered 503 by the `faultRate` option (not by failNext). */
	faulted: number;
	tokenRequests: number;
	/** The most Graph requests ($batch envelopes and direct ones) open at once: arrived, not yet answered. */
	peakConcurrent: number;
	/** TCP connections accepted (each a TLS handshake over HTTPS): fewer than requests means reuse. */
	connections: number;
}

export interface GraphServer {
	/** 'http://127.0.0.1:PORT', no trailing slash. Graph base: url + '/v1.0' | '/beta'; login base: url. */
	url: string;
	port: number;
	/**
	 * Every request, in arrival order, each $batch envelope followed by its inner requests.
	 * Cleared in place by reset(); always empty with `logRequests: false`.
	 */
	requests: LoggedRequest[];
	/** Successful (204) reprovisions of that Cloud PC. */
	reprovisionCount(cloudPcId: string): number;
	/** Accepted (204) remote actions of that segment ('reboot', 'restore', …) on that Cloud PC, bulk included. */
	actionCount(cloudPcId: string, segment: string): number;
	/**
	 * getSupportedCloudPcRemoteActions reports the action `disabled` on that Cloud PC and its route
	 * answers 400 without acting, until enableAction or reset().
	 */
	disableAction(cloudPcId: string, segment: string): void;
	enableAction(cloudPcId: string, segment: string): void;
	/** Copies of the Cloud PC's snapshots, oldest first. */
	snapshots(cloudPcId: string): CloudPcSnapshot[];
	addSnapshot(snapshot: CloudPcSnapshot): void;
	/** Connectivity history (getCloudPcConnectivityHistory) until reset(). */
	addConnectivityEvent(cloudPcId: string, event: CloudPcConnectivityEvent): void;
	/** Starts the remote actions of the bulk actions waiting for the maintenance window. */
	runMaintenanceWindow(): void;
	/** A copy of the current state. */
	cloudPc(id: string): CloudPcState | undefined;
	setStatus(id: string, status: string): void;
	/**
	 * `statusLagMs` from now until the next reset() (which restores the started value): for the
	 * tests of a run started again, among tests that rely on status following at once.
	 */
	setStatusLag(ms: number): void;
	/** A new Cloud PC appears in the lists (as provisioning a license does); throws on a known id. */
	addCloudPc(pc: SeedCloudPc): void;
	/** The Cloud PC is gone (deprovisioned): lists leave it out, its routes answer 404. */
	removeCloudPc(id: string): void;
	/**
	 * Finishes the Cloud PC's running Reprovision action (or, with `segment`, that action's): `done` makes the Cloud PC
	 * `provisioned`, `failed` makes it `failed`. Throws when no Reprovision action is running.
	 */
	completeRemoteAction(cloudPcId: string, state: 'done' | 'failed', segment?: string): void;
	/** Records a remote action as Graph would report it (history, other actions, future states). */
	addRemoteAction(
		cloudPcId: string,
		action: Pick<RemoteActionResult, 'actionName' | 'actionState'> & Partial<RemoteActionResult>,
	): void;
	/** A copy of the Cloud PC's remote action results, oldest first. */
	remoteActions(cloudPcId: string): RemoteActionResult[];
	/** Copies of the bulk actions created since start or the last reset(), in order. */
	bulkActions(): BulkActionState[];
	/**
	 * Injected answers for matching requests, checked before anything else (throttling and
	 * faultRate included); they have no side effect unless `afterEffect` is set.
	 */
	failNext(matcher: FaultMatcher, response: FaultResponse, times?: number): void;
	stats(): GraphServerStats;
	/**
	 * From the successful reprovisions of each expected Cloud PC: `lost` counts ids never
	 * reprovisioned, `duplicated` the reprovisions beyond the first, summed over the ids.
	 */
	lostAndDuplicated(expectedIds: string[], segment?: string): { lost: number; duplicated: number };
	/** Clear the log, injected faults, counters and throttle windows; restore the seeded state. */
	reset(): void;
	close(): Promise<void>;
}
