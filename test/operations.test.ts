import type { INodeParameters } from 'n8n-workflow';

import { manyCloudPcs, type GraphServer } from './graph-server';
import {
	ACCESS_TOKEN,
	ADELE,
	ALEX,
	PC,
	SECRETS,
	cloudPcs,
	delegatedCredential,
	startFleetServer,
} from './fixtures';
import { runCloudPcNode, type RunOptions } from './harness/run-workflow';

/** 4 fixture Cloud PCs + 7 of a fleet = 11, two to a page: 6 pages for "Return All". */
const fleet = manyCloudPcs(7);
const ALL_IDS = [...cloudPcs, ...fleet].map((pc) => pc.id);
const UNKNOWN = '99999999-9999-4999-8999-999999999999';
const BULK_TYPE = '#microsoft.graph.cloudPcBulkReprovision';

let graph: GraphServer;

beforeAll(async () => {
	graph = await startFleetServer(fleet, {
		pageSize: 2,
	});
});
afterAll(async () => await graph.close());
beforeEach(() => graph.reset());

const parameters = (operation: string, overrides: INodeParameters = {}): INodeParameters => ({
	authentication: 'oAuth2',
	resource: 'cloudPc',
	operation,
	...(operation === 'getMany'
		? {}
		: { cloudPcId: { __rl: true, mode: 'id', value: '={{ $json.cloudPcId }}' } }),
	...overrides,
});

const run = async (options: Partial<RunOptions> & Pick<RunOptions, 'parameters'>) =>
	await runCloudPcNode({ credentials: delegatedCredential(graph.url), ...options });

/** Graph operations: direct requests and the inner requests of batches, not envelopes. */
const operations = () => graph.requests.filter((r) => !r.path.endsWith('$batch'));
const listCalls = () => operations().filter((r) => r.path.endsWith('/cloudPCs'));

