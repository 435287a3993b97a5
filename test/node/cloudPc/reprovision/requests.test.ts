import {
	ACCESS_TOKEN,
	ADELE,
	ALEX,
	PC,
	READER_TOKEN,
	SECRETS,
	delegatedCredential,
	reprovisionParameters,
} from '../../../fixtures';
import { useReprovisionServer } from '../../../harness/graph-per-file';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const { graph, run, reprovisionCalls } = useReprovisionServer();

describe('reprovision routes', () => {
	test.each([
		[
			'organization',
			'v1.0',
			undefined,
			PC.adeleProvisioned,
			`/v1.0/deviceManagement/virtualEndpoint/cloudPCs/${PC.adeleProvisioned}/reprovision`,
		],
		[
			'organization',
			'beta',
			undefined,
			PC.adeleProvisioned,
			`/beta/deviceManagement/virtualEndpoint/cloudPCs/${PC.adeleProvisioned}/reprovision`,
		],
		['me', 'v1.0', undefined, PC.adeleFailed, `/v1.0/me/cloudPCs/${PC.adeleFailed}/reprovision`],
		['me', 'beta', undefined, PC.adeleFailed, `/beta/me/cloudPCs/${PC.adeleFailed}/reprovision`],
		[
			'user',
			'v1.0',
			ADELE.id,
			PC.adeleProvisioned,
			`/v1.0/users/${ADELE.id}/cloudPCs/${PC.adeleProvisioned}/reprovision`,
		],
		[
			'user',
			'beta',
			ADELE.upn,
			PC.adeleProvisioned,
			`/beta/users/adele.vance%40contoso.com/cloudPCs/${PC.adeleProvisioned}/reprovision`,
		],
	])('%s scope on %s posts to the right path', async (scope, apiVersion, user, cloudPcId, path) => {
		const { output, error } = await run({
			parameters: reprovisionParameters({ scope, apiVersion, ...(user ? { user } : {}) }),
			items: [{ cloudPcId }],
		});

		expect(error).toBeUndefined();
		const [call] = reprovisionCalls();
		expect(reprovisionCalls()).toHaveLength(1);
		expect(call.method).toBe('POST');
		expect(call.path).toBe(path);
		expect(call.status).toBe(204);
		// Graph refuses a write in a batch without body and Content-Type: no parameters is `{}`
		expect(call.body).toEqual({});
		expect(call.headers['content-type']).toMatch(/^application\/json/);
		expect(call.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
		expect(call.headers['user-agent']).toMatch(/^n8n-nodes-microsoft-cloudpc\/\d+\.\d+\.\d+$/);
		expect(call.headers['client-request-id']).toMatch(GUID);
		expect(graph.reprovisionCount(cloudPcId)).toBe(1);
		expect(graph.cloudPc(cloudPcId)?.status).toBe('provisioning');

		expect(output).toHaveLength(1);
		expect(output[0].pairedItem).toEqual({ item: 0 });
		expect(output[0].json).toEqual({
			cloudPcId,
			// By ID: the node does not know the name without reading the Cloud PC; a user given
			// by UPN names the user
			cloudPcName: null,
			userPrincipalName: user?.includes('@') ? user : null,
			scope,
			user: user ?? null,
			apiVersion,
			osVersion: null,
			userAccountType: null,
			outcome: 'requested',
			attempts: 1,
			statusCode: 204,
			requestId: call.requestId,
			clientRequestId: call.headers['client-request-id'],
			requestedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
		});
	});

	test('URL-encodes a UPN with reserved characters', async () => {
		const { output } = await run({
			parameters: reprovisionParameters({ scope: 'user', user: '={{ $json.upn }}' }),
			items: [{ upn: ALEX.upn, cloudPcId: PC.alexProvisioned }],
		});

		expect(output[0].json.outcome).toBe('requested');
		expect(reprovisionCalls()[0].path).toBe(
			`/v1.0/users/${encodeURIComponent(ALEX.upn)}/cloudPCs/${PC.alexProvisioned}/reprovision`,
		);
		expect(graph.reprovisionCount(PC.alexProvisioned)).toBe(1);
	});

	test.each(['v1.0', 'beta'])(
		'%s: OS version and account type go in the body, as JSON, only when set',
		async (apiVersion) => {
			const { output } = await run({
				parameters: reprovisionParameters({
					apiVersion,
					reprovisionOptions: { osVersion: 'windows11', userAccountType: 'administrator' },
				}),
				items: [{ cloudPcId: PC.adeleProvisioned }],
			});
			const [call] = reprovisionCalls();
			expect(call.path).toBe(
				`/${apiVersion}/deviceManagement/virtualEndpoint/cloudPCs/${PC.adeleProvisioned}/reprovision`,
			);
			expect(call.headers['content-type']).toMatch(/^application\/json/);
			expect(call.body).toEqual({ osVersion: 'windows11', userAccountType: 'administrator' });
			expect(graph.cloudPc(PC.adeleProvisioned)?.lastReprovision).toMatchObject({
				osVersion: 'windows11',
				userAccountType: 'administrator',
			});
			expect(output[0].json).toMatchObject({
				osVersion: 'windows11',
				userAccountType: 'administrator',
			});

			graph.reset();
			await run({
				parameters: reprovisionParameters({
					apiVersion,
					reprovisionOptions: { osVersion: 'windows10' },
				}),
				items: [{ cloudPcId: PC.adeleFailed }],
			});
			expect(reprovisionCalls()[0].body).toEqual({ osVersion: 'windows10' });
		},
	);

	test('one request per item, in order, each item paired with its input', async () => {
		const ids = [PC.adeleProvisioned, PC.adeleFailed, PC.alexProvisioned];
		const { output } = await run({
			parameters: reprovisionParameters(),
			items: ids.map((cloudPcId) => ({ cloudPcId })),
		});

		expect(output.map((item) => item.json.cloudPcId)).toEqual(ids);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		for (const id of ids) expect(graph.reprovisionCount(id)).toBe(1);
		const requestIds = output.map((item) => item.json.clientRequestId);
		expect(new Set(requestIds).size).toBe(3);
	});
});

describe('bad input sends nothing', () => {
	test.each([
		['an empty Cloud PC ID', {}, { cloudPcId: '' }, 'Item 0: "Cloud PC" is empty'],
		[
			'a malformed Cloud PC ID',
			{},
			{ cloudPcId: 'CPC-adele-01' },
			'Item 0: "Cloud PC" must be a Cloud PC ID (a GUID); got "CPC-adele-01"',
		],
		[
			'an empty user from an expression',
			{ scope: 'user', user: '={{ $json.upn }}' },
			{ cloudPcId: PC.adeleProvisioned },
			'Item 0: "User" is empty',
		],
		[
			'a malformed UPN',
			{ scope: 'user', user: 'adele vance' },
			{ cloudPcId: PC.adeleProvisioned },
			'Item 0: "User" must be an object ID (GUID) or a user principal name',
		],
		[
			'an option on a user scope chosen by expression',
			{
				scope: '={{ $json.scope }}',
				user: ADELE.upn,
				reprovisionOptions: { osVersion: 'windows11' },
			},
			{ cloudPcId: PC.adeleFailed, scope: 'me' },
			'Item 0: "OS Version" can only be set on the Organization (Admin) scope',
		],
		[
			'an account type on the user route chosen by expression',
			{
				scope: '={{ $json.scope }}',
				user: ADELE.upn,
				reprovisionOptions: { userAccountType: 'administrator' },
			},
			{ cloudPcId: PC.adeleFailed, scope: 'user' },
			'Item 0: "User Account Type" can only be set on the Organization (Admin) scope',
		],
		[
			'an unknown OS version from an expression',
			{ reprovisionOptions: { osVersion: '={{ "windows7" }}' } },
			{ cloudPcId: PC.adeleFailed },
			'Item 0: "OS Version" must be one of windows10, windows11; got "windows7"',
		],
	])('%s fails the item, naming the field', async (_name, overrides, item, message) => {
		const { output, error } = await run({
			parameters: reprovisionParameters(overrides),
			items: [item],
		});

		expect(output).toEqual([]);
		expect(error?.message).toContain(message);
		expect(error?.description).toBe('Nothing was sent to Microsoft Graph for this item.');
		expect(graph.requests).toEqual([]);
	});

	test('n8n itself refuses a run whose required User is left empty', async () => {
		await expect(
			run({
				parameters: reprovisionParameters({ scope: 'user', user: '' }),
				items: [{ cloudPcId: PC.adeleProvisioned }],
			}),
		).rejects.toThrow('Parameter "User" is required');
		expect(graph.requests).toEqual([]);
	});

	test('options hidden by a fixed user scope are dropped by n8n and never sent', async () => {
		const { output } = await run({
			parameters: reprovisionParameters({
				scope: 'me',
				reprovisionOptions: { osVersion: 'windows11' },
			}),
			items: [{ cloudPcId: PC.adeleFailed }],
		});

		expect(output[0].json).toMatchObject({ outcome: 'requested', osVersion: null });
		expect(reprovisionCalls()[0].body).toEqual({});
	});

	test('a bad item anywhere stops the whole run before the first request', async () => {
		const { error } = await run({
			parameters: reprovisionParameters(),
			items: [
				{ cloudPcId: PC.adeleProvisioned },
				{ cloudPcId: PC.adeleFailed },
				{ cloudPcId: 'nope' },
			],
		});

		expect(error?.message).toContain('Item 2: "Cloud PC"');
		expect(graph.requests).toEqual([]);
	});

	test('the same Cloud PC twice in one run is reprovisioned once', async () => {
		const { output } = await run({
			parameters: reprovisionParameters(),
			items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: PC.adeleProvisioned.toUpperCase() }],
			continueOnFail: true,
		});

		expect(graph.reprovisionCount(PC.adeleProvisioned)).toBe(1);
		expect(output).toHaveLength(2);
		expect(output[0].json.outcome).toBe('requested');
		expect(output[1].json).toMatchObject({ outcome: 'failed', requestedAt: null });
		expect(output[1].json.error).toContain('already reprovisioned by item 0 in this run');
	});
});

