import { randomUUID } from 'node:crypto';

import { actionBySegment, REMOTE_ACTIONS, type RemoteActionSpec } from './actions';
import type {
	ActionTiming,
	BulkActionState,
	CloudPcConnectivityEvent,
	CloudPcSnapshot,
	CloudPcState,
	LastReprovision,
	RemoteActionResult,
	SeedCloudPc,
} from './types';

export const SAMPLE_USERS = {
	adele: {
		id: '6e7b768e-07e2-4810-8459-485f84f8f204',
		userPrincipalName: 'AdeleV@contoso.onmicrosoft.com',
	},
	megan: {
		id: '48d31887-5fad-4d73-a9f5-3c356e68a038',
		userPrincipalName: 'MeganB@contoso.onmicrosoft.com',
	},
	alex: {
		id: 'c3a9f9a2-2c4b-4a54-9d0e-7d3a2f5b8e61',
		userPrincipalName: 'AlexW@contoso.onmicrosoft.com',
	},
} as const;

const ENTERPRISE_PLAN = 'Cloud PC Enterprise 2vCPU/8GB/128GB';
const WIN11_IMAGE = 'Windows 11 Enterprise + Microsoft 365 Apps 23H2';
const POLICY_ID = '1d164206-bf41-4fd2-8424-a3192d39ffff';

function samplePc(
	id: string,
	owner: (typeof SAMPLE_USERS)[keyof typeof SAMPLE_USERS],
	suffix: string,
	status: string,
): SeedCloudPc {
	const alias = owner.userPrincipalName.split('@')[0];
	return {
		id,
		displayName: `${alias}-${suffix}`,
		managedDeviceName: `CPC-${alias}-${suffix}`,
		userPrincipalName: owner.userPrincipalName,
		userId: owner.id,
		servicePlanName: ENTERPRISE_PLAN,
		provisioningPolicyId: POLICY_ID,
		imageDisplayName: WIN11_IMAGE,
		status,
		lastModifiedDateTime: '2024-05-02T09:30:00Z',
	};
}

/** Default seed: some provisioned, one failed, one provisioning. */
export const SAMPLE_CLOUD_PCS: readonly SeedCloudPc[] = [
	samplePc('4b5ad5e0-6a0b-4ffc-818d-36bb23cf4dbd', SAMPLE_USERS.adele, '01', 'provisioned'),
	samplePc('36bd4942-0ca8-11ed-861d-0242ac120002', SAMPLE_USERS.adele, '02', 'failed'),
	samplePc('662009bc-7732-4f6f-8726-25883518b33e', SAMPLE_USERS.megan, '01', 'provisioned'),
	samplePc('ac74ae8b-85f7-4272-88cc-5419267403ed', SAMPLE_USERS.megan, '02', 'provisioning'),
	samplePc('f5a1c0de-93b2-4c3e-b6a4-0e2d1f7c9a85', SAMPLE_USERS.alex, '01', 'provisioned'),
];

