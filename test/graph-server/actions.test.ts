import {
	REMOTE_ACTIONS,
	SAMPLE_CLOUD_PCS,
	SAMPLE_USERS,
	startGraphServer,
	type ActionScope,
	type GraphServer,
	type RemoteActionSpec,
} from './index';

const ADMIN = 'admin-token';
const READER = 'reader-token';
const ADELE = 'adele-token';
const ADELE_READER = 'adele-reader-token';
const [adele01, adele02, megan01, megan02] = SAMPLE_CLOUD_PCS;
const PLAN = '30d0e128-de93-41dc-89ec-33d84bb662a0';
const MISSING = '00000000-0000-4000-8000-000000000000';
/** After the seeded snapshots (a day old). */
const RESTORE_POINT = new Date(Date.now() + 60_000).toISOString();

const tokens = {
	[ADMIN]: { scopes: ['CloudPC.ReadWrite.All'], appOnly: true },
	[READER]: { scopes: ['CloudPC.Read.All'], appOnly: true },
	[ADELE]: { userId: SAMPLE_USERS.adele.id, scopes: ['CloudPC.ReadWrite.All'] },
	[ADELE_READER]: { userId: SAMPLE_USERS.adele.id, scopes: ['CloudPC.Read.All'] },
};

let server: GraphServer;
beforeAll(async () => {
	server = await startGraphServer({ tokens });
});
afterEach(() => server.reset());
afterAll(() => server.close());

function call(
	path: string,
	token?: string,
	init: RequestInit = {},
	target: GraphServer = server,
): Promise<Response> {
	const headers = new Headers(init.headers);
	headers.set('User-Agent', 'graph-server-test/1.0');
	if (token) headers.set('Authorization', `Bearer ${token}`);
	return fetch(`${target.url}${path}`, { ...init, headers });
}

const prefix = (scope: ActionScope) =>
	scope === 'admin'
		? '/deviceManagement/virtualEndpoint/cloudPCs'
		: scope === 'me'
			? '/me/cloudPCs'
			: `/users/${SAMPLE_USERS.adele.userPrincipalName}/cloudPCs`;

const actionPath = (segment: string, id: string, version = 'beta', scope: ActionScope = 'admin') =>
	`/${version}${prefix(scope)}/${id}/${segment}`;

function post(path: string, body?: unknown, token = ADMIN, target?: GraphServer) {
	return call(
		path,
		token,
		body === undefined
			? { method: 'POST' }
			: {
					method: 'POST',
					headers: { 'Content-Type': 'application/json' },
					body: JSON.stringify(body),
				},
		target,
	);
}

/** A body each action accepts (on the admin path). */
function validBody(action: RemoteActionSpec, pcId: string, target: GraphServer = server) {
	switch (action.segment) {
		case 'rename':
			return { displayName: 'CPC-renamed' };
		case 'resize':
			return { targetServicePlanId: PLAN };
		case 'restore':
			return { cloudPcSnapshotId: target.snapshots(pcId)[0].id };
		case 'changeUserAccountType':
			return { userAccountType: 'administrator' };
		case 'setReviewStatus':
			return { reviewStatus: { inReview: true, userAccessLevel: 'restricted' } };
		default:
			return undefined;
	}
}

/** Puts the Cloud PC into the first status the action accepts. */
function prepare(action: RemoteActionSpec, pcId: string, target: GraphServer = server) {
	target.setStatus(pcId, action.acceptedStatuses[0]);
}

/** A token allowed on that scope: app-only where the page allows it, else Adele (delegated). */
const tokenFor = (action: RemoteActionSpec, scope: ActionScope) =>
	scope === 'admin' && action.appOnly ? ADMIN : ADELE;

