import {
	manyCloudPcs,
	SAMPLE_CLOUD_PCS,
	startGraphServer,
	type GraphServer,
	type GraphServerOptions,
} from './index';

/** JSON batching, throttling and injected faults, as a client of the batch endpoint sees them. */

const ADMIN = 'admin-token';
const OTHER_APP = 'other-app-token';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const [provisioned, failed, , provisioning] = SAMPLE_CLOUD_PCS;
const UNKNOWN_PC = '00000000-0000-4000-8000-000000000000';
const fleet = manyCloudPcs(20);

interface InnerResponse {
	id: string;
	status: number;
	headers: Record<string, string>;
	body?: { error?: { code: string; innerError: Record<string, string> } } & Record<string, unknown>;
}

const servers: GraphServer[] = [];
afterEach(async () => await Promise.all(servers.splice(0).map((server) => server.close())));

async function start(options: GraphServerOptions = {}): Promise<GraphServer> {
	const server = await startGraphServer({
		cloudPcs: [...SAMPLE_CLOUD_PCS, ...fleet],
		tokens: {
			[ADMIN]: { scopes: ['CloudPC.ReadWrite.All'], appOnly: true },
			[OTHER_APP]: { scopes: ['CloudPC.ReadWrite.All'], appOnly: true },
		},
		...options,
	});
	servers.push(server);
	return server;
}

function send(server: GraphServer, path: string, init: RequestInit = {}, token = ADMIN) {
	const headers = new Headers(init.headers);
	if (!headers.has('User-Agent')) headers.set('User-Agent', 'graph-server-test/1.0');
	if (token) headers.set('Authorization', `Bearer ${token}`);
	return fetch(`${server.url}${path}`, { ...init, headers });
}

function postBatch(server: GraphServer, requests: unknown[], init: RequestInit = {}) {
	return send(server, '/v1.0/$batch', {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ requests }),
		...init,
	});
}

/** Inner responses by id: Graph answers them in any order. */
async function answersById(res: Response): Promise<Record<string, InnerResponse>> {
	expect(res.status).toBe(200);
	const { responses } = (await res.json()) as { responses: InnerResponse[] };
	return Object.fromEntries(responses.map((inner) => [inner.id, inner]));
}

const reprovisionUrl = (id: string) =>
	`/deviceManagement/virtualEndpoint/cloudPCs/${id}/reprovision`;
const JSON_TYPE = { 'Content-Type': 'application/json' };
const reprovisions = (ids: readonly string[]) =>
	ids.map((id, index) => ({
		id: String(index + 1),
		method: 'POST',
		url: reprovisionUrl(id),
		headers: JSON_TYPE,
		body: {},
	}));

