import { ADELE, PC } from '../../fixtures';
import { ALL_IDS, parameters, useOperationsServer } from '../../harness/graph-per-file';

const { graph, run, operations } = useOperationsServer();

describe('Get', () => {
	test.each([
		[
			'organization',
			'v1.0',
			{},
			`/beta/deviceManagement/virtualEndpoint/cloudPCs/${PC.adeleFailed}`,
		],
		['me', 'v1.0', {}, `/beta/me/cloudPCs/${PC.adeleFailed}`],
		[
			'user',
			'beta',
			{ user: ADELE.upn },
			`/beta/users/${encodeURIComponent(ADELE.upn)}/cloudPCs/${PC.adeleFailed}`,
		],
	])(
		'%s scope, API Version %s: one batched read through beta, with the status',
		async (scope, apiVersion, extra, path) => {
			// v1.0's cloudPC has no status (see test/graph-server/odata.ts): a read of all fields
			// goes through beta, one request, whatever the API Version says
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
			expect(output[0].json).toEqual({
				cloudPcId: PC.adeleFailed,
				cloudPcName: 'CPC-adele-02',
				managedDeviceName: null,
				userPrincipalName: ADELE.upn,
				status: 'failed',
				statusDetail: 'Provisioning failed. Reprovision the Cloud PC to try again.',
				statusDetailCode: 'internalServerError',
				servicePlanName: null,
				imageDisplayName: null,
				provisioningPolicyId: null,
				lastModifiedDateTime: null,
				scope,
				user: scope === 'user' ? ADELE.upn : null,
				apiVersion: 'beta',
				requestId: call.requestId,
			});
		},
	);

	test('Fields without status read through v1.0: same keys, status null', async () => {
		const item = { cloudPcId: PC.adeleFailed };
		const all = await run({ parameters: parameters('get'), items: [item] });
		graph.reset();
		const { output } = await run({
			parameters: parameters('get', { options: { fields: ['displayName', 'servicePlanName'] } }),
			items: [item],
		});

		const [call] = operations();
		expect(call.path).toBe(`/v1.0/deviceManagement/virtualEndpoint/cloudPCs/${PC.adeleFailed}`);
		expect(call.query).toEqual({ $select: 'id,displayName,servicePlanName' });
		expect(Object.keys(output[0].json)).toEqual(Object.keys(all.output[0].json));
		expect(output[0].json).toMatchObject({
			cloudPcId: PC.adeleFailed,
			cloudPcName: 'CPC-adele-02',
			status: null,
			statusDetail: null,
			apiVersion: 'v1.0',
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