const SCOPES: ActionScope[] = ['admin', 'me', 'users'];
const routeCases = REMOTE_ACTIONS.flatMap((action) =>
	(['v1.0', 'beta'] as const).flatMap((version) =>
		SCOPES.map((scope) => {
			const documented = action.routes[version].includes(scope);
			const anyVersion =
				action.routes.beta.includes(scope) || action.routes['v1.0'].includes(scope);
			// Without the action in v1.0 on that scope: v1.0 does not know the segment (400, as for
			// the other beta-only segments); a scope no version lists has no route (404).
			const expected = documented ? 204 : anyVersion ? 400 : 404;
			return [action.segment, version, scope, expected, action] as const;
		}),
	),
);

describe('routes, per action, version and scope (from REMOTE_ACTIONS)', () => {
	test.each(routeCases)(
		'%s %s %s answers %d',
		async (segment, version, scope, expected, action) => {
			prepare(action, adele01.id);
			const accepts = !action.bodyScopes || action.bodyScopes.includes(scope);
			const body = accepts ? validBody(action, adele01.id) : undefined;
			const res = await post(
				actionPath(segment, adele01.id, version, scope),
				body,
				tokenFor(action, scope),
			);
			expect(res.status).toBe(expected);
			if (expected === 204) {
				expect(await res.text()).toBe('');
				expect(server.actionCount(adele01.id, segment)).toBe(1);
				expect(server.stats().actionAttempts[segment]).toBe(1);
			} else {
				const { error } = await res.json();
				expect(error.message).toContain(
					expected === 400 ? `segment '${segment}'` : 'Resource not found',
				);
				expect(server.actionCount(adele01.id, segment)).toBe(0);
			}
		},
	);

	test.each(REMOTE_ACTIONS.map((action) => [action.segment, action] as const))(
		'%s: GET is 405, an unknown Cloud PC 404, without a token 401, without write permission 403',
		async (segment, action) => {
			const path = actionPath(segment, adele01.id);
			expect((await call(path, ADMIN)).status).toBe(405);
			const body =
				action.segment === 'restore' ? { cloudPcSnapshotId: 'x' } : validBody(action, adele01.id);
			expect(
				(await post(actionPath(segment, MISSING), body, tokenFor(action, 'admin'))).status,
			).toBe(404);
			expect((await call(path, undefined, { method: 'POST' })).status).toBe(401);
			const reader = action.appOnly ? READER : ADELE_READER;
			const res = await post(path, body, reader);
			// setReviewStatus's page lists CloudPC.Read.All as enough.
			if (action.permissions.includes('CloudPC.Read.All')) {
				prepare(action, adele01.id);
				expect((await post(path, body, reader)).status).toBe(204);
			} else expect(res.status).toBe(403);
		},
	);

	test('start and stop: application permissions are not supported (403), delegated works', async () => {
		for (const segment of ['start', 'stop']) {
			const res = await post(actionPath(segment, adele01.id), undefined, ADMIN);
			expect(res.status).toBe(403);
			expect(server.actionCount(adele01.id, segment)).toBe(0);
		}
		expect(
			(await post(actionPath('start', adele01.id, 'beta', 'me'), undefined, ADELE)).status,
		).toBe(204);
	});

	test("another user's Cloud PC is 404 on /me", async () => {
		const res = await post(actionPath('reboot', megan01.id, 'beta', 'me'), undefined, ADELE);
		expect(res.status).toBe(404);
	});
});