describe('Get', () => {
	test.each([
		[
			'organization',
			'v1.0',
			{},
			`/v1.0/deviceManagement/virtualEndpoint/cloudPCs/${PC.adeleFailed}`,
		],
		['me', 'v1.0', {}, `/v1.0/me/cloudPCs/${PC.adeleFailed}`],
		[
			'user',
			'beta',
			{ user: ADELE.upn },
			`/beta/users/${encodeURIComponent(ADELE.upn)}/cloudPCs/${PC.adeleFailed}`,
		],
	])('%s scope on %s reads one Cloud PC, in a batch', async (scope, apiVersion, extra, path) => {
		const { output, error } = await run({
			parameters: parameters('get', { scope, apiVersion, ...extra }),
			items: [{ cloudPcId: PC.adeleFailed }],
		});

		expect(error).toBeUndefined();
		const [call] = operations();
		expect(operations()).toHaveLength(1);
		expect(call).toMatchObject({ method: 'GET', path, status: 200 });
		expect(call.batchRequestId).toBeDefined();
		expect(output).toHaveLength(1);
		expect(output[0].pairedItem).toEqual({ item: 0 });
		const beta = apiVersion === 'beta';
		expect(output[0].json).toEqual({
			cloudPcId: PC.adeleFailed,
			cloudPcName: 'CPC-adele-02',
			managedDeviceName: null,
			userPrincipalName: ADELE.upn,
			status: beta ? 'failed' : null,
			statusDetail: beta ? 'Provisioning failed. Reprovision the Cloud PC to try again.' : null,
			statusDetailCode: beta ? 'internalServerError' : null,
			servicePlanName: null,
			imageDisplayName: null,
			provisioningPolicyId: null,
			lastModifiedDateTime: null,
			scope,
			user: scope === 'user' ? ADELE.upn : null,
			apiVersion,
			requestId: call.requestId,
		});
	});

	test('Fields become $select; a status field reads through beta; unknown statuses pass through', async () => {
		graph.setStatus(PC.adeleProvisioned, 'hibernatingForTheWinter');
		const { output } = await run({
			parameters: parameters('get', {
				scope: 'organization',
				apiVersion: 'v1.0',
				options: { fields: ['displayName', 'status'] },
			}),
			items: [{ cloudPcId: PC.adeleProvisioned }],
		});

		const [call] = operations();
		expect(call.path).toBe(
			`/beta/deviceManagement/virtualEndpoint/cloudPCs/${PC.adeleProvisioned}`,
		);
		expect(call.query).toEqual({ $select: 'id,displayName,status' });
		expect(output[0].json).toMatchObject({
			cloudPcId: PC.adeleProvisioned,
			cloudPcName: 'CPC-adele-01',
			status: 'hibernatingForTheWinter',
			userPrincipalName: null,
			apiVersion: 'beta',
		});
	});

	test('many items share batches of 20, each output paired with its input', async () => {
		const ids = ALL_IDS.slice(0, 11);
		const { output } = await run({
			parameters: parameters('get', { scope: 'organization' }),
			items: ids.map((cloudPcId) => ({ cloudPcId })),
		});

		expect(graph.requests.filter((r) => r.path.endsWith('$batch'))).toHaveLength(1);
		expect(output.map((item) => item.json.cloudPcId)).toEqual(ids);
		expect(output.map((item) => item.pairedItem)).toEqual(ids.map((_, item) => ({ item })));
	});

	test('Continue On Fail: a 404 and a malformed ID fail their own items only', async () => {
		const { output, error } = await run({
			parameters: parameters('get', { scope: 'user', user: ADELE.upn }),
			items: [
				{ cloudPcId: PC.adeleProvisioned },
				{ cloudPcId: PC.alexProvisioned },
				{ cloudPcId: 'x' },
			],
			continueOnFail: true,
		});

		expect(error).toBeUndefined();
		expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2].map((item) => ({ item })));
		expect(output[0].json.cloudPcName).toBe('CPC-adele-01');
		const notFound = operations().find((r) => r.path.endsWith(PC.alexProvisioned))!;
		expect(output[1].json).toMatchObject({
			cloudPcId: PC.alexProvisioned,
			statusCode: 404,
			errorCode: 'ResourceNotFound',
			requestId: notFound.requestId,
			hint: expect.stringContaining('belongs to that user'),
		});
		expect(output[2].json.error).toContain('Item 2: "Cloud PC" must be a Cloud PC ID');
		expect(operations()).toHaveLength(2);
	});

	test('without Continue On Fail a bad item anywhere sends nothing', async () => {
		const { error } = await run({
			parameters: parameters('get', { scope: 'organization' }),
			items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: '' }],
		});

		expect(error?.message).toContain('Item 1: "Cloud PC" is empty');
		expect(graph.requests).toEqual([]);
	});
});

