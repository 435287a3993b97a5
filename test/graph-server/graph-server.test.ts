import { SAMPLE_CLOUD_PCS, SAMPLE_USERS, startGraphServer, type GraphServer } from './index';

const ADMIN = 'admin-token';
const READER = 'reader-token';
const ADELE = 'adele-token';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const [provisioned, failed, , provisioning] = SAMPLE_CLOUD_PCS;

let server: GraphServer;

beforeAll(async () => {
	server = await startGraphServer({
		pageSize: 2,
		tokens: {
			[ADMIN]: { scopes: ['CloudPC.ReadWrite.All'], appOnly: true },
			[READER]: { scopes: ['CloudPC.Read.All'], appOnly: true },
			[ADELE]: { userId: SAMPLE_USERS.adele.id, scopes: ['CloudPC.ReadWrite.All'] },
		},
		refreshTokens: { 'refresh-1': { accessToken: ADELE, expiresIn: 1200 } },
	});
});
afterEach(() => server.reset());
afterAll(() => server.close());

function graph(path: string, token?: string, init: RequestInit = {}): Promise<Response> {
	const headers = new Headers(init.headers);
	headers.set('User-Agent', 'graph-server-test/1.0');
	if (token) headers.set('Authorization', `Bearer ${token}`);
	return fetch(`${server.url}${path}`, { ...init, headers });
}

const reprovisionPath = (id: string) =>
	`/beta/deviceManagement/virtualEndpoint/cloudPCs/${id}/reprovision`;

test('401 without a token, with the challenge and the error shape', async () => {
	const res = await graph('/v1.0/deviceManagement/virtualEndpoint/cloudPCs');
	expect(res.status).toBe(401);
	expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
	const { error } = await res.json();
	expect(error).toMatchObject({
		code: 'InvalidAuthenticationToken',
		message: 'Access token is empty.',
	});
	expect(server.requests).toHaveLength(1);
	expect(server.requests[0].status).toBe(401);
});

test('reprovision answers 204 and moves the Cloud PC to provisioning', async () => {
	const body = JSON.stringify({ osVersion: 'windows11', userAccountType: 'standardUser' });
	const res = await graph(reprovisionPath(failed.id), ADMIN, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body,
	});
	expect(res.status).toBe(204);
	expect(await res.text()).toBe('');
	expect(server.reprovisionCount(failed.id)).toBe(1);
	expect(server.cloudPc(failed.id)).toMatchObject({
		status: 'provisioning',
		lastReprovision: { osVersion: 'windows11', userAccountType: 'standardUser' },
	});
	expect(server.requests[0].body).toEqual(JSON.parse(body));

	// Now it is provisioning, a second attempt is refused without side effects.
	const again = await graph(reprovisionPath(failed.id), ADMIN, { method: 'POST' });
	expect(again.status).toBe(400);
	expect(server.reprovisionCount(failed.id)).toBe(1);
});

test('reprovision checks permission, body and ownership', async () => {
	expect((await graph(reprovisionPath(provisioned.id), READER, { method: 'POST' })).status).toBe(
		403,
	);
	const bad = await graph(reprovisionPath(provisioned.id), ADMIN, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: '{"osVersion":"windows12"}',
	});
	expect(bad.status).toBe(400);
	expect(
		(await graph(`/v1.0/me/cloudPCs/${provisioned.id}/reprovision`, ADMIN, { method: 'POST' }))
			.status,
	).toBe(400);
	expect(
		(await graph(`/v1.0/me/cloudPCs/${provisioning.id}/reprovision`, ADELE, { method: 'POST' }))
			.status,
	).toBe(404);
	expect(
		(await graph(`/v1.0/me/cloudPCs/${provisioned.id}/reprovision`, ADELE, { method: 'POST' }))
			.status,
	).toBe(204);
	expect(server.reprovisionCount(provisioned.id)).toBe(1);
});

test('404 carries request ids in headers and innerError', async () => {
	const res = await graph(
		'/v1.0/deviceManagement/virtualEndpoint/cloudPCs/00000000-0000-0000-0000-000000000000',
		ADMIN,
		{
			headers: { 'client-request-id': 'c0ffee00-0000-4000-8000-000000000000' },
		},
	);
	expect(res.status).toBe(404);
	expect(res.headers.get('content-type')).toMatch(/^application\/json/);
	const requestId = res.headers.get('request-id');
	expect(requestId).toMatch(GUID);
	expect(res.headers.get('client-request-id')).toBe('c0ffee00-0000-4000-8000-000000000000');
	const { error } = await res.json();
	expect(error.code).toBe('ResourceNotFound');
	expect(error.innerError).toMatchObject({
		'request-id': requestId,
		'client-request-id': 'c0ffee00-0000-4000-8000-000000000000',
	});
	expect(server.requests[0].requestId).toBe(requestId);
});

