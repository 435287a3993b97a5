import { ADELE, ALEX, PC, cloudPcs } from '../../fixtures';
import { ALL_IDS, fleet, parameters, useOperationsServer } from '../../harness/graph-per-file';

const { graph, run, listCalls } = useOperationsServer();

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
			expect(call.path).toBe('/beta/deviceManagement/virtualEndpoint/cloudPCs');
		}
		expect(calls.every((call) => call.batchRequestId === undefined)).toBe(true);
		expect(output.map((item) => item.json.cloudPcId)).toEqual(ALL_IDS);
		expect(output.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		expect(output[0].json).toMatchObject({
			cloudPcName: 'CPC-adele-01',
			managedDeviceName: 'CPC-adele-01',
			status: 'provisioned',
			scope: 'organization',
			apiVersion: 'beta',
			requestId: calls[0].requestId,
		});
		// n8n's table shows the first columns: what an admin reads first
		expect(Object.keys(output[0].json).slice(0, 3)).toEqual([
			'cloudPcName',
			'userPrincipalName',
			'status',
		]);
	});

	test('default settings on v1.0: one beta request per page, a status for every Cloud PC', async () => {
		// v1.0's cloudPC has no status (see test/graph-server/odata.ts); a read that returns all
		// fields goes through beta instead of adding a second request for the status
		const { output, error } = await run({ parameters: parameters('getMany') });

		expect(error).toBeUndefined();
		// 11 Cloud PCs, two to a page
		expect(listCalls()).toHaveLength(Math.ceil(ALL_IDS.length / 2));
		expect(listCalls().every((call) => call.path.startsWith('/beta/'))).toBe(true);
		expect(listCalls()[0].query).toEqual({ $top: '50' });
		expect(output.map((item) => [item.json.cloudPcId, item.json.status])).toEqual(
			[...cloudPcs, ...fleet].map((pc) => [pc.id, pc.status ?? 'provisioned']),
		);
		expect(output[1].json).toMatchObject({
			cloudPcId: PC.adeleFailed,
			status: 'failed',
			statusDetail: 'Provisioning failed. Reprovision the Cloud PC to try again.',
			apiVersion: 'beta',
		});
	});

	test('Fields without status read through v1.0, with the same output keys and status null', async () => {
		const all = await run({ parameters: parameters('getMany', { limit: 1 }) });
		graph.reset();
		const { output } = await run({
			parameters: parameters('getMany', {
				limit: 1,
				options: { fields: ['displayName', 'userPrincipalName'] },
			}),
		});

		expect(listCalls()[0].path).toBe('/v1.0/deviceManagement/virtualEndpoint/cloudPCs');
		expect(Object.keys(output[0].json)).toEqual(Object.keys(all.output[0].json));
		expect(output[0].json).toMatchObject({ status: null, apiVersion: 'v1.0' });
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
			[PC.alexProvisioned, PC.alexProvisioning],
		],
		['status', { status: 'failed' }, "status eq 'failed'", [PC.adeleFailed]],
		[
			'display name prefix',
			{ displayNamePrefix: 'CPC-fleet-0000' },
			"startswith(displayName,'CPC-fleet-0000')",
			fleet.slice(0, 7).map((pc) => pc.id),
		],
		[
			'all three together',
			{ userPrincipalName: ADELE.upn, status: 'provisioned', displayNamePrefix: 'cpc-' },
			`userPrincipalName eq '${ADELE.upn}' and status eq 'provisioned' and startswith(displayName,'cpc-')`,
			[PC.adeleProvisioned],
		],
	])(
		'filter by %s (through beta, like every read with status)',
		async (_name, filters, $filter, ids) => {
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
			expect(first.path).toBe('/beta/deviceManagement/virtualEndpoint/cloudPCs');
			expect(output.map((item) => item.json.cloudPcId)).toEqual(ids);
			expect(output.every((item) => item.json.apiVersion === 'beta')).toBe(true);
			expect(output.every((item) => item.json.status !== null)).toBe(true);
		},
	);

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
		expect(listCalls().map((call) => call.path)).toEqual(['/beta/me/cloudPCs']);
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
			path: `/beta/users/${encodeURIComponent(ALEX.upn)}/cloudPCs`,
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