describe('JSON batching', () => {
	test('inner requests are handled like direct ones, each with its own ids and log entry', async () => {
		const server = await start();
		const clientRequestId = 'c0ffee00-0000-4000-8000-000000000001';
		const res = await postBatch(server, [
			{
				id: '1',
				method: 'POST',
				url: reprovisionUrl(provisioned.id),
				headers: { 'Content-Type': 'application/json', 'client-request-id': clientRequestId },
				body: { osVersion: 'windows11' },
			},
			{
				id: '2',
				method: 'POST',
				url: reprovisionUrl(provisioning.id),
				headers: JSON_TYPE,
				body: {},
			},
			{ id: '3', method: 'GET', url: `/deviceManagement/virtualEndpoint/cloudPCs/${UNKNOWN_PC}` },
			{
				id: '4',
				method: 'GET',
				url: `/deviceManagement/virtualEndpoint/cloudPCs/${failed.id}?$select=displayName`,
			},
			{
				id: '5',
				method: 'POST',
				url: reprovisionUrl(failed.id),
				headers: JSON_TYPE,
				body: {},
				dependsOn: ['2'],
			},
			{
				id: '6',
				method: 'GET',
				url: `/deviceManagement/virtualEndpoint/cloudPCs/${failed.id}/retrieveCloudPcRemoteActionResults`,
			},
			{
				id: '7',
				method: 'POST',
				url: reprovisionUrl(fleet[0].id),
				headers: JSON_TYPE,
				body: { osVersion: 'windows95' },
			},
		]);
		const answers = await answersById(res);

		expect(Object.values(answers).map(({ id, status }) => [id, status])).toEqual([
			['1', 204],
			['2', 400],
			['3', 404],
			['4', 200],
			['5', 424],
			['6', 400],
			['7', 400],
		]);
		expect(answers['1'].body).toBeUndefined();
		expect(answers['1'].headers['client-request-id']).toBe(clientRequestId);
		expect(answers['4'].body).toMatchObject({ id: failed.id, displayName: failed.displayName });
		expect(answers['5'].body?.error?.code).toBe('FailedDependency');
		const requestIds = Object.values(answers).map((inner) => inner.headers['request-id']);
		expect(new Set(requestIds).size).toBe(7);
		for (const inner of Object.values(answers)) {
			expect(inner.headers['request-id']).toMatch(GUID);
			if (inner.body) expect(inner.headers['Content-Type']).toMatch(/^application\/json/);
			if (inner.body?.error) {
				expect(inner.body.error.innerError).toMatchObject({
					'request-id': inner.headers['request-id'],
					'client-request-id': inner.headers['client-request-id'],
				});
			}
		}

		// Side effects: only request 1 ran a reprovision; 5 waited on a failure, 7 was refused.
		expect(server.reprovisionCount(provisioned.id)).toBe(1);
		expect(server.cloudPc(provisioned.id)?.lastReprovision?.osVersion).toBe('windows11');
		expect(server.reprovisionCount(failed.id)).toBe(0);
		expect(server.reprovisionCount(fleet[0].id)).toBe(0);

		const [envelope, ...inner] = server.requests;
		expect(envelope).toMatchObject({ method: 'POST', path: '/v1.0/$batch', status: 200 });
		expect(envelope.batchRequestId).toBeUndefined();
		expect(envelope.requestId).toBe(res.headers.get('request-id'));
		expect(inner.map((entry) => entry.requestId)).toEqual(requestIds);
		expect(inner.every((entry) => entry.batchRequestId === envelope.requestId)).toBe(true);
		expect(inner[0]).toMatchObject({
			method: 'POST',
			path: `/v1.0${reprovisionUrl(provisioned.id)}`,
			status: 204,
			body: { osVersion: 'windows11' },
			headers: {
				authorization: `Bearer ${ADMIN}`,
				'user-agent': 'graph-server-test/1.0',
				'content-type': 'application/json',
				'client-request-id': clientRequestId,
			},
		});
		expect(inner[3].query).toEqual({ $select: 'displayName' });
	});

	test('the envelope is checked like any Graph call, at %24batch too', async () => {
		const server = await start();
		const one = reprovisions([provisioned.id]);
		const encoded = await send(server, '/v1.0/%24batch', {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ requests: one }),
		});
		expect((await answersById(encoded))['1'].status).toBe(204);
		expect(server.requests[0].path).toBe('/v1.0/%24batch');
		server.reset();

		const noToken = await send(
			server,
			'/v1.0/$batch',
			{
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ requests: one }),
			},
			'',
		);
		expect(noToken.status).toBe(401);
		expect((await noToken.json()).error.code).toBe('InvalidAuthenticationToken');
		const noAgent = await postBatch(server, one, { headers: { 'User-Agent': '' } });
		expect(noAgent.status).toBe(400);
		const notJson = await postBatch(server, one, { headers: { 'Content-Type': 'text/plain' } });
		expect(notJson.status).toBe(415);
		expect((await send(server, '/v1.0/$batch')).status).toBe(405);
		expect(server.requests).toHaveLength(4);
		expect(server.reprovisionCount(provisioned.id)).toBe(0);
	});

	test.each([
		[
			'a write without a body',
			{ id: '2', method: 'POST', url: reprovisionUrl(fleet[1].id) },
			'Write request id : 2 does not contain Content-Type header or body.',
		],
		[
			'a write with a body but no Content-Type',
			{ id: '2', method: 'POST', url: reprovisionUrl(fleet[1].id), body: {} },
			'Write request id : 2 does not contain Content-Type header or body.',
		],
		[
			'an absolute url',
			{
				id: '2',
				method: 'GET',
				url: `https://graph.microsoft.com/v1.0${reprovisionUrl(fleet[1].id)}`,
			},
			"a batch request's url is relative to the version",
		],
		[
			'a dependsOn naming no request of the batch',
			{ ...reprovisions([fleet[1].id])[0], id: '2', dependsOn: ['9'] },
			"depends on request '9', which is not in the batch",
		],
	])('%s fails the whole batch with 400 and nothing in it runs', async (_, bad, message) => {
		const server = await start();
		const res = await postBatch(server, [reprovisions([fleet[0].id])[0], bad]);

		expect(res.status).toBe(400);
		expect((await res.json()).error).toMatchObject({
			code: 'BadRequest',
			message: expect.stringContaining(message),
		});
		expect(server.stats().graphOperations).toBe(0);
		expect(server.reprovisionCount(fleet[0].id)).toBe(0);
	});

	test('more than 20 requests, or a duplicate id, fail the whole batch and nothing runs', async () => {
		const server = await start();
		const tooMany = await postBatch(
			server,
			reprovisions([...fleet, provisioned].map((pc) => pc.id)),
		);
		expect(tooMany.status).toBe(400);
		expect((await tooMany.json()).error).toMatchObject({
			code: 'BadRequest',
			message: expect.stringContaining('exceeds the maximum of 20 requests'),
		});

		const twice = reprovisions([fleet[0].id, fleet[1].id]).map((step) => ({ ...step, id: '1' }));
		expect((await postBatch(server, twice)).status).toBe(400);
		expect(server.requests.map((entry) => entry.status)).toEqual([400, 400]);
		expect(server.stats().graphOperations).toBe(0);
		for (const pc of fleet) expect(server.reprovisionCount(pc.id)).toBe(0);
	});

	test('shuffleBatchResponses answers in a random order', async () => {
		const server = await start({ shuffleBatchResponses: true, random: seeded(7) });
		const ids = fleet.map((pc) => pc.id);
		const res = await postBatch(server, reprovisions(ids));
		const { responses } = (await res.json()) as { responses: InnerResponse[] };
		const order = responses.map((inner) => inner.id);

		expect(order).not.toEqual(ids.map((_, index) => String(index + 1)));
		expect([...order].sort((a, b) => Number(a) - Number(b))).toEqual(
			ids.map((_, index) => String(index + 1)),
		);
		expect(responses.every((inner) => inner.status === 204)).toBe(true);
	});
});

