import { SAMPLE_CLOUD_PCS, SAMPLE_USERS, startGraphServer, type GraphServer } from './index';

const ADMIN = 'admin-token';
const READER = 'reader-token';
const ADELE = 'adele-token';
const [provisioned, failed, , provisioning] = SAMPLE_CLOUD_PCS;
const BULK_TYPE = '#microsoft.graph.cloudPcBulkReprovision';

let server: GraphServer;
let polling: GraphServer;

const tokens = {
	[ADMIN]: { scopes: ['CloudPC.ReadWrite.All'], appOnly: true },
	[READER]: { scopes: ['CloudPC.Read.All'], appOnly: true },
	[ADELE]: { userId: SAMPLE_USERS.adele.id, scopes: ['CloudPC.ReadWrite.All'] },
};

beforeAll(async () => {
	server = await startGraphServer({ tokens });
	polling = await startGraphServer({ tokens, reprovisionCompletesAfterPolls: 3 });
});
afterEach(() => {
	server.reset();
	polling.reset();
});
afterAll(async () => {
	await server.close();
	await polling.close();
});

function call(
	target: GraphServer,
	path: string,
	token?: string,
	init: RequestInit = {},
): Promise<Response> {
	const headers = new Headers(init.headers);
	headers.set('User-Agent', 'graph-server-test/1.0');
	if (token) headers.set('Authorization', `Bearer ${token}`);
	return fetch(`${target.url}${path}`, { ...init, headers });
}

const actionsPath = (id: string, version = 'beta') =>
	`/${version}/deviceManagement/virtualEndpoint/cloudPCs/${id}/retrieveCloudPcRemoteActionResults`;
const reprovision = (target: GraphServer, id: string) =>
	call(target, `/beta/deviceManagement/virtualEndpoint/cloudPCs/${id}/reprovision`, ADMIN, {
		method: 'POST',
	});
const bulk = (body: unknown, version = 'beta', token = ADMIN) =>
	call(server, `/${version}/deviceManagement/virtualEndpoint/bulkActions`, token, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(body),
	});