describe('bodies, validated as Graph reads action parameters', () => {
	const noBody = REMOTE_ACTIONS.filter((action) => action.body.length === 0);
	test.each(noBody.map((action) => [action.segment, action] as const))(
		'%s takes no body or {}, and refuses any parameter',
		async (segment, action) => {
			prepare(action, adele01.id);
			const token = tokenFor(action, 'admin');
			expect((await post(actionPath(segment, adele01.id), {}, token)).status).toBe(204);
			const res = await post(actionPath(segment, adele01.id), { force: true }, token);
			expect(res.status).toBe(400);
			expect((await res.json()).error).toMatchObject({
				code: 'BadRequest',
				message: `The parameter 'force' in the request payload is not a valid parameter for the operation '${segment}'.`,
			});
		},
	);

	const invalid: [string, unknown, string][] = [
		['rename', {}, "'displayName' is required"],
		['rename', { displayName: '' }, 'non-empty string'],
		['rename', { displayName: 'x'.repeat(65) }, 'at most 64 characters'],
		['rename', { displayName: 42 }, 'non-empty string'],
		['resize', {}, "'targetServicePlanId' is required"],
		['resize', { targetServicePlanId: PLAN, servicePlanName: 'x' }, "'servicePlanName'"],
		['restore', {}, "'cloudPcSnapshotId' is required"],
		['changeUserAccountType', {}, "'userAccountType' is required"],
		['changeUserAccountType', { userAccountType: 'root' }, 'standardUser, administrator'],
		['setReviewStatus', {}, "'reviewStatus' is required"],
		['setReviewStatus', { reviewStatus: {} }, "'inReview'"],
		['setReviewStatus', { reviewStatus: { inReview: 'yes' } }, 'true or false'],
		[
			'setReviewStatus',
			{ reviewStatus: { inReview: true, userAccessLevel: 'none' } },
			'unrestricted, restricted',
		],
		[
			'setReviewStatus',
			{ reviewStatus: { inReview: true, colour: 'red' } },
			"'colour' does not exist on type 'microsoft.graph.cloudPcReviewStatus'",
		],
		['createSnapshot', { accessTier: 'frozen' }, 'hot, cool, cold, archive'],
		['reprovision', { osVersion: 'windows12' }, 'windows10, windows11'],
	];
	test.each(invalid)('%s %j: 400 (%s), nothing runs', async (segment, body, message) => {
		const res = await post(actionPath(segment, adele01.id), body);
		expect(res.status).toBe(400);
		expect((await res.json()).error.message).toContain(message);
		expect(server.actionCount(adele01.id, segment)).toBe(0);
		expect(server.remoteActions(adele01.id)).toEqual([]);
	});

	test('createSnapshot takes its optional storageAccountId and accessTier', async () => {
		const res = await post(actionPath('createSnapshot', adele01.id), {
			storageAccountId:
				'/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/z',
			accessTier: 'cool',
		});
		expect(res.status).toBe(204);
	});

	test('the user routes take no body for reprovision, but rename takes its displayName there', async () => {
		const me = (segment: string) => actionPath(segment, adele01.id, 'beta', 'me');
		expect((await post(me('reprovision'), { osVersion: 'windows11' }, ADELE)).status).toBe(400);
		expect((await post(me('rename'), { displayName: 'mine' }, ADELE)).status).toBe(204);
	});
});