describe('throttling', () => {
	test('inner requests over the limit answer 429 with Retry-After and do not run', async () => {
		const server = await start({ throttle: { limit: 3, windowMs: 60_000 } });
		const ids = fleet.slice(0, 5).map((pc) => pc.id);
		const answers = await answersById(await postBatch(server, reprovisions(ids)));

		expect(Object.values(answers).map((inner) => inner.status)).toEqual([204, 204, 204, 429, 429]);
		const throttled = answers['4'];
		expect(throttled.body?.error?.code).toBe('TooManyRequests');
		expect(Number(throttled.headers['Retry-After'])).toBeGreaterThanOrEqual(59);
		expect(Number(throttled.headers['Retry-After'])).toBeLessThanOrEqual(60);
		expect(ids.map((id) => server.reprovisionCount(id))).toEqual([1, 1, 1, 0, 0]);
		expect(server.cloudPc(ids[3])?.status).toBe('provisioned');

		// A direct request counts against the same app; another app has its own window.
		const direct = await send(server, `/v1.0${reprovisionUrl(ids[3])}`, { method: 'POST' });
		expect(direct.status).toBe(429);
		expect(direct.headers.get('retry-after')).toMatch(/^\d+$/);
		const other = await send(
			server,
			`/v1.0${reprovisionUrl(ids[3])}`,
			{ method: 'POST' },
			OTHER_APP,
		);
		expect(other.status).toBe(204);
		expect(server.stats()).toMatchObject({
			httpRequests: 3,
			graphOperations: 7,
			reprovisionAttempts: 7,
			throttled: 3,
		});
	});

	test('perTenant: one window for every app, as Windows 365 budgets a tenant', async () => {
		const server = await start({ throttle: { limit: 2, windowMs: 60_000, perTenant: true } });
		const ids = fleet.slice(0, 3).map((pc) => pc.id);
		const post = (id: string, token?: string) =>
			send(server, `/v1.0${reprovisionUrl(id)}`, { method: 'POST' }, token);
		expect((await post(ids[0])).status).toBe(204);
		expect((await post(ids[1], OTHER_APP)).status).toBe(204);
		expect((await post(ids[2], OTHER_APP)).status).toBe(429);
		expect((await post(ids[2])).status).toBe(429);
		expect(server.reprovisionCount(ids[2])).toBe(0);
	});

	test('the window slides, and a refused request takes no slot', async () => {
		const server = await start({ throttle: { limit: 1, windowMs: 300 } });
		const list = () => send(server, '/v1.0/deviceManagement/virtualEndpoint/cloudPCs');
		expect((await list()).status).toBe(200);
		const refused = await list();
		expect(refused.status).toBe(429);
		expect(refused.headers.get('retry-after')).toBe('1');
		await new Promise((resolve) => setTimeout(resolve, 350));
		expect((await list()).status).toBe(200);
	});
});