describe('retrieveCloudPcRemoteActionResults', () => {
	test('a reprovision starts an active Reprovision action; completeRemoteAction ends it', async () => {
		const empty = await call(server, actionsPath(failed.id), READER);
		expect(empty.status).toBe(200);
		expect(await empty.json()).toEqual({
			'@odata.context': `${server.url}/beta/$metadata#Collection(microsoft.graph.cloudPcRemoteActionResult)`,
			value: [],
		});

		expect((await reprovision(server, failed.id)).status).toBe(204);
		const running = await (await call(server, actionsPath(failed.id), READER)).json();
		expect(running.value).toEqual([
			{
				actionName: 'Reprovision',
				actionState: 'active',
				startDateTime: expect.stringMatching(/^\d{4}-/),
				lastUpdatedDateTime: expect.stringMatching(/^\d{4}-/),
				cloudPcId: failed.id,
				managedDeviceId: null,
				statusDetail: null,
			},
		]);

		server.completeRemoteAction(failed.id, 'done');
		expect(server.remoteActions(failed.id)[0].actionState).toBe('done');
		expect(server.cloudPc(failed.id)?.status).toBe('provisioned');
		expect(() => server.completeRemoteAction(failed.id, 'failed')).toThrow(/no running/);

		expect((await reprovision(server, failed.id)).status).toBe(204);
		server.completeRemoteAction(failed.id, 'failed');
		const [, second] = server.remoteActions(failed.id);
		expect(second).toMatchObject({
			actionState: 'failed',
			statusDetail: { code: 'internalServerError' },
		});
		expect(server.cloudPc(failed.id)?.status).toBe('failed');
	});

	test('reprovisionCompletesAfterPolls: the Nth status read reports done', async () => {
		expect((await reprovision(polling, provisioned.id)).status).toBe(204);
		const states: string[] = [];
		for (let i = 0; i < 4; i++) {
			const body = await (await call(polling, actionsPath(provisioned.id), READER)).json();
			states.push(body.value[0].actionState);
		}
		expect(states).toEqual(['active', 'active', 'done', 'done']);
		expect(polling.cloudPc(provisioned.id)?.status).toBe('provisioned');
	});

	test('reprovisionDurationMs: done once that long has passed, on the next read', async () => {
		const timed = await startGraphServer({ tokens, reprovisionDurationMs: 200 });
		try {
			expect((await reprovision(timed, provisioned.id)).status).toBe(204);
			const state = async () =>
				(await (await call(timed, actionsPath(provisioned.id), READER)).json()).value[0]
					.actionState;
			expect(await state()).toBe('active');
			expect(timed.cloudPc(provisioned.id)?.status).toBe('provisioning');
			await new Promise((resolve) => setTimeout(resolve, 250));
			expect(await state()).toBe('done');
			expect(timed.cloudPc(provisioned.id)?.status).toBe('provisioned');
		} finally {
			await timed.close();
		}
	});

	test('reprovisionDurationMs: the server view is done in time too, without a Graph read', async () => {
		const timed = await startGraphServer({ tokens, reprovisionDurationMs: 200 });
		try {
			expect((await reprovision(timed, provisioned.id)).status).toBe(204);
			expect(timed.remoteActions(provisioned.id).map((a) => a.actionState)).toEqual(['active']);
			await new Promise((resolve) => setTimeout(resolve, 250));
			expect(timed.cloudPc(provisioned.id)?.status).toBe('provisioned');
			expect(timed.remoteActions(provisioned.id).map((a) => a.actionState)).toEqual(['done']);
		} finally {
			await timed.close();
		}
	});

	test('beta and admin only, GET only, no query options, unknown Cloud PC 404', async () => {
		const v1 = await call(server, actionsPath(failed.id, 'v1.0'), READER);
		expect(v1.status).toBe(400);
		expect((await v1.json()).error).toMatchObject({
			code: 'BadRequest',
			message: "Resource not found for the segment 'retrieveCloudPcRemoteActionResults'.",
		});
		const me = await call(
			server,
			`/beta/me/cloudPCs/${provisioned.id}/retrieveCloudPcRemoteActionResults`,
			ADELE,
		);
		expect(me.status).toBe(404);
		expect((await call(server, `${actionsPath(failed.id)}?$top=1`, READER)).status).toBe(400);
		expect((await call(server, actionsPath(failed.id), READER, { method: 'POST' })).status).toBe(
			405,
		);
		const missing = await call(server, actionsPath('00000000-0000-4000-8000-000000000000'), READER);
		expect(missing.status).toBe(404);
		expect((await call(server, actionsPath(failed.id))).status).toBe(401);
	});

	test('addRemoteAction records history that reads back as Graph would send it', async () => {
		server.addRemoteAction(provisioning.id, {
			actionName: 'Restart',
			actionState: 'done',
			startDateTime: '2024-05-01T08:00:00Z',
		});
		const body = await (await call(server, actionsPath(provisioning.id), READER)).json();
		expect(body.value).toEqual([
			expect.objectContaining({
				actionName: 'Restart',
				actionState: 'done',
				startDateTime: '2024-05-01T08:00:00Z',
				lastUpdatedDateTime: '2024-05-01T08:00:00Z',
				cloudPcId: provisioning.id,
			}),
		]);
		expect(body.value[0]).not.toHaveProperty('polls');
	});
});