describe('remote action results, state changes and status rules', () => {
	test.each(REMOTE_ACTIONS.map((action) => [action.segment, action.actionName, action] as const))(
		'%s leaves an active %s result; the Cloud PC runs as documented; done applies the effect',
		async (segment, actionName, action) => {
			prepare(action, adele01.id);
			const before = server.cloudPc(adele01.id);
			const res = await post(
				actionPath(segment, adele01.id),
				validBody(action, adele01.id),
				tokenFor(action, 'admin'),
			);
			expect(res.status).toBe(204);
			const read = await call(
				`/beta/deviceManagement/virtualEndpoint/cloudPCs/${adele01.id}/retrieveCloudPcRemoteActionResults`,
				READER,
			);
			expect((await read.json()).value).toEqual([
				expect.objectContaining({ actionName, actionState: 'active', cloudPcId: adele01.id }),
			]);
			expect(server.cloudPc(adele01.id)?.status).toBe(action.runningStatus ?? before?.status);

			server.completeRemoteAction(adele01.id, 'done', segment);
			expect(server.remoteActions(adele01.id)[0].actionState).toBe('done');
			const after = server.cloudPc(adele01.id);
			switch (segment) {
				case 'endGracePeriod':
					expect(after).toBeUndefined();
					expect(
						(await call(`/beta/deviceManagement/virtualEndpoint/cloudPCs/${adele01.id}`, READER))
							.status,
					).toBe(404);
					break;
				case 'rename':
					expect(after?.displayName).toBe('CPC-renamed');
					break;
				case 'resize':
					expect(after).toMatchObject({ status: 'provisioned', servicePlanId: PLAN });
					break;
				case 'restore':
					expect(after?.status).toBe('provisioned');
					expect(server.snapshots(adele01.id)[0].lastRestoredDateTime).toEqual(
						expect.stringMatching(/^\d{4}-/),
					);
					break;
				case 'changeUserAccountType':
					expect(after?.userAccountType).toBe('administrator');
					break;
				case 'setReviewStatus':
					expect(after?.reviewStatus).toEqual({ inReview: true, userAccessLevel: 'restricted' });
					break;
				case 'createSnapshot':
					expect(server.snapshots(adele01.id).map((snap) => snap.snapshotType)).toEqual([
						'automatic',
						'manual',
					]);
					break;
				case 'reprovision':
					expect(after?.status).toBe('provisioned');
					break;
				default:
					expect(after?.status).toBe(before?.status);
			}
		},
	);

	test.each(
		REMOTE_ACTIONS.map((action) => {
			const refused = ['provisioning', 'inGracePeriod', 'deprovisioning', 'provisioned'].find(
				(status) => !action.acceptedStatuses.includes(status),
			) as string;
			return [action.segment, refused, action] as const;
		}),
	)(
		'%s is refused (400, no side effect) while the Cloud PC is %s',
		async (segment, status, action) => {
			server.setStatus(adele01.id, status);
			const body =
				segment === 'restore'
					? { cloudPcSnapshotId: server.snapshots(adele01.id)[0].id }
					: validBody(action, adele01.id);
			const res = await post(actionPath(segment, adele01.id), body, tokenFor(action, 'admin'));
			expect(res.status).toBe(400);
			expect((await res.json()).error.message).toContain(`status is ${status}`);
			expect(server.remoteActions(adele01.id)).toEqual([]);
		},
	);

	test('another running action blocks (400) until it is done; the same action again is a counted duplicate', async () => {
		expect((await post(actionPath('reboot', adele01.id))).status).toBe(204);
		const blocked = await post(actionPath('troubleshoot', adele01.id));
		expect(blocked.status).toBe(400);
		expect((await blocked.json()).error.message).toContain('remote action Reboot is running');
		expect((await post(actionPath('reboot', adele01.id))).status).toBe(204);
		expect(server.actionCount(adele01.id, 'reboot')).toBe(2);
		expect(server.lostAndDuplicated([adele01.id], 'reboot')).toEqual({ lost: 0, duplicated: 1 });
		server.completeRemoteAction(adele01.id, 'done', 'reboot');
		server.completeRemoteAction(adele01.id, 'done', 'reboot');
		expect((await post(actionPath('troubleshoot', adele01.id))).status).toBe(204);
	});

	test('a failed Resize goes back to the earlier status and keeps the plan', async () => {
		expect(
			(await post(actionPath('resize', adele01.id), { targetServicePlanId: PLAN })).status,
		).toBe(204);
		expect(server.cloudPc(adele01.id)?.status).toBe('resizing');
		server.completeRemoteAction(adele01.id, 'failed', 'resize');
		expect(server.cloudPc(adele01.id)).toMatchObject({ status: 'provisioned' });
		expect(server.cloudPc(adele01.id)?.servicePlanId).toBeUndefined();
		expect(server.remoteActions(adele01.id)[0]).toMatchObject({
			actionName: 'Resize',
			actionState: 'failed',
			statusDetail: { code: 'internalServerError' },
		});
	});

	test('restore needs a ready snapshot of that Cloud PC', async () => {
		const other = server.snapshots(megan01.id)[0].id;
		const res = await post(actionPath('restore', adele01.id), { cloudPcSnapshotId: other });
		expect(res.status).toBe(400);
		expect((await res.json()).error.message).toContain(`snapshot '${other}'`);
		expect(server.remoteActions(adele01.id)).toEqual([]);
	});

	test('actionTimings: pending first, then active, then done in time; the demo duration holds for every action', async () => {
		const timed = await startGraphServer({
			tokens,
			reprovisionDurationMs: 1000,
			actionTimings: { reboot: { pendingMs: 400 }, rename: { durationMs: 100 } },
		});
		try {
			expect(
				(await post(actionPath('rename', adele02.id), { displayName: 'later' }, ADMIN, timed))
					.status,
			).toBe(204);
			expect((await post(actionPath('reboot', adele01.id), undefined, ADMIN, timed)).status).toBe(
				204,
			);
			const states = (id: string) => timed.remoteActions(id).map((a) => a.actionState);
			expect(states(adele01.id)).toEqual(['pending']);
			await new Promise((resolve) => setTimeout(resolve, 500));
			expect(states(adele01.id)).toEqual(['active']);
			expect(states(adele02.id)).toEqual(['done']);
			expect(timed.cloudPc(adele02.id)?.displayName).toBe('later');
			await new Promise((resolve) => setTimeout(resolve, 600));
			expect(states(adele01.id)).toEqual(['done']);
		} finally {
			await timed.close();
		}
	});

	test('reprovisionCompletesAfterPolls counts status reads for every action', async () => {
		const polled = await startGraphServer({ tokens, reprovisionCompletesAfterPolls: 2 });
		try {
			expect(
				(await post(actionPath('troubleshoot', adele01.id), undefined, ADMIN, polled)).status,
			).toBe(204);
			const read = async () =>
				(
					await (
						await call(
							`/beta/deviceManagement/virtualEndpoint/cloudPCs/${adele01.id}/retrieveCloudPcRemoteActionResults`,
							READER,
							{},
							polled,
						)
					).json()
				).value[0].actionState;
			expect([await read(), await read(), await read()]).toEqual(['active', 'done', 'done']);
		} finally {
			await polled.close();
		}
	});
});

