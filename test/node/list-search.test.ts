import type { INodeParameters } from 'n8n-workflow';

import { startGraphServer, type GraphServer } from '../graph-server';
import {
	ADELE,
	PC,
	READER_TOKEN,
	delegatedCredential,
	reprovisionParameters,
	serverOptions,
} from '../fixtures';
import { searchCloudPcs } from '../harness/run-workflow';

let graph: GraphServer;

beforeAll(async () => {
	graph = await startGraphServer({ ...serverOptions(), pageSize: 2 });
});
afterAll(async () => await graph.close());
beforeEach(() => graph.reset());

const search = async (parameters: INodeParameters, filter?: string, token?: string) =>
	await searchCloudPcs(
		{ credentials: delegatedCredential(graph.url), parameters: reprovisionParameters(parameters) },
		filter,
		token,
	);

describe('Cloud PC list search', () => {
	test('organization scope pages through every Cloud PC by following @odata.nextLink', async () => {
		const first = await search({ scope: 'organization' });
		expect(first.results).toHaveLength(2);
		expect(first.paginationToken).toMatch(new RegExp(`^${graph.url}/beta/`));

		const second = await search(
			{ scope: 'organization' },
			undefined,
			first.paginationToken as string,
		);
		expect(second.results).toHaveLength(2);
		expect(second.paginationToken).toBeUndefined();

		const all = [...first.results, ...second.results].map((result) => result.value);
		expect(all.sort()).toEqual(Object.values(PC).sort());

		const [firstCall, nextCall] = graph.requests;
		expect(firstCall.path).toBe('/beta/deviceManagement/virtualEndpoint/cloudPCs');
		expect(firstCall.query.$select).toBe(
			'id,displayName,managedDeviceName,userPrincipalName,status',
		);
		const nextLink = new URL(first.paginationToken as string);
		expect(nextCall.path).toBe(nextLink.pathname);
		expect(nextCall.query).toEqual(Object.fromEntries(nextLink.searchParams));
	});

	test('each entry reads "name · status · user" (the status before the long UPN the picker may cut), through beta whatever the API Version', async () => {
		// v1.0's cloudPC has no status (test/graph-server/odata.ts), so the picker reads beta
		const { results } = await search({ scope: 'me', apiVersion: 'v1.0' });

		expect(graph.requests.map((r) => r.path)).toEqual(['/beta/me/cloudPCs']);
		expect(results).toEqual([
			{ name: `CPC-adele-01 · provisioned · ${ADELE.upn}`, value: PC.adeleProvisioned },
			{ name: `CPC-adele-02 · failed · ${ADELE.upn}`, value: PC.adeleFailed },
		]);
	});

	test('the status changes with the Cloud PC, and the search text matches it', async () => {
		graph.setStatus(PC.adeleProvisioned, 'failed');
		const { results } = await search({ scope: 'me' }, 'FAILED');

		expect(results.map((r) => r.name)).toEqual([
			`CPC-adele-01 · failed · ${ADELE.upn}`,
			`CPC-adele-02 · failed · ${ADELE.upn}`,
		]);
	});

	test("specific user scope lists only that user's Cloud PCs and filters by name", async () => {
		const result = await search({ scope: 'user', user: ADELE.upn, apiVersion: 'beta' }, 'adele-02');

		expect(result.results.map((r) => r.value)).toEqual([PC.adeleFailed]);
		expect(graph.requests[0].path).toBe('/beta/users/adele.vance%40contoso.com/cloudPCs');
	});

	test("signed-in user scope lists the credential user's Cloud PCs", async () => {
		const result = await search({ scope: 'me' });
		const values = result.results.map((r) => r.value).sort();

		expect(values).toEqual([PC.adeleProvisioned, PC.adeleFailed].sort());
		expect(graph.requests[0].path).toBe('/beta/me/cloudPCs');
	});

	test('a mistyped user: the picker says which user is unknown, and what Graph answered', async () => {
		const typo = ADELE.upn.replace('adele', 'adel');
		await expect(search({ scope: 'user', user: typo })).rejects.toThrow(
			new RegExp(
				`^No user "${typo}" in this tenant: check the spelling of "User" .* \\(404 Request_ResourceNotFound: Resource '${typo}' does not exist`,
			),
		);
	});

	test('a failure other than the user says what to fix too, not only the status', async () => {
		await expect(
			searchCloudPcs(
				{
					credentials: delegatedCredential(graph.url, READER_TOKEN),
					parameters: reprovisionParameters({ scope: 'organization' }),
				},
				undefined,
				undefined,
			),
		).rejects.toThrow(/^Grant the app registration .*CloudPC\.ReadWrite\.All.* \(403 Forbidden: /);
	});

	test('specific user scope without a user yet lists nothing and asks Graph nothing', async () => {
		expect(await search({ scope: 'user', user: '' })).toEqual({ results: [] });
		expect(graph.requests).toEqual([]);
	});

	test('refuses a next link that points away from the Graph host', async () => {
		await expect(
			search({ scope: 'organization' }, undefined, 'https://attacker.example/v1.0/cloudPCs'),
		).rejects.toThrow('Refusing to follow a link outside');
		expect(graph.requests).toEqual([]);
	});
});