describe('Get Many', () => {
	test('Return All follows @odata.nextLink verbatim across every page', async () => {
		const { output, error } = await run({
			parameters: parameters('getMany', { scope: 'organization', returnAll: true }),
		});

		expect(error).toBeUndefined();
		const calls = listCalls();
		expect(calls).toHaveLength(6);
		expect(calls[0].query).toEqual({});
		for (const call of calls.slice(1)) {
			expect(Object.keys(call.query)).toEqual(['$skiptoken']);
			expect(call.path).toBe('/v1.0/deviceManagement/virtualEndpoint/cloudPCs');
		}
		expect(calls.every((call) => call.batchRequestId === undefined)).toBe(true);
		expect(output.map((item) => item.json.cloudPcId)).toEqual(ALL_IDS);
		expect(output.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		expect(output[0].json).toMatchObject({
			cloudPcName: 'CPC-adele-01',
			managedDeviceName: 'CPC-adele-01',
			status: null,
			scope: 'organization',
			apiVersion: 'v1.0',
			requestId: calls[0].requestId,
		});
	});

	test('Limit sends $top and stops paging once it has enough', async () => {
		const small = await run({
			parameters: parameters('getMany', { scope: 'organization', limit: 1 }),
		});
		expect(listCalls()).toHaveLength(1);
		expect(listCalls()[0].query).toEqual({ $top: '1' });
		expect(small.output.map((item) => item.json.cloudPcId)).toEqual(ALL_IDS.slice(0, 1));

		graph.reset();
		const three = await run({
			parameters: parameters('getMany', { scope: 'organization', limit: 3 }),
		});
		// the server's page size (2) is smaller than $top=3: a second page fills the limit
		expect(listCalls().map((call) => call.query.$top ?? 'next')).toEqual(['3', 'next']);
		expect(three.output.map((item) => item.json.cloudPcId)).toEqual(ALL_IDS.slice(0, 3));

		graph.reset();
		await run({ parameters: parameters('getMany', { scope: 'organization', limit: 5000 }) });
		expect(listCalls()[0].query).toEqual({ $top: '999' });
	});

	test.each([
		[
			'user principal name, quotes doubled',
			{ userPrincipalName: ALEX.upn },
			"userPrincipalName eq 'alex.o''neil#it@contoso.com'",
			'v1.0',
			[PC.alexProvisioned, PC.alexProvisioning],
		],
		[
			'status, read through beta',
			{ status: 'failed' },
			"status eq 'failed'",
			'beta',
			[PC.adeleFailed],
		],
		[
			'display name prefix',
			{ displayNamePrefix: 'CPC-fleet-0000' },
			"startswith(displayName,'CPC-fleet-0000')",
			'v1.0',
			fleet.slice(0, 7).map((pc) => pc.id),
		],
		[
			'all three together',
			{ userPrincipalName: ADELE.upn, status: 'provisioned', displayNamePrefix: 'cpc-' },
			`userPrincipalName eq '${ADELE.upn}' and status eq 'provisioned' and startswith(displayName,'cpc-')`,
			'beta',
			[PC.adeleProvisioned],
		],
	])('filter by %s', async (_name, filters, $filter, version, ids) => {
		const { output, error } = await run({
			parameters: parameters('getMany', {
				scope: 'organization',
				apiVersion: 'v1.0',
				returnAll: true,
				filters,
			}),
		});

		expect(error).toBeUndefined();
		const [first] = listCalls();
		expect(first.query).toEqual({ $filter });
		expect(first.path).toBe(`/${version}/deviceManagement/virtualEndpoint/cloudPCs`);
		expect(output.map((item) => item.json.cloudPcId)).toEqual(ids);
		expect(output.every((item) => item.json.apiVersion === version)).toBe(true);
		if (version === 'beta') expect(output.every((item) => item.json.status !== null)).toBe(true);
	});

	test('Fields become $select and the output keeps its shape', async () => {
		const { output } = await run({
			parameters: parameters('getMany', {
				scope: 'organization',
				limit: 2,
				options: { fields: ['displayName', 'userPrincipalName'] },
			}),
		});

		expect(listCalls()[0].query).toEqual({
			$select: 'id,displayName,userPrincipalName',
			$top: '2',
		});
		expect(output[0].json).toMatchObject({
			cloudPcId: PC.adeleProvisioned,
			cloudPcName: 'CPC-adele-01',
			userPrincipalName: ADELE.upn,
			managedDeviceName: null,
			lastModifiedDateTime: null,
		});
	});

	test('signed-in user and specific user scopes list their own Cloud PCs', async () => {
		const me = await run({ parameters: parameters('getMany', { scope: 'me', returnAll: true }) });
		expect(listCalls().map((call) => call.path)).toEqual(['/v1.0/me/cloudPCs']);
		expect(me.output.map((item) => item.json.cloudPcId)).toEqual([
			PC.adeleProvisioned,
			PC.adeleFailed,
		]);

		graph.reset();
		const user = await run({
			parameters: parameters('getMany', { scope: 'user', user: ALEX.upn, limit: 1 }),
		});
		// Graph documents no $top on the user lists: the limit is applied here
		expect(listCalls()).toHaveLength(1);
		expect(listCalls()[0]).toMatchObject({
			path: `/v1.0/users/${encodeURIComponent(ALEX.upn)}/cloudPCs`,
			query: {},
		});
		expect(user.output.map((item) => item.json)).toEqual([
			expect.objectContaining({ cloudPcId: PC.alexProvisioned, scope: 'user', user: ALEX.upn }),
		]);
	});

	test('runs once per input item; each Cloud PC found is paired with the item that asked', async () => {
		const { output } = await run({
			parameters: parameters('getMany', {
				scope: 'user',
				user: '={{ $json.upn }}',
				returnAll: true,
			}),
			items: [{ upn: ALEX.upn }, { upn: 'nobody.with.pcs@contoso.com' }, { upn: ADELE.upn }],
			continueOnFail: true,
		});

		expect(output.map((item) => [item.json.cloudPcId ?? null, item.pairedItem])).toEqual([
			[PC.alexProvisioned, { item: 0 }],
			[PC.alexProvisioning, { item: 0 }],
			[null, { item: 1 }],
			[PC.adeleProvisioned, { item: 2 }],
			[PC.adeleFailed, { item: 2 }],
		]);
		expect(output[2].json).toMatchObject({
			statusCode: 404,
			errorCode: 'Request_ResourceNotFound',
			user: 'nobody.with.pcs@contoso.com',
		});
		expect(output[2].json.errorMessage).toContain("'nobody.with.pcs@contoso.com' does not exist");
	});

	test('filters on a user scope chosen by expression fail the item, naming the field', async () => {
		const { error } = await run({
			parameters: parameters('getMany', {
				scope: '={{ $json.scope }}',
				user: ADELE.upn,
				filters: { status: 'failed' },
			}),
			items: [{ scope: 'me' }],
		});

		expect(error?.message).toContain(
			'Item 0: "Filters" can only be used on the Organization (Admin) scope',
		);
		expect(graph.requests).toEqual([]);
	});

	test('a malformed UPN filter is refused before anything is sent', async () => {
		const { error } = await run({
			parameters: parameters('getMany', { filters: { userPrincipalName: 'adele vance' } }),
		});

		expect(error?.message).toContain(
			'Item 0: "Filters › User Principal Name" must be a user principal name',
		);
		expect(graph.requests).toEqual([]);
	});

	test('a throttled page waits its Retry-After and is asked again', async () => {
		graph.failNext(
			{ method: 'GET', pathIncludes: '/cloudPCs' },
			{ status: 429, code: 'TooManyRequests', headers: { 'Retry-After': '1' } },
		);
		const { output } = await run({
			parameters: parameters('getMany', { scope: 'organization', limit: 2 }),
		});

		expect(listCalls().map((call) => call.status)).toEqual([429, 200]);
		expect(listCalls()[1].at - listCalls()[0].at).toBeGreaterThanOrEqual(1000);
		expect(output).toHaveLength(2);
	});
});

describe('Get Reprovision Status', () => {
	const statusPath = (id: string) =>
		`/beta/deviceManagement/virtualEndpoint/cloudPCs/${id}/retrieveCloudPcRemoteActionResults`;

	test('the latest Reprovision action, by start time, whatever else ran', async () => {
		graph.addRemoteAction(PC.adeleProvisioned, {
			actionName: 'Reprovision',
			actionState: 'done',
			startDateTime: '2024-05-01T08:00:00Z',
			lastUpdatedDateTime: '2024-05-01T09:10:00Z',
		});
		graph.addRemoteAction(PC.adeleProvisioned, {
			actionName: 'reprovision',
			actionState: 'failed',
			startDateTime: '2024-06-01T08:00:00Z',
			lastUpdatedDateTime: '2024-06-01T08:40:00Z',
			statusDetail: {
				code: 'osDiskError',
				message: 'The OS disk could not be created.',
				additionalInformation: [],
			},
		});
		graph.addRemoteAction(PC.adeleProvisioned, {
			actionName: 'Restart',
			actionState: 'active',
			startDateTime: '2024-07-01T08:00:00Z',
		});
		const { output, error } = await run({
			parameters: parameters('getReprovisionStatus', { apiVersion: 'v1.0' }),
			items: [{ cloudPcId: PC.adeleProvisioned }],
		});

		expect(error).toBeUndefined();
		const [call] = operations();
		expect(call).toMatchObject({
			method: 'GET',
			path: statusPath(PC.adeleProvisioned),
			status: 200,
		});
		expect(call.batchRequestId).toBeDefined();
		expect(output[0].json).toEqual({
			cloudPcId: PC.adeleProvisioned,
			apiVersion: 'beta',
			actionName: 'reprovision',
			actionState: 'failed',
			actionStartDateTime: '2024-06-01T08:00:00Z',
			actionLastUpdatedDateTime: '2024-06-01T08:40:00Z',
			actionStatusDetail: 'The OS disk could not be created.',
			actionStatusDetailCode: 'osDiskError',
			outcome: 'failed',
			reason: 'The reprovision action ended as failed: The OS disk could not be created.',
			requestId: call.requestId,
		});
	});

	test('a reprovision just requested is active; none at all says so; new states pass through', async () => {
		await run({
			parameters: parameters('reprovision', { scope: 'organization' }),
			items: [{ cloudPcId: PC.adeleFailed }],
		});
		graph.addRemoteAction(PC.alexProvisioned, { actionName: 'Reprovision', actionState: 'paused' });
		graph.requests.length = 0;

		const { output } = await run({
			parameters: parameters('getReprovisionStatus'),
			items: [PC.adeleFailed, PC.adeleProvisioned, PC.alexProvisioned].map((cloudPcId) => ({
				cloudPcId,
			})),
		});

		expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2].map((item) => ({ item })));
		expect(output[0].json).toMatchObject({
			actionName: 'Reprovision',
			actionState: 'active',
			actionStartDateTime: expect.stringMatching(/^\d{4}-/),
			outcome: 'requested',
			reason: null,
		});
		expect(output[1].json).toMatchObject({
			actionName: null,
			actionState: null,
			outcome: null,
			reason: 'No reprovision action found for this Cloud PC',
		});
		expect(output[2].json).toMatchObject({ actionState: 'paused', outcome: 'requested' });
		expect(graph.requests.filter((r) => r.path.endsWith('$batch'))).toHaveLength(1);
	});

	test('Continue On Fail: an unknown Cloud PC fails its own item with the request id', async () => {
		const { output } = await run({
			parameters: parameters('getReprovisionStatus'),
			items: [{ cloudPcId: UNKNOWN }, { cloudPcId: PC.adeleFailed }],
			continueOnFail: true,
		});

		expect(output[0].json).toMatchObject({
			cloudPcId: UNKNOWN,
			statusCode: 404,
			apiVersion: 'beta',
		});
		expect(output[0].json.requestId).toBe(operations()[0].requestId);
		expect(output[1].json.reason).toBe('No reprovision action found for this Cloud PC');
	});
});