test('paging follows @odata.nextLink and keeps the query state', async () => {
	const seen: Array<Record<string, unknown>> = [];
	let next: string | undefined =
		'/beta/deviceManagement/virtualEndpoint/cloudPCs?$select=displayName,status';
	while (next) {
		const res = await graph(next.replace(server.url, ''), READER);
		expect(res.status).toBe(200);
		const page = await res.json();
		expect(page.value.length).toBeLessThanOrEqual(2);
		seen.push(...page.value);
		next = page['@odata.nextLink'];
		if (next)
			expect(
				next.startsWith(`${server.url}/beta/deviceManagement/virtualEndpoint/cloudPCs?$skiptoken=`),
			).toBe(true);
	}
	expect(seen.map((pc) => pc.id)).toEqual(SAMPLE_CLOUD_PCS.map((pc) => pc.id));
	expect(Object.keys(seen[0]).sort()).toEqual(['displayName', 'id', 'status']);

	const v1 = await graph(
		"/v1.0/deviceManagement/virtualEndpoint/cloudPCs?$filter=status eq 'failed'",
		READER,
	);
	expect(v1.status).toBe(400);
});

test("v1.0 Cloud PCs have no status (Microsoft's v1.0 cloudPC resource has none); beta's do", async () => {
	const id = failed.id;
	const v1List = await (
		await graph('/v1.0/deviceManagement/virtualEndpoint/cloudPCs', READER)
	).json();
	const v1One = await (
		await graph(`/v1.0/deviceManagement/virtualEndpoint/cloudPCs/${id}`, READER)
	).json();
	for (const pc of [...v1List.value, v1One]) {
		expect(pc).not.toHaveProperty('status');
		expect(pc).not.toHaveProperty('statusDetail');
	}
	const select = await graph(
		`/v1.0/deviceManagement/virtualEndpoint/cloudPCs/${id}?$select=id,status`,
		READER,
	);
	expect(select.status).toBe(400);
	expect((await select.json()).error.message).toBe(
		"Could not find a property named 'status' on type 'microsoft.graph.cloudPC'.",
	);

	const beta = await (
		await graph(`/beta/deviceManagement/virtualEndpoint/cloudPCs/${id}`, READER)
	).json();
	expect(beta).toMatchObject({
		id,
		status: 'failed',
		statusDetail: { code: 'internalServerError' },
	});
});

test('token endpoint exchanges a known refresh token and rejects others', async () => {
	const token = (refreshToken: string) =>
		fetch(`${server.url}/contoso.onmicrosoft.com/oauth2/v2.0/token`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({
				grant_type: 'refresh_token',
				client_id: 'app',
				refresh_token: refreshToken,
			}),
		});
	const ok = await token('refresh-1');
	expect(ok.status).toBe(200);
	expect(await ok.json()).toMatchObject({
		token_type: 'Bearer',
		access_token: ADELE,
		refresh_token: 'refresh-1',
		expires_in: 1200,
	});
	expect(server.requests[0].body).toMatchObject({ grant_type: 'refresh_token' });

	const bad = await token('nope');
	expect(bad.status).toBe(400);
	expect((await bad.json()).error).toBe('invalid_grant');
});

test('stats and lostAndDuplicated count on the server side; reset clears them', async () => {
	const post = (id: string) => graph(reprovisionPath(id), ADMIN, { method: 'POST' });
	expect((await post(provisioned.id)).status).toBe(204);
	server.setStatus(provisioned.id, 'provisioned');
	expect((await post(provisioned.id)).status).toBe(204);
	expect((await post(provisioning.id)).status).toBe(400);
	await graph('/v1.0/deviceManagement/virtualEndpoint/cloudPCs', ADMIN);
	await fetch(`${server.url}/common/oauth2/v2.0/token`, { method: 'POST' });

	expect(server.stats()).toEqual({
		httpRequests: 5,
		graphOperations: 4,
		reprovisionAttempts: 3,
		actionAttempts: { reprovision: 3 },
		throttled: 0,
		faulted: 0,
		tokenRequests: 1,
		peakConcurrent: 1,
		// fetch may keep a connection open between requests
		connections: expect.any(Number),
	});
	expect(server.lostAndDuplicated([provisioned.id, failed.id, provisioning.id])).toEqual({
		lost: 2,
		duplicated: 1,
	});

	server.reset();
	expect(Object.values(server.stats())).toEqual([0, 0, 0, {}, 0, 0, 0, 0, 0]);
	expect(server.lostAndDuplicated([provisioned.id])).toEqual({ lost: 1, duplicated: 0 });
});