describe('faults', () => {
	test('faultRate answers 503 with no side effect, drawn per inner request', async () => {
		// Requests 2 and 4 draw below the rate.
		const server = await start({
			faultRate: 0.25,
			faultRetryAfterSeconds: 2,
			random: sequence([0.9, 0.1, 0.5, 0.2]),
		});
		const ids = fleet.slice(0, 4).map((pc) => pc.id);
		const answers = await answersById(await postBatch(server, reprovisions(ids)));

		expect(Object.values(answers).map((inner) => inner.status)).toEqual([204, 503, 204, 503]);
		expect(answers['2'].body?.error?.code).toBe('ServiceUnavailable');
		expect(answers['2'].headers['Retry-After']).toBe('2');
		expect(ids.map((id) => server.reprovisionCount(id))).toEqual([1, 0, 1, 0]);
		expect(server.stats()).toMatchObject({ faulted: 2, reprovisionAttempts: 4 });
	});

	test('failNext reaches inner requests; afterEffect runs the reprovision, then fails', async () => {
		const server = await start();
		const [ran, sibling] = fleet.map((pc) => pc.id);
		server.failNext(
			{ method: 'POST', pathIncludes: `${ran}/reprovision` },
			{ status: 504, afterEffect: true },
		);
		const answers = await answersById(await postBatch(server, reprovisions([ran, sibling])));

		expect(answers['1'].status).toBe(504);
		expect(answers['1'].body?.error?.code).toBe('GatewayTimeout');
		expect(answers['2'].status).toBe(204);
		expect(server.reprovisionCount(ran)).toBe(1);
		expect(server.reprovisionCount(sibling)).toBe(1);

		// Direct requests too; without afterEffect nothing runs.
		server.failNext({ pathIncludes: '/reprovision' }, { status: 503 });
		const direct = await send(server, `/v1.0${reprovisionUrl(fleet[2].id)}`, { method: 'POST' });
		expect(direct.status).toBe(503);
		expect(server.reprovisionCount(fleet[2].id)).toBe(0);
	});

	test('delayMs answers late; hangMs never answers, and with afterEffect the work still ran', async () => {
		const server = await start();
		server.failNext({ pathIncludes: '$batch' }, { status: 503, delayMs: 300 });
		const started = Date.now();
		expect((await postBatch(server, reprovisions([fleet[0].id]))).status).toBe(503);
		expect(Date.now() - started).toBeGreaterThanOrEqual(290);
		expect(server.reprovisionCount(fleet[0].id)).toBe(0);

		server.failNext({ pathIncludes: '$batch' }, { status: 504, hangMs: 5000, afterEffect: true });
		const timedOut = postBatch(server, reprovisions([fleet[1].id]), {
			signal: AbortSignal.timeout(200),
		});
		await expect(timedOut).rejects.toThrow();
		expect(server.reprovisionCount(fleet[1].id)).toBe(1);

		// Once hangMs is over, the connection closes without an answer.
		server.failNext({ method: 'POST', pathIncludes: fleet[2].id }, { status: 504, hangMs: 100 });
		await expect(postBatch(server, reprovisions([fleet[2].id, fleet[3].id]))).rejects.toThrow();
		expect(server.requests.slice(-3).map((entry) => entry.status)).toEqual([0, 0, 204]);
	});
	test('batchAnswer leaves an answer out or names it twice; with afterEffect the work ran', async () => {
		const server = await start();
		const [left, twice, plain] = fleet.map((pc) => pc.id);
		server.failNext(
			{ pathIncludes: `${left}/reprovision` },
			{ status: 500, afterEffect: true, batchAnswer: 'omitted' },
		);
		server.failNext(
			{ pathIncludes: `${twice}/reprovision` },
			{ status: 500, afterEffect: true, batchAnswer: 'repeated' },
		);
		const res = await postBatch(server, reprovisions([left, twice, plain]));
		const { responses } = (await res.json()) as { responses: InnerResponse[] };

		expect(responses.map((inner) => [inner.id, inner.status]).sort()).toEqual([
			['2', 500],
			['2', 500],
			['3', 204],
		]);
		for (const id of [left, twice, plain]) expect(server.reprovisionCount(id)).toBe(1);
	});

	test('statusLagMs: status reads as before for a while, and a second reprovision then gets through', async () => {
		const server = await start({ statusLagMs: 300 });
		const id = fleet[0].id;
		const get = async () =>
			(await (
				await send(server, `/beta/deviceManagement/virtualEndpoint/cloudPCs/${id}`)
			).json()) as { status: string };

		expect((await answersById(await postBatch(server, reprovisions([id]))))['1'].status).toBe(204);
		expect((await get()).status).toBe('provisioned');
		expect(server.remoteActions(id).map((a) => [a.actionName, a.actionState])).toEqual([
			['Reprovision', 'active'],
		]);
		// the worst case a client must survive: Graph accepts the same reprovision again
		expect((await answersById(await postBatch(server, reprovisions([id]))))['1'].status).toBe(204);
		expect(server.reprovisionCount(id)).toBe(2);

		await new Promise((resolve) => setTimeout(resolve, 350));
		expect((await get()).status).toBe('provisioning');
		expect((await answersById(await postBatch(server, reprovisions([id]))))['1'].status).toBe(400);
	});

	test('setStatusLag: the lag from then on, until reset() restores the started one', async () => {
		const server = await start();
		const [a, b] = [fleet[0].id, fleet[1].id];
		server.setStatusLag(60_000);
		await postBatch(server, reprovisions([a]));
		expect((await answersById(await postBatch(server, reprovisions([a]))))['1'].status).toBe(204);
		expect(server.reprovisionCount(a)).toBe(2);
		server.reset();
		await postBatch(server, reprovisions([b]));
		expect((await answersById(await postBatch(server, reprovisions([b]))))['1'].status).toBe(400);
		expect(() => server.setStatusLag(-1)).toThrow(/statusLagMs/);
	});
});