describe('delegated credential', () => {
	test('an expired access token is refreshed by n8n and the item is sent exactly once', async () => {
		const expired = 'expired-access-token';
		const { output, credentialsHelper } = await run({
			credentials: delegatedCredential(graph.url, expired),
			parameters: reprovisionParameters(),
			items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: PC.adeleFailed }],
		});

		expect(output.map((item) => item.json.outcome)).toEqual(['requested', 'requested']);
		const tokenCalls = graph.requests.filter((r) => r.path.endsWith('/oauth2/v2.0/token'));
		expect(tokenCalls).toHaveLength(1);
		expect(tokenCalls[0].path).toBe(
			`/${encodeURIComponent('contoso.onmicrosoft.com')}/oauth2/v2.0/token`,
		);
		expect(credentialsHelper.tokenUpdates).toHaveLength(1);
		expect(graph.requests.filter((r) => r.path.endsWith('$batch')).map((r) => r.status)).toEqual([
			401, 200,
		]);
		expect(reprovisionCalls().map((r) => r.status)).toEqual([204, 204]);
		expect(graph.reprovisionCount(PC.adeleProvisioned)).toBe(1);
		expect(graph.reprovisionCount(PC.adeleFailed)).toBe(1);
	});

	test('no token or secret appears in outputs or errors', async () => {
		const ok = await run({
			parameters: reprovisionParameters(),
			items: [
				{ cloudPcId: PC.adeleProvisioned },
				{ cloudPcId: PC.alexProvisioning },
				{ cloudPcId: 'x' },
			],
			continueOnFail: true,
		});
		const failed = await run({
			credentials: delegatedCredential(graph.url, READER_TOKEN),
			parameters: reprovisionParameters(),
			items: [{ cloudPcId: PC.adeleFailed }],
		});

		const everything = JSON.stringify([ok.run, failed.run, failed.error, { ...failed.error }]);
		for (const secret of SECRETS) expect(everything).not.toContain(secret);
		expect(failed.error?.httpCode).toBe('403');
	});
});