describe('bulkActions', () => {
	test('201 with the created cloudPcBulkReprovision; its Cloud PCs start reprovisioning', async () => {
		const res = await bulk({
			'@odata.type': BULK_TYPE,
			displayName: 'Nightly',
			cloudPcIds: [provisioned.id, provisioning.id],
		});
		expect(res.status).toBe(201);
		const body = await res.json();
		expect(body).toEqual({
			'@odata.context': `${server.url}/beta/$metadata#deviceManagement/virtualEndpoint/bulkActions/$entity`,
			'@odata.type': BULK_TYPE,
			id: expect.stringMatching(/^[0-9a-f-]{36}$/),
			displayName: 'Nightly',
			status: 'pending',
			createdDateTime: expect.stringMatching(/^\d{4}-/),
			cloudPcIds: [provisioned.id, provisioning.id],
			initiatedByUserPrincipalName: null,
			scheduledDuringMaintenanceWindow: false,
			actionSummary: {
				pendingCount: 2,
				inProgressCount: 0,
				successfulCount: 0,
				failedCount: 0,
				notSupportedCount: 0,
			},
		});
		expect(res.headers.get('location')).toContain(`bulkActions('${body.id}')`);
		expect(server.bulkActions()).toEqual([expect.objectContaining({ id: body.id })]);
		expect(server.reprovisionCount(provisioned.id)).toBe(1);
		// a Cloud PC that cannot take a reprovision is left alone
		expect(server.reprovisionCount(provisioning.id)).toBe(0);
		expect(server.remoteActions(provisioned.id)[0].actionState).toBe('active');
		expect(server.stats().reprovisionAttempts).toBe(0);

		const delegated = await bulk(
			{ '@odata.type': BULK_TYPE, displayName: 'Mine', cloudPcIds: [failed.id] },
			'beta',
			ADELE,
		);
		expect((await delegated.json()).initiatedByUserPrincipalName).toBe(
			SAMPLE_USERS.adele.userPrincipalName,
		);
	});

	test.each([
		[
			'v1.0',
			{ '@odata.type': BULK_TYPE, displayName: 'x', cloudPcIds: [failed.id] },
			'v1.0',
			"segment 'bulkActions'",
		],
		['no @odata.type', { displayName: 'x', cloudPcIds: [failed.id] }, 'beta', 'abstract type'],
		[
			'an unknown type',
			{ '@odata.type': '#microsoft.graph.nope', displayName: 'x', cloudPcIds: [failed.id] },
			'beta',
			"'microsoft.graph.nope' could not be resolved",
		],
		[
			'another bulk type',
			{
				'@odata.type': '#microsoft.graph.cloudPcBulkMove',
				displayName: 'x',
				cloudPcIds: [failed.id],
			},
			'beta',
			'does not implement',
		],
		[
			'no displayName',
			{ '@odata.type': BULK_TYPE, cloudPcIds: [failed.id] },
			'beta',
			"'displayName' is required",
		],
		[
			'empty cloudPcIds',
			{ '@odata.type': BULK_TYPE, displayName: 'x', cloudPcIds: [] },
			'beta',
			"'cloudPcIds' is required",
		],
		[
			'an unknown property',
			{
				'@odata.type': BULK_TYPE,
				displayName: 'x',
				cloudPcIds: [failed.id],
				osVersion: 'windows11',
			},
			'beta',
			"property 'osVersion' does not exist",
		],
		[
			'a duplicate id',
			{ '@odata.type': BULK_TYPE, displayName: 'x', cloudPcIds: [failed.id, failed.id] },
			'beta',
			'more than once',
		],
		[
			'an unknown id',
			{
				'@odata.type': BULK_TYPE,
				displayName: 'x',
				cloudPcIds: [failed.id, '00000000-0000-4000-8000-000000000000'],
			},
			'beta',
			'Cloud PCs not found: 00000000-0000-4000-8000-000000000000',
		],
	])('400 for %s, and nothing is created', async (_name, body, version, message) => {
		const res = await bulk(body, version);
		expect(res.status).toBe(400);
		expect((await res.json()).error.message).toContain(message);
		expect(server.bulkActions()).toEqual([]);
		expect(server.reprovisionCount(failed.id)).toBe(0);
	});

	test('403 without CloudPC.ReadWrite.All; reset clears the bulk actions', async () => {
		const body = { '@odata.type': BULK_TYPE, displayName: 'x', cloudPcIds: [failed.id] };
		expect((await bulk(body, 'beta', READER)).status).toBe(403);
		expect((await bulk(body)).status).toBe(201);
		server.reset();
		expect(server.bulkActions()).toEqual([]);
		expect(server.remoteActions(failed.id)).toEqual([]);
	});
});