test('remote action results keep paging, oldest first, across actions', async () => {
	const paged = await startGraphServer({ tokens, remoteActionPageSize: 1 });
	try {
		expect((await post(actionPath('reboot', adele01.id), undefined, ADMIN, paged)).status).toBe(
			204,
		);
		paged.completeRemoteAction(adele01.id, 'done', 'reboot');
		expect(
			(await post(actionPath('rename', adele01.id), { displayName: 'n' }, ADMIN, paged)).status,
		).toBe(204);
		const names: string[] = [];
		let next: string | undefined =
			`${paged.url}/beta/deviceManagement/virtualEndpoint/cloudPCs/${adele01.id}/retrieveCloudPcRemoteActionResults`;
		while (next) {
			const page = await (await call(next.slice(paged.url.length), READER, {}, paged)).json();
			names.push(...page.value.map((a: { actionName: string }) => a.actionName));
			next = page['@odata.nextLink'];
		}
		expect(names).toEqual(['Reboot', 'Rename']);
	} finally {
		await paged.close();
	}
});

describe('reads: snapshots, supported actions, connectivity history', () => {
	const admin = (id: string, fn: string, version = 'beta') =>
		`/${version}/deviceManagement/virtualEndpoint/cloudPCs/${id}/${fn}`;

	test('retrieveSnapshots: seeded per Cloud PC, beta and admin only, CloudPC.ReadWrite.All', async () => {
		const res = await call(admin(adele01.id, 'retrieveSnapshots'), ADMIN);
		expect(res.status).toBe(200);
		const body = await res.json();
		expect(body.value).toEqual([
			{
				id: expect.stringContaining(adele01.id),
				cloudPcId: adele01.id,
				status: 'ready',
				createdDateTime: expect.stringMatching(/^\d{4}-/),
				lastRestoredDateTime: null,
				snapshotType: 'automatic',
				expirationDateTime: expect.stringMatching(/^\d{4}-/),
			},
		]);
		expect((await call(admin(adele01.id, 'retrieveSnapshots', 'v1.0'), ADMIN)).status).toBe(400);
		expect((await call(admin(adele01.id, 'retrieveSnapshots'), READER)).status).toBe(403);
		expect((await call(`/beta/me/cloudPCs/${adele01.id}/retrieveSnapshots`, ADELE)).status).toBe(
			404,
		);
		server.addSnapshot({
			id: 'manual-1',
			cloudPcId: adele01.id,
			status: 'ready',
			createdDateTime: '2024-05-01T00:00:00Z',
			lastRestoredDateTime: null,
			snapshotType: 'manual',
			expirationDateTime: null,
		});
		expect(server.snapshots(adele01.id)).toHaveLength(2);
		expect(
			(await post(actionPath('restore', adele01.id), { cloudPcSnapshotId: 'manual-1' })).status,
		).toBe(204);
		server.reset();
		expect(server.snapshots(adele01.id)).toHaveLength(1);
	});

	test('seeded snapshots can be replaced by the snapshots option', async () => {
		const own = await startGraphServer({ tokens, snapshots: [] });
		try {
			expect(own.snapshots(adele01.id)).toEqual([]);
		} finally {
			await own.close();
		}
	});

	test('getSupportedCloudPcRemoteActions: documented names, enabled; disableAction turns one off on one Cloud PC', async () => {
		const read = async (id: string, token = ADMIN) =>
			(await (await call(admin(id, 'getSupportedCloudPcRemoteActions'), token)).json()).value;
		const all = await read(adele01.id);
		expect(all.map((a: { actionName: string }) => a.actionName).sort()).toEqual(
			[
				'ChangeUserAccountType',
				'PlaceUnderReview',
				'Rename',
				'Reprovision',
				'Resize',
				'Restart',
				'Restore',
				'TroubleShoot',
			].sort(),
		);
		expect(all.every((a: { actionCapability: string }) => a.actionCapability === 'enabled')).toBe(
			true,
		);

		server.disableAction(adele01.id, 'reboot');
		expect(await read(adele01.id)).toContainEqual({
			actionName: 'Restart',
			actionCapability: 'disabled',
		});
		expect(await read(adele02.id)).toContainEqual({
			actionName: 'Restart',
			actionCapability: 'enabled',
		});
		const refused = await post(actionPath('reboot', adele01.id));
		expect(refused.status).toBe(400);
		expect((await refused.json()).error.message).toContain("'restart' is not supported");
		expect(server.remoteActions(adele01.id)).toEqual([]);
		server.enableAction(adele01.id, 'reboot');
		expect((await post(actionPath('reboot', adele01.id))).status).toBe(204);

		// Delegated: CloudPC.Read.All is enough; app-only needs CloudPC.ReadWrite.All.
		expect(
			(await call(admin(adele01.id, 'getSupportedCloudPcRemoteActions'), ADELE_READER)).status,
		).toBe(200);
		expect((await call(admin(adele01.id, 'getSupportedCloudPcRemoteActions'), READER)).status).toBe(
			403,
		);
	});

	test('getCloudPcConnectivityHistory: empty by default, events added by the test', async () => {
		const path = admin(adele01.id, 'getCloudPcConnectivityHistory');
		expect((await (await call(path, READER)).json()).value).toEqual([]);
		const event = {
			eventDateTime: '2022-03-23T18:40:00Z',
			eventName: 'DomainJoinCheck',
			eventResult: 'failure',
			eventType: 'deviceHealthCheck',
			message: 'SessionHost unhealthy: SessionHost is not joined to a domain',
		};
		server.addConnectivityEvent(adele01.id, event);
		expect((await (await call(path, READER)).json()).value).toEqual([event]);
		expect(
			(await call(admin(adele01.id, 'getCloudPcConnectivityHistory', 'v1.0'), READER)).status,
		).toBe(400);
	});
});