describe('Bulk Reprovision', () => {
	const bulkCalls = () => operations().filter((r) => r.path.endsWith('/bulkActions'));

	test('one bulk action for all input items; one output per input item', async () => {
		const { output, error } = await run({
			parameters: parameters('bulkReprovision', {
				apiVersion: 'v1.0',
				bulkOptions: { displayName: 'Ticket T-42' },
			}),
			items: [
				{ cloudPcId: PC.adeleFailed },
				{ cloudPcId: PC.alexProvisioned },
				{ cloudPcId: PC.adeleFailed.toUpperCase() },
			],
		});

		expect(error).toBeUndefined();
		const [call] = bulkCalls();
		expect(bulkCalls()).toHaveLength(1);
		expect(call).toMatchObject({
			method: 'POST',
			path: '/beta/deviceManagement/virtualEndpoint/bulkActions',
			status: 201,
		});
		expect(call.batchRequestId).toBeUndefined();
		expect(call.headers['content-type']).toMatch(/^application\/json/);
		expect(call.body).toEqual({
			'@odata.type': BULK_TYPE,
			displayName: expect.stringMatching(/^Ticket T-42 \d{4}-\d\d-\d\dT[\d:.]+Z$/),
			cloudPcIds: [PC.adeleFailed, PC.alexProvisioned],
		});
		const [created] = graph.bulkActions();
		expect(created).toMatchObject({
			displayName: (call.body as { displayName: string }).displayName,
			status: 'pending',
		});
		expect(graph.reprovisionCount(PC.adeleFailed)).toBe(1);
		expect(graph.reprovisionCount(PC.alexProvisioned)).toBe(1);

		expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2].map((item) => ({ item })));
		expect(output[0].json).toEqual({
			cloudPcId: PC.adeleFailed,
			outcome: 'requested',
			reason: null,
			apiVersion: 'beta',
			requestedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			bulkActionId: created.id,
			bulkActionDisplayName: created.displayName,
			bulkActionStatus: 'pending',
			bulkActionCreatedDateTime: created.createdDateTime,
			bulkActionCloudPcCount: 2,
			statusCode: 201,
			requestId: call.requestId,
			clientRequestId: call.headers['client-request-id'],
			note: null,
		});
		expect(output[1].json).toMatchObject({
			cloudPcId: PC.alexProvisioned,
			bulkActionId: created.id,
		});
		expect(output[2].json).toMatchObject({
			cloudPcId: PC.adeleFailed.toUpperCase(),
			bulkActionId: created.id,
			note: 'The same Cloud PC as item 0; it is in the bulk action once',
		});
	});

	test('without a name the bulk action is named after n8n and the time', async () => {
		const { output } = await run({
			parameters: parameters('bulkReprovision'),
			items: [{ cloudPcId: PC.adeleProvisioned }],
		});

		const name = (bulkCalls()[0].body as { displayName: string }).displayName;
		expect(name).toMatch(/^n8n reprovision \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
		expect(output[0].json.bulkActionDisplayName).toBe(name);
	});

	test('Continue On Fail: invalid items fail alone and stay out of the body', async () => {
		const { output } = await run({
			parameters: parameters('bulkReprovision'),
			items: [
				{ cloudPcId: PC.adeleProvisioned },
				{ cloudPcId: 'CPC-adele-01' },
				{ cloudPcId: PC.alexProvisioned },
			],
			continueOnFail: true,
		});

		expect((bulkCalls()[0].body as { cloudPcIds: string[] }).cloudPcIds).toEqual([
			PC.adeleProvisioned,
			PC.alexProvisioned,
		]);
		expect(output.map((item) => item.json.outcome)).toEqual(['requested', 'failed', 'requested']);
		expect(output[1].json).toMatchObject({
			reason: expect.stringContaining('Item 1: "Cloud PC" must be a Cloud PC ID'),
			requestedAt: null,
		});
		expect(output[1].pairedItem).toEqual({ item: 1 });
	});

	test('without Continue On Fail an invalid item sends nothing', async () => {
		const { error } = await run({
			parameters: parameters('bulkReprovision'),
			items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: '' }],
		});

		expect(error?.message).toContain('Item 1: "Cloud PC" is empty');
		expect(graph.requests).toEqual([]);
	});

	test("Graph's 400 for an unknown Cloud PC fails the items of that bulk action", async () => {
		const failed = await run({
			parameters: parameters('bulkReprovision'),
			items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: UNKNOWN }],
			continueOnFail: true,
		});
		expect(bulkCalls()[0].status).toBe(400);
		expect(graph.bulkActions()).toEqual([]);
		for (const item of failed.output) {
			expect(item.json).toMatchObject({
				outcome: 'failed',
				statusCode: 400,
				errorCode: 'BadRequest',
				bulkActionId: null,
				requestId: bulkCalls()[0].requestId,
			});
		}

		graph.reset();
		const stopped = await run({
			parameters: parameters('bulkReprovision'),
			items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: UNKNOWN }],
		});
		expect(stopped.error?.httpCode).toBe('400');
		expect(stopped.error?.description).toContain('No bulk action was created in this run.');
	});
});

test('no token or secret appears in any output or error', async () => {
	const runs = [
		await run({
			parameters: parameters('get', { scope: 'organization' }),
			items: [{ cloudPcId: PC.adeleFailed }, { cloudPcId: UNKNOWN }],
			continueOnFail: true,
		}),
		await run({ parameters: parameters('getMany', { scope: 'me', returnAll: true }) }),
		await run({
			parameters: parameters('getReprovisionStatus'),
			items: [{ cloudPcId: PC.adeleFailed }],
		}),
		await run({
			parameters: parameters('bulkReprovision'),
			items: [{ cloudPcId: UNKNOWN }],
		}),
	];

	const everything = JSON.stringify(runs.map(({ run: r, error }) => [r, error, { ...error }]));
	for (const secret of [...SECRETS, ACCESS_TOKEN]) expect(everything).not.toContain(secret);
	expect(runs[3].error?.httpCode).toBe('400');
});