/** A GUID of version-4 shape whose last group is `n` in hex: the same n, the same id. */
function countedGuid(prefix: string, n: number): string {
	return `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/**
 * A fleet for benchmarks: `n` Cloud PCs with deterministic ids, one owner each (as most
 * tenants assign them), none of them colliding with SAMPLE_CLOUD_PCS or SAMPLE_USERS.
 */
export function manyCloudPcs(n: number, status = 'provisioned'): SeedCloudPc[] {
	if (!Number.isInteger(n) || n < 0 || n >= 16 ** 12)
		throw new Error(`graph-server: manyCloudPcs needs a whole number of Cloud PCs, got ${n}`);
	return Array.from({ length: n }, (_, index) => {
		const number = String(index + 1).padStart(5, '0');
		return {
			id: countedGuid('c10dc0de', index + 1),
			displayName: `CPC-fleet-${number}`,
			managedDeviceName: `CPC-fleet-${number}`,
			userPrincipalName: `fleet.user${number}@contoso.onmicrosoft.com`,
			userId: countedGuid('05e7f1ee', index + 1),
			servicePlanName: ENTERPRISE_PLAN,
			provisioningPolicyId: POLICY_ID,
			imageDisplayName: WIN11_IMAGE,
			status,
			lastModifiedDateTime: '2024-05-02T09:30:00Z',
		};
	});
}

export interface DirectoryUser {
	id: string;
	userPrincipalName?: string;
}

export type ReprovisionParams = Omit<LastReprovision, 'at'>;

/** Graph refuses to reprovision a Cloud PC in any other state. */
const REPROVISIONABLE = new Set(['provisioned', 'failed']);

/** States in which a remote action is still running. */
const RUNNING_ACTION_STATES = new Set(['pending', 'active']);

interface RemoteAction extends RemoteActionResult {
	/** status reads while running, for `reprovisionCompletesAfterPolls` */
	polls: number;
	/** Set on the actions this server started (not on those added by addRemoteAction). */
	started?: {
		segment: string;
		params: Record<string, unknown>;
		/** the status before it ran, to go back to */
		previousStatus: string;
		/** Date.now() when it turns active (pendingMs) */
		activeAt: number;
	};
}

/** Why an action was refused; undefined when it was accepted. */
export interface ActionRefusal {
	reason: 'status' | 'busy' | 'snapshot';
	/** the blocking status, running action name or snapshot id */
	detail: string;
}

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/** Deterministic snapshot ids in the shape of Graph's example ('A00009UV000_<guid>'). */
export function defaultSnapshots(pcs: readonly SeedCloudPc[], now = Date.now()): CloudPcSnapshot[] {
	const day = 24 * 60 * 60 * 1000;
	return pcs.map((pc) => ({
		id: `CPC_${pc.id}_${new Date(now - day).toISOString().slice(0, 10)}`,
		cloudPcId: pc.id,
		status: 'ready',
		createdDateTime: new Date(now - day).toISOString(),
		lastRestoredDateTime: null,
		snapshotType: 'automatic',
		expirationDateTime: new Date(now + 27 * day).toISOString(),
	}));
}

/** A bulk action's remote actions waiting for the maintenance window. */
interface Scheduled {
	segment: string;
	ids: string[];
	params: (id: string) => Record<string, unknown> | undefined;
}

export const BULK_REPROVISION_TYPE = '#microsoft.graph.cloudPcBulkReprovision';

const isReprovisionAction = (action: RemoteActionResult) =>
	action.actionName.toLowerCase() === 'reprovision';

export class CloudPcStore {
	private pcs = new Map<string, CloudPcState>();
	private readonly counts = new Map<string, number>();
	private readonly actions = new Map<string, RemoteAction[]>();
	private readonly bulk: BulkActionState[] = [];
	/** accepted actions per `${segment}|${cloudPcId}` */
	private readonly actionCounts = new Map<string, number>();
	private readonly disabled = new Map<string, Set<string>>();
	private snapshotList: CloudPcSnapshot[] = [];
	private readonly connectivity = new Map<string, CloudPcConnectivityEvent[]>();
	private readonly scheduled: Scheduled[] = [];
	/** By object id and by lower-cased UPN: lookups stay O(1) for fleets of thousands. */
	private readonly usersById = new Map<string, DirectoryUser>();
	private readonly usersByUpn = new Map<string, DirectoryUser>();

	/** Status shown instead of the real one until `until` (see GraphServerOptions.statusLagMs). */
	private readonly lagging = new Map<string, { status: string; until: number }>();
	private readonly completesAfterPolls?: number;
	private statusLagMs: number;
	private readonly durationMs?: number;
	private readonly timings: Partial<Record<string, ActionTiming>>;
	private readonly seedSnapshots: readonly CloudPcSnapshot[];
	/** Whether any action moves on with time (durationMs, pendingMs): settle() has work. */
	private readonly anyTimed: boolean;

	/** `signedInUserIds`: users known only from tokens; they exist even without a Cloud PC. */
	constructor(
		private readonly seed: readonly SeedCloudPc[],
		signedInUserIds: readonly string[],
		/** see GraphServerOptions.reprovisionCompletesAfterPolls and statusLagMs */
		behaviour: {
			completesAfterPolls?: number;
			statusLagMs: number;
			durationMs?: number;
			timings?: Partial<Record<string, ActionTiming>>;
			snapshots?: readonly CloudPcSnapshot[];
		},
	) {
		this.timings = Object.fromEntries(
			Object.entries(behaviour.timings ?? {}).map(([segment, timing]) => [
				segment.toLowerCase(),
				timing,
			]),
		);
		this.seedSnapshots = behaviour.snapshots ?? defaultSnapshots(seed);
		this.anyTimed =
			behaviour.durationMs !== undefined ||
			Object.values(this.timings).some(
				(timing) => timing?.durationMs !== undefined || (timing?.pendingMs ?? 0) > 0,
			);
		this.completesAfterPolls = behaviour.completesAfterPolls;
		this.statusLagMs = behaviour.statusLagMs;
		this.durationMs = behaviour.durationMs;
		for (const pc of seed)
			this.usersById.set(pc.userId, { id: pc.userId, userPrincipalName: pc.userPrincipalName });
		for (const id of signedInUserIds) if (!this.usersById.has(id)) this.usersById.set(id, { id });
		for (const user of this.usersById.values()) {
			const upn = user.userPrincipalName?.toLowerCase();
			// Should two users share a UPN, the first keeps it, as a search in seed order would.
			if (upn !== undefined && !this.usersByUpn.has(upn)) this.usersByUpn.set(upn, user);
		}
		this.reset();
	}

	/** From now on (see GraphServerOptions.statusLagMs); lags already running keep their end. */
	setStatusLag(ms: number): void {
		this.statusLagMs = ms;
	}

	reset(): void {
		this.pcs = new Map(
			this.seed.map((pc) => [pc.id, { ...pc, status: pc.status ?? 'provisioned' }]),
		);
		this.counts.clear();
		this.actions.clear();
		this.lagging.clear();
		this.bulk.length = 0;
		this.actionCounts.clear();
		this.disabled.clear();
		this.snapshotList = structuredClone([...this.seedSnapshots]);
		this.connectivity.clear();
		this.scheduled.length = 0;
	}

	/** Cloud PCs as Graph shows them: a lagging status reads as it was. */
	list(): CloudPcState[] {
		const shown = [...this.pcs.values()].map((pc) => this.shown(pc));
		// An EndGracePeriod found done while reading removed its Cloud PC.
		return shown.length === this.pcs.size ? shown : shown.filter((pc) => this.pcs.has(pc.id));
	}

	get(id: string): CloudPcState | undefined {
		this.settle(id);
		const pc = this.pcs.get(id);
		return pc && this.shown(pc);
	}

	private shown(pc: CloudPcState): CloudPcState {
		this.settle(pc.id);
		const lag = this.lagging.get(pc.id);
		if (!lag) return pc;
		if (Date.now() < lag.until) return { ...pc, status: lag.status };
		this.lagging.delete(pc.id);
		return pc;
	}

	/** The real state: an action whose time is up is done here too, read by Graph or not. */
	snapshot(id: string): CloudPcState | undefined {
		this.settle(id);
		const pc = this.pcs.get(id);
		return pc && structuredClone(pc);
	}

	setStatus(id: string, status: string): void {
		this.lagging.delete(id);
		this.require(id).status = status;
	}

	add(pc: SeedCloudPc): void {
		if (this.pcs.has(pc.id)) throw new Error(`graph-server: Cloud PC ${pc.id} exists already`);
		this.pcs.set(pc.id, { ...pc, status: pc.status ?? 'provisioned' });
		if (!this.usersById.has(pc.userId)) {
			const user = { id: pc.userId, userPrincipalName: pc.userPrincipalName };
			this.usersById.set(pc.userId, user);
			this.usersByUpn.set(pc.userPrincipalName.toLowerCase(), user);
		}
	}

	remove(id: string): void {
		this.require(id);
		this.pcs.delete(id);
		this.lagging.delete(id);
	}

	/**
	 * beta `lastRemoteActionResult`: the remote action started last, in the shape of
	 * `retrieveCloudPcRemoteActionResults`'s entries; null when none ran.
	 */
	lastRemoteAction(id: string): RemoteActionResult | null {
		const all = this.remoteActions(id);
		let last: RemoteActionResult | null = null;
		for (const action of all) {
			if (!last || Date.parse(action.startDateTime) >= Date.parse(last.startDateTime))
				last = action;
		}
		return last;
	}

	/** Object ids match exactly, UPNs case-insensitively, as in the directory. */
	findUser(idOrUpn: string): DirectoryUser | undefined {
		return this.usersById.get(idOrUpn) ?? this.usersByUpn.get(idOrUpn.toLowerCase());
	}

	/** Returns the status that blocks the reprovision, or undefined once it has been applied. */
	reprovision(id: string, params: ReprovisionParams): string | undefined {
		const pc = this.require(id);
		// Graph checks the status it shows: while it lags, a second reprovision gets through.
		const shownStatus = this.shown(pc).status;
		if (!REPROVISIONABLE.has(shownStatus)) return shownStatus;
		if (this.statusLagMs > 0 && !this.lagging.has(id)) {
			this.lagging.set(id, { status: shownStatus, until: Date.now() + this.statusLagMs });
		}
		const at = new Date().toISOString();
		pc.status = 'provisioning';
		pc.lastModifiedDateTime = at;
		pc.lastReprovision = { ...params, at };
		this.counts.set(id, this.reprovisionCount(id) + 1);
		this.countAction(id, 'reprovision');
		this.addRemoteAction(id, {
			actionName: 'Reprovision',
			actionState: 'active',
			startDateTime: at,
		});
		return undefined;
	}

	private countAction(id: string, segment: string): void {
		const key = `${segment.toLowerCase()}|${id}`;
		this.actionCounts.set(key, (this.actionCounts.get(key) ?? 0) + 1);
	}

	actionCount(id: string, segment: string): number {
		return this.actionCounts.get(`${segment.toLowerCase()}|${id}`) ?? 0;
	}

	/**
	 * Any remote action but reprovision (which keeps `reprovision` above). Checks the shown status
	 * and the running actions, then starts it: a `pending` or `active` remote action result with the
	 * action's name, the Cloud PC in the action's running status.
	 */
	startAction(
		id: string,
		segment: string,
		params: Record<string, unknown>,
	): ActionRefusal | undefined {
		const spec = actionBySegment(segment);
		if (spec.segment === 'reprovision') {
			const status = this.reprovision(id, params as ReprovisionParams);
			return status === undefined ? undefined : { reason: 'status', detail: status };
		}
		const pc = this.require(id);
		const shownStatus = this.shown(pc).status;
		if (!spec.acceptedStatuses.includes(shownStatus))
			return { reason: 'status', detail: shownStatus };
		if (spec.refusedWhileOtherActionRuns) {
			const other = (this.actions.get(id) ?? []).find(
				(action) =>
					RUNNING_ACTION_STATES.has(action.actionState) &&
					action.actionName.toLowerCase() !== spec.actionName.toLowerCase(),
			);
			if (other) return { reason: 'busy', detail: other.actionName };
		}
		if (spec.segment === 'restore') {
			const snapshotId = String(params.cloudPcSnapshotId);
			const snapshot = this.snapshotList.find(
				(snap) => snap.id === snapshotId && snap.cloudPcId === id && snap.status === 'ready',
			);
			if (!snapshot) return { reason: 'snapshot', detail: snapshotId };
		}
		if (spec.runningStatus !== undefined && this.statusLagMs > 0 && !this.lagging.has(id)) {
			this.lagging.set(id, { status: shownStatus, until: Date.now() + this.statusLagMs });
		}
		const now = Date.now();
		const at = new Date(now).toISOString();
		const pendingMs = this.timing(spec).pendingMs ?? 0;
		const previousStatus = pc.status;
		if (spec.runningStatus !== undefined) {
			pc.status = spec.runningStatus;
			pc.lastModifiedDateTime = at;
		}
		this.countAction(id, spec.segment);
		const list = this.actions.get(id) ?? [];
		list.push({
			actionName: spec.actionName,
			actionState: pendingMs > 0 ? 'pending' : 'active',
			startDateTime: at,
			lastUpdatedDateTime: at,
			cloudPcId: pc.id,
			managedDeviceId: pc.managedDeviceId ?? null,
			statusDetail: null,
			polls: 0,
			started: { segment: spec.segment, params, previousStatus, activeAt: now + pendingMs },
		});
		this.actions.set(id, list);
		return undefined;
	}

	private timing(spec: Pick<RemoteActionSpec, 'segment'>): ActionTiming {
		const own = this.timings[spec.segment.toLowerCase()] ?? {};
		return {
			pendingMs: own.pendingMs,
			completesAfterPolls: own.completesAfterPolls ?? this.completesAfterPolls,
			durationMs: own.durationMs ?? this.durationMs,
		};
	}

	/** Reprovision actions (as always) and the actions this server started move on in time. */
	private timed(action: RemoteAction): RemoteActionSpec | undefined {
		if (action.started) return actionBySegment(action.started.segment);
		return isReprovisionAction(action) ? actionBySegment('reprovision') : undefined;
	}

	isDisabled(id: string, segment: string): boolean {
		return this.disabled.get(id)?.has(segment.toLowerCase()) === true;
	}

	setDisabled(id: string, segment: string, disabled: boolean): void {
		this.require(id);
		const spec = actionBySegment(segment);
		const set = this.disabled.get(id) ?? new Set<string>();
		if (disabled) set.add(spec.segment.toLowerCase());
		else set.delete(spec.segment.toLowerCase());
		this.disabled.set(id, set);
	}

	/**
	 * beta getSupportedCloudPcRemoteActions: the actions with a documented capability name. The
	 * resource page lists the enum in camelCase (restart, troubleShoot, …) but the method page's
	 * example answers PascalCase ("Restart", "Reprovision"); this server sends the example's casing,
	 * so a client that compares exactly against the enum fails here as it would there.
	 */
	supportedActions(id: string): { actionName: string; actionCapability: string }[] {
		return REMOTE_ACTIONS.filter((spec) => spec.capabilityName !== undefined).map((spec) => ({
			actionName: pascal(spec.capabilityName as string),
			actionCapability: this.isDisabled(id, spec.segment) ? 'disabled' : 'enabled',
		}));
	}

	snapshots(id: string): CloudPcSnapshot[] {
		return structuredClone(this.snapshotList.filter((snap) => snap.cloudPcId === id));
	}

	addSnapshot(snapshot: CloudPcSnapshot): void {
		if (this.snapshotList.some((snap) => snap.id === snapshot.id))
			throw new Error(`graph-server: snapshot ${snapshot.id} exists already`);
		this.snapshotList.push({ ...snapshot });
	}

	connectivityHistory(id: string): CloudPcConnectivityEvent[] {
		return structuredClone(this.connectivity.get(id) ?? []);
	}

	addConnectivityEvent(id: string, event: CloudPcConnectivityEvent): void {
		this.require(id);
		const list = this.connectivity.get(id) ?? [];
		list.push({ ...event });
		this.connectivity.set(id, list);
	}

	addRemoteAction(
		id: string,
		action: Pick<RemoteActionResult, 'actionName' | 'actionState'> & Partial<RemoteActionResult>,
	): void {
		const pc = this.require(id);
		const at = new Date().toISOString();
		const list = this.actions.get(id) ?? [];
		list.push({
			startDateTime: at,
			lastUpdatedDateTime: action.startDateTime ?? at,
			cloudPcId: pc.id,
			managedDeviceId: pc.managedDeviceId ?? null,
			statusDetail: null,
			...action,
			polls: 0,
		});
		this.actions.set(id, list);
	}

	/**
	 * What `retrieveCloudPcRemoteActionResults` answers. Each read counts as a poll of the
	 * running Reprovision actions; with `completesAfterPolls` the Nth read finds them done.
	 */
	readRemoteActions(id: string): RemoteActionResult[] {
		this.settle(id);
		for (const action of this.actions.get(id) ?? []) {
			const spec = this.timed(action);
			if (!spec || !RUNNING_ACTION_STATES.has(action.actionState)) continue;
			action.polls += 1;
			const after = this.timing(spec).completesAfterPolls;
			if (after !== undefined && action.polls >= after) {
				this.finish(id, action, 'done');
			}
		}
		return this.remoteActions(id);
	}

	/** With `durationMs`, running Reprovision actions that started that long ago are done. */
	private settle(id: string): void {
		// The common case of large fleets: nothing moves on in time, so nothing to look at.
		if (!this.anyTimed) return;
		const list = this.actions.get(id);
		if (!list) return;
		const now = Date.now();
		for (const action of list) {
			if (!RUNNING_ACTION_STATES.has(action.actionState)) continue;
			const spec = this.timed(action);
			if (!spec) continue;
			if (action.actionState === 'pending' && action.started && now >= action.started.activeAt) {
				action.actionState = 'active';
				action.lastUpdatedDateTime = new Date(action.started.activeAt).toISOString();
			}
			const durationMs = this.timing(spec).durationMs;
			if (durationMs === undefined) continue;
			if (Date.parse(action.startDateTime) <= now - durationMs) this.finish(id, action, 'done');
		}
	}

	remoteActions(id: string): RemoteActionResult[] {
		this.settle(id);
		return (this.actions.get(id) ?? []).map((action) => {
			const copy: Partial<RemoteAction> = structuredClone(action);
			delete copy.polls;
			return copy as RemoteActionResult;
		});
	}

	completeRemoteAction(id: string, state: 'done' | 'failed', segment = 'reprovision'): void {
		const spec = actionBySegment(segment);
		const name = spec.actionName.toLowerCase();
		const running = (this.actions.get(id) ?? []).filter(
			(action) =>
				action.actionName.toLowerCase() === name && RUNNING_ACTION_STATES.has(action.actionState),
		);
		const action = running[running.length - 1];
		if (!action)
			throw new Error(`graph-server: no running ${spec.actionName} action on Cloud PC ${id}`);
		this.finish(id, action, state);
	}

	private finish(id: string, action: RemoteAction, state: 'done' | 'failed'): void {
		if (action.started && action.started.segment !== 'reprovision') {
			this.finishAction(id, action, state);
			return;
		}
		const pc = this.require(id);
		const at = new Date().toISOString();
		action.actionState = state;
		action.lastUpdatedDateTime = at;
		action.statusDetail =
			state === 'failed'
				? {
						code: 'internalServerError',
						message: 'Reprovisioning failed. Try again, or contact support if it fails again.',
						additionalInformation: [],
					}
				: null;
		pc.status = state === 'done' ? 'provisioned' : 'failed';
		pc.lastModifiedDateTime = at;
	}

	/** The effect of an action other than reprovision, once it is done (or failed). */
	private finishAction(id: string, action: RemoteAction, state: 'done' | 'failed'): void {
		const started = action.started;
		if (!started) return;
		const at = new Date().toISOString();
		action.actionState = state;
		action.lastUpdatedDateTime = at;
		action.statusDetail =
			state === 'failed'
				? {
						code: 'internalServerError',
						message: `${action.actionName} failed. Try again, or contact support if it fails again.`,
						additionalInformation: [],
					}
				: null;
		// The Cloud PC may be gone already (an EndGracePeriod done, removeCloudPc).
		const pc = this.pcs.get(id);
		if (!pc) return;
		const spec = actionBySegment(started.segment);
		if (spec.runningStatus !== undefined && pc.status === spec.runningStatus) {
			pc.status =
				started.previousStatus === 'failed' && state === 'done'
					? 'provisioned'
					: started.previousStatus;
			pc.lastModifiedDateTime = at;
		}
		if (state === 'failed') return;
		const params = started.params;
		switch (spec.segment) {
			case 'rename':
				pc.displayName = String(params.displayName);
				break;
			case 'resize':
				pc.servicePlanId = String(params.targetServicePlanId);
				break;
			case 'restore':
				for (const snap of this.snapshotList) {
					if (snap.id === params.cloudPcSnapshotId && snap.cloudPcId === id)
						snap.lastRestoredDateTime = at;
				}
				break;
			case 'endGracePeriod':
				this.pcs.delete(id);
				this.lagging.delete(id);
				return;
			case 'changeUserAccountType':
				pc.userAccountType = String(params.userAccountType);
				break;
			case 'setReviewStatus':
				pc.reviewStatus = structuredClone(params.reviewStatus as Record<string, unknown>);
				break;
			case 'createSnapshot':
				this.snapshotList.push({
					id: `CPC_${id}_${randomUUID()}`,
					cloudPcId: id,
					status: 'ready',
					createdDateTime: at,
					lastRestoredDateTime: null,
					snapshotType: 'manual',
					expirationDateTime: null,
				});
				break;
		}
		pc.lastModifiedDateTime = at;
	}

	/**
	 * A bulk reprovision starts a reprovision on each of its Cloud PCs that can take one; the
	 * others are left alone (Graph reports them in the action's summary later).
	 */
	createBulkReprovision(
		displayName: string,
		cloudPcIds: string[],
		initiatedBy: string | null,
		scheduledDuringMaintenanceWindow: boolean,
	): BulkActionState {
		return this.createBulkAction(
			BULK_REPROVISION_TYPE,
			displayName,
			cloudPcIds,
			initiatedBy,
			scheduledDuringMaintenanceWindow,
			{},
		);
	}

	/**
	 * Any implemented subtype: each Cloud PC that can take the single action gets it (others are
	 * left alone, as for reprovision). With `scheduledDuringMaintenanceWindow` nothing runs until
	 * runMaintenanceWindow(): "the bulk action uses the maintenance window to schedule the action"
	 * (learn.microsoft.com/graph/api/resources/cloudpcbulkrestart?view=graph-rest-beta).
	 */
	createBulkAction(
		type: string,
		displayName: string,
		cloudPcIds: string[],
		initiatedBy: string | null,
		scheduledDuringMaintenanceWindow: boolean,
		properties: Record<string, unknown>,
	): BulkActionState {
		const spec = REMOTE_ACTIONS.find((action) => action.bulkType === type);
		if (!spec) throw new Error(`graph-server: no remote action for bulk type ${type}`);
		const job: Scheduled = {
			segment: spec.segment,
			ids: [...cloudPcIds],
			params: (id) => this.bulkParams(spec, id, properties),
		};
		if (scheduledDuringMaintenanceWindow) this.scheduled.push(job);
		else this.runBulk(job);
		const action: BulkActionState = {
			'@odata.type': type,
			id: randomUUID(),
			displayName,
			status: 'pending',
			createdDateTime: new Date().toISOString(),
			cloudPcIds: [...cloudPcIds],
			initiatedByUserPrincipalName: initiatedBy,
			scheduledDuringMaintenanceWindow,
			actionSummary: {
				pendingCount: cloudPcIds.length,
				inProgressCount: 0,
				successfulCount: 0,
				failedCount: 0,
				notSupportedCount: 0,
			},
			...properties,
		};
		this.bulk.push(action);
		return structuredClone(action);
	}

	runMaintenanceWindow(): void {
		for (const job of this.scheduled.splice(0)) this.runBulk(job);
	}

	private runBulk(job: Scheduled): void {
		for (const id of job.ids) {
			if (!this.pcs.has(id) || this.isDisabled(id, job.segment)) continue;
			const params = job.params(id);
			if (params === undefined) {
				// cloudPcBulkRestore: "If some of the devices don't have any snapshots to restore,
				// they're set as restore failed" (resources/cloudpcbulkrestore?view=graph-rest-beta).
				this.addRemoteAction(id, {
					actionName: 'Restore',
					actionState: 'failed',
					statusDetail: {
						code: 'snapshotNotFound',
						message: 'No snapshot matches the restore point.',
						additionalInformation: [],
					},
				});
				continue;
			}
			this.startAction(id, job.segment, params);
		}
	}

	/** A bulk action's properties as the single action's parameters for that Cloud PC. */
	private bulkParams(
		spec: RemoteActionSpec,
		id: string,
		properties: Record<string, unknown>,
	): Record<string, unknown> | undefined {
		if (spec.segment !== 'restore') return { ...properties };
		const point = Date.parse(String(properties.restorePointDateTime));
		const range = String(properties.timeRange ?? 'before');
		const candidates = this.snapshotList
			.filter((snap) => snap.cloudPcId === id && snap.status === 'ready')
			.map((snap) => ({ snap, delta: Date.parse(snap.createdDateTime) - point }))
			.filter(({ delta }) =>
				range === 'before' ? delta <= 0 : range === 'after' ? delta >= 0 : true,
			)
			.sort((a, b) => Math.abs(a.delta) - Math.abs(b.delta));
		const chosen = candidates[0]?.snap;
		return chosen ? { cloudPcSnapshotId: chosen.id } : undefined;
	}

	bulkActions(): BulkActionState[] {
		return structuredClone(this.bulk);
	}

	reprovisionCount(id: string): number {
		return this.counts.get(id) ?? 0;
	}

	private require(id: string): CloudPcState {
		const pc = this.pcs.get(id);
		if (!pc) throw new Error(`graph-server: no Cloud PC with id ${id}`);
		return pc;
	}
}