describe('bulk actions, every implemented subtype', () => {
	const bulk = (body: Record<string, unknown>, target = server) =>
		post('/beta/deviceManagement/virtualEndpoint/bulkActions', body, ADMIN, target);
	const bulkBody = (action: RemoteActionSpec): Record<string, unknown> => {
		switch (action.segment) {
			case 'resize':
				return { targetServicePlanId: PLAN };
			case 'restore':
				return { restorePointDateTime: RESTORE_POINT, timeRange: 'before' };
			case 'setReviewStatus':
				return { reviewStatus: { inReview: true } };
			default:
				return {};
		}
	};
	const bulkActions = REMOTE_ACTIONS.filter((action) => action.bulkType !== undefined);

	test.each(bulkActions.map((action) => [action.bulkType, action] as const))(
		'%s: 201, and each Cloud PC gets the single action',
		async (type, action) => {
			prepare(action, adele01.id);
			const res = await bulk({
				'@odata.type': type,
				displayName: 'Bulk',
				cloudPcIds: [adele01.id],
				...bulkBody(action),
			});
			expect(res.status).toBe(201);
			const created = await res.json();
			expect(created).toMatchObject({
				'@odata.type': type,
				status: 'pending',
				cloudPcIds: [adele01.id],
				scheduledDuringMaintenanceWindow: false,
				...bulkBody(action),
			});
			expect(server.actionCount(adele01.id, action.segment)).toBe(1);
			expect(server.remoteActions(adele01.id)).toEqual([
				expect.objectContaining({ actionName: action.actionName, actionState: 'active' }),
			]);
			// Bulk actions are not the single action's route.
			expect(server.stats().actionAttempts).toEqual({});
			const list = await (
				await call('/beta/deviceManagement/virtualEndpoint/bulkActions', READER)
			).json();
			expect(list.value).toEqual([
				expect.objectContaining({ id: created.id, cloudPcIds: [adele01.id] }),
			]);
		},
	);

	test.each(bulkActions.map((action) => [action.bulkType, action] as const))(
		'%s scheduled during the maintenance window does not act until the window',
		async (type, action) => {
			prepare(action, adele01.id);
			const res = await bulk({
				'@odata.type': type,
				displayName: 'Later',
				cloudPcIds: [adele01.id],
				scheduledDuringMaintenanceWindow: true,
				...bulkBody(action),
			});
			expect(res.status).toBe(201);
			expect(await res.json()).toMatchObject({
				status: 'pending',
				scheduledDuringMaintenanceWindow: true,
			});
			expect(server.remoteActions(adele01.id)).toEqual([]);
			server.runMaintenanceWindow();
			expect(server.actionCount(adele01.id, action.segment)).toBe(1);
		},
	);

	test('bulk restore picks the snapshot by restorePointDateTime and timeRange; no snapshot: a failed Restore', async () => {
		server.addSnapshot({
			id: 'old',
			cloudPcId: adele01.id,
			status: 'ready',
			createdDateTime: '2024-01-01T00:00:00Z',
			lastRestoredDateTime: null,
			snapshotType: 'manual',
			expirationDateTime: null,
		});
		const res = await bulk({
			'@odata.type': '#microsoft.graph.cloudPcBulkRestore',
			displayName: 'Restore',
			cloudPcIds: [adele01.id, megan01.id],
			restorePointDateTime: '2024-02-01T00:00:00Z',
		});
		expect(res.status).toBe(201);
		expect((await res.json()).timeRange).toBe('before');
		server.completeRemoteAction(adele01.id, 'done', 'restore');
		expect(
			server.snapshots(adele01.id).find((snap) => snap.id === 'old')?.lastRestoredDateTime,
		).not.toBeNull();
		// megan01's only snapshot is from yesterday, after the point: set as restore failed.
		expect(server.remoteActions(megan01.id)).toEqual([
			expect.objectContaining({ actionName: 'Restore', actionState: 'failed' }),
		]);
	});

	test.each([
		[{ '@odata.type': '#microsoft.graph.cloudPcBulkResize' }, "'targetServicePlanId' is required"],
		[
			{
				'@odata.type': '#microsoft.graph.cloudPcBulkResize',
				targetServicePlanId: PLAN,
				osVersion: 'x',
			},
			"'osVersion' does not exist on type 'microsoft.graph.cloudPcBulkResize'",
		],
		[
			{ '@odata.type': '#microsoft.graph.cloudPcBulkRestore' },
			"'restorePointDateTime' is required",
		],
		[
			{ '@odata.type': '#microsoft.graph.cloudPcBulkRestore', restorePointDateTime: 'soon' },
			'DateTimeOffset',
		],
		[
			{
				'@odata.type': '#microsoft.graph.cloudPcBulkRestore',
				restorePointDateTime: '2024-01-01T00:00:00Z',
				timeRange: 'never',
			},
			'before, after, beforeOrAfter',
		],
		[
			{ '@odata.type': '#microsoft.graph.cloudPcBulkRestart', targetServicePlanId: PLAN },
			"'targetServicePlanId' does not exist",
		],
		[{ '@odata.type': '#microsoft.graph.cloudPcBulkReinstallAgent' }, 'does not implement'],
	])('400 for %j (%s), nothing created', async (body, message) => {
		const res = await bulk({ displayName: 'x', cloudPcIds: [adele01.id], ...body });
		expect(res.status).toBe(400);
		expect((await res.json()).error.message).toContain(message);
		expect(server.bulkActions()).toEqual([]);
		expect(server.remoteActions(adele01.id)).toEqual([]);
	});

	test('a bulk action leaves a Cloud PC that cannot take the action alone', async () => {
		const res = await bulk({
			'@odata.type': '#microsoft.graph.cloudPcBulkRestart',
			displayName: 'x',
			cloudPcIds: [adele01.id, megan02.id],
		});
		expect(res.status).toBe(201);
		expect(server.actionCount(adele01.id, 'reboot')).toBe(1);
		expect(server.actionCount(megan02.id, 'reboot')).toBe(0);
	});
});