describe('latency and large fleets', () => {
	test('latencyMs delays each Graph answer once, a whole batch included, not the token endpoint', async () => {
		const server = await start({ latencyMs: 300 });
		const timed = async (call: () => Promise<Response>) => {
			const started = Date.now();
			const { status } = await call();
			return { status, ms: Date.now() - started };
		};
		const direct = await timed(() =>
			send(server, `/v1.0${reprovisionUrl(fleet[0].id)}`, { method: 'POST' }),
		);
		expect(direct).toMatchObject({ status: 204, ms: expect.any(Number) });
		expect(direct.ms).toBeGreaterThanOrEqual(290);
		const ids = fleet.slice(1, 11).map((pc) => pc.id);
		const batch = await timed(() => postBatch(server, reprovisions(ids)));
		expect(batch.status).toBe(200);
		expect(batch.ms).toBeGreaterThanOrEqual(290);
		expect(batch.ms).toBeLessThan(2 * 300);
		const token = await timed(() =>
			fetch(`${server.url}/common/oauth2/v2.0/token`, { method: 'POST' }),
		);
		expect(token).toMatchObject({ status: 400 });
		expect(token.ms).toBeLessThan(290);
	});

	test('10,000 Cloud PCs reprovisioned through 500 batches, counters only', async () => {
		expect(manyCloudPcs(3)).toEqual(manyCloudPcs(3));
		const many = manyCloudPcs(10_000);
		expect(new Set(many.map((pc) => pc.id)).size).toBe(10_000);
		expect(many.every((pc) => GUID.test(pc.id) && GUID.test(pc.userId))).toBe(true);

		const server = await start({ cloudPcs: many, logRequests: false });
		const started = Date.now();
		for (let first = 0; first < many.length; first += 20 * 10) {
			// Ten batches of 20 at a time, as a client with batches in flight would send them.
			const slices = Array.from({ length: 10 }, (_, n) =>
				many.slice(first + n * 20, first + (n + 1) * 20),
			);
			const answers = await Promise.all(
				slices.map(
					async (slice) =>
						await answersById(await postBatch(server, reprovisions(slice.map((pc) => pc.id)))),
				),
			);
			expect(
				answers.flatMap((byId) => Object.values(byId)).every((inner) => inner.status === 204),
			).toBe(true);
		}
		const last = many[many.length - 1];
		const owner = await send(server, `/v1.0/users/${last.userPrincipalName}/cloudPCs`);
		expect((await owner.json()).value.map((pc: { id: string }) => pc.id)).toEqual([last.id]);

		expect(Date.now() - started).toBeLessThan(10_000);
		expect(server.requests).toEqual([]);
		expect(server.stats()).toMatchObject({
			httpRequests: 501,
			graphOperations: 10_001,
			reprovisionAttempts: 10_000,
		});
		expect(server.lostAndDuplicated(many.map((pc) => pc.id))).toEqual({ lost: 0, duplicated: 0 });
	});
});

/** A small deterministic PRNG (mulberry32), so a shuffle is the same on every run. */
function seeded(seed: number): () => number {
	let state = seed;
	return () => {
		state = (state + 0x6d2b79f5) | 0;
		let t = Math.imul(state ^ (state >>> 15), 1 | state);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** The given draws, in order, then again from the start. */
function sequence(draws: number[]): () => number {
	let next = 0;
	return () => draws[next++ % draws.length];
}