describe('fault injection for every action', () => {
	test('a Reboot whose answer is lost (504 after acting) still ran; attempts are counted per segment', async () => {
		server.failNext({ pathIncludes: '/reboot' }, { status: 504, afterEffect: true });
		const res = await post(actionPath('reboot', adele01.id));
		expect(res.status).toBe(504);
		expect(server.actionCount(adele01.id, 'reboot')).toBe(1);
		expect(server.remoteActions(adele01.id)).toEqual([
			expect.objectContaining({ actionName: 'Reboot', actionState: 'active' }),
		]);
		expect(server.stats()).toMatchObject({ reprovisionAttempts: 0, actionAttempts: { reboot: 1 } });
	});

	test('a Restore held in transit lands after the client gave up (landsAfterMs + hangMs)', async () => {
		const snapshot = server.snapshots(adele01.id)[0].id;
		server.failNext({ pathIncludes: '/restore' }, { status: 504, landsAfterMs: 400, hangMs: 50 });
		await expect(
			post(actionPath('restore', adele01.id), { cloudPcSnapshotId: snapshot }),
		).rejects.toThrow();
		expect(server.actionCount(adele01.id, 'restore')).toBe(0);
		await new Promise((resolve) => setTimeout(resolve, 600));
		expect(server.actionCount(adele01.id, 'restore')).toBe(1);
		expect(server.cloudPc(adele01.id)?.status).toBe('restoring');
	});

	test('a 503 without acting leaves nothing; a Rename inside $batch with {} body rules applies', async () => {
		server.failNext({ pathIncludes: '/rename' }, { status: 503 });
		expect((await post(actionPath('rename', adele01.id), { displayName: 'x' })).status).toBe(503);
		expect(server.actionCount(adele01.id, 'rename')).toBe(0);
		const batch = await post('/beta/$batch', {
			requests: [
				{
					id: '1',
					method: 'POST',
					url: `/deviceManagement/virtualEndpoint/cloudPCs/${adele01.id}/troubleshoot`,
					headers: { 'Content-Type': 'application/json' },
					body: {},
				},
			],
		});
		expect(batch.status).toBe(200);
		const { responses } = await batch.json();
		expect(responses[0].status).toBe(204);
		expect(server.actionCount(adele01.id, 'troubleshoot')).toBe(1);
		expect(server.stats().actionAttempts).toEqual({ rename: 1, troubleshoot: 1 });
	});
});
