import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

import { GRAPH_RESOURCE } from '../../nodes/MicrosoftCloudPc/environments';
import { failureFromAnswer } from '../../nodes/MicrosoftCloudPc/transport/graphErrors';
import { PC, SECRETS, delegatedCredential, serverOptions } from '../fixtures';
import { startGraphServer, type GraphServer } from '../graph-server';
import { testCredential } from '../harness/credential-test';
import { startElsewhere, type Elsewhere } from '../harness/elsewhere';
import { runCloudPcNode, searchCloudPcs, type RunOptions } from '../harness/run-workflow';
import {
	createTestPki,
	startIdentityServer,
	useLocalFetch,
	type IdentityServer,
} from '../identity-server';

const TENANT = '7d3f1c2a-5b4e-4f6a-9c8d-1e2f3a4b5c6d';
const CLIENT_ID = 'a0000000-0000-4000-8000-0000000000a1';
const CLIENT_SECRET = 'Qx7~redirect-test-client-secret-value';
const APP_TOKENS = Array.from({ length: 5 }, (_, i) => `app-only-token-${i}.redirect-tests`);

let graph: GraphServer;
let identity: IdentityServer;
let elsewhere: Elsewhere;
let untrust: () => Promise<void>;

beforeAll(async () => {
	const pki = createTestPki();
	untrust = useLocalFetch(pki.tls.cert);
	const options = serverOptions();
	graph = await startGraphServer({
		...options,
		pageSize: 2,
		tokens: {
			...options.tokens,
			...Object.fromEntries(
				APP_TOKENS.map((token) => [token, { scopes: ['CloudPC.ReadWrite.All'], appOnly: true }]),
			),
		},
	});
	identity = await startIdentityServer({
		tls: { key: pki.tls.key, cert: pki.tls.cert },
		graphResource: GRAPH_RESOURCE,
		accessTokens: APP_TOKENS,
		apps: [{ tenantId: TENANT, clientId: CLIENT_ID, secret: CLIENT_SECRET }],
	});
	elsewhere = await startElsewhere();
	// The other origin does record what reaches it: zero below means nothing went there.
	await fetch(elsewhere.url);
	expect(elsewhere.requests).toHaveLength(1);
});

afterAll(async () => {
	await Promise.all([graph?.close(), identity?.close(), elsewhere?.close()]);
	await untrust?.();
});

beforeEach(() => {
	graph.reset();
	identity.reset();
	elsewhere.requests.length = 0;
});

const credentials: Record<string, () => Record<string, ICredentialDataDecryptedObject>> = {
	oAuth2: () => delegatedCredential(graph.url),
	appOnly: () => ({
		microsoftCloudPcAppOnlyApi: {
			environment: 'custom',
			loginBaseUrl: identity.loginBaseUrl,
			graphBaseUrl: graph.url,
			tenantId: TENANT,
			clientId: CLIENT_ID,
			authMethod: 'clientSecret',
			clientSecret: CLIENT_SECRET,
		},
	}),
};
const AUTHENTICATIONS = Object.keys(credentials);

const run = async (authentication: string, options: Omit<RunOptions, 'credentials'>) =>
	await runCloudPcNode({
		credentials: credentials[authentication](),
		...options,
		parameters: { authentication, resource: 'cloudPc', ...options.parameters },
	});

const getMany = (overrides: INodeParameters = {}): INodeParameters => ({
	operation: 'getMany',
	scope: 'organization',
	returnAll: true,
	...overrides,
});

/** The redirect is named by its target's host, and nothing else of the Location. */
function expectRedirectNamed(message: string | undefined, status: number) {
	expect(message).toContain(`${status} Redirect: a redirect to ${elsewhere.host};`);
	expect(message).toContain('it was not followed, so the access token stays with Microsoft Graph');
	expect(message).not.toContain('stolen');
}

describe.each(AUTHENTICATIONS)('redirects are never followed (%s)', (authentication) => {
	test('302 on a later page of Get Many: the run fails naming the host, nothing goes there', async () => {
		graph.failNext(
			{ method: 'GET', queryHas: '$skiptoken' },
			{
				status: 302,
				headers: {
					Location: `${elsewhere.url}/v1.0/deviceManagement/virtualEndpoint/cloudPCs?stolen=1`,
				},
			},
		);
		const { error, output } = await run(authentication, { parameters: getMany() });

		expect(output).toEqual([]);
		expectRedirectNamed(error?.message, 302);
		expect(error?.httpCode).toBe('302');
		expect(error?.description).toContain('redirects are not followed');
		expect(elsewhere.requests).toEqual([]);
		// the first page was read, the redirected second one was not tried again
		expect(graph.requests.map((r) => r.status)).toEqual([200, 302]);
	});

	test('302 on list search: the search fails naming the host, nothing goes there', async () => {
		graph.failNext(
			{ method: 'GET', pathIncludes: '/cloudPCs' },
			{ status: 302, headers: { Location: `${elsewhere.url}/stolen` } },
		);
		const searching = searchCloudPcs({
			credentials: credentials[authentication](),
			parameters: {
				authentication,
				resource: 'cloudPc',
				operation: 'reprovision',
				scope: 'organization',
			},
		});

		const error = (await searching.catch((e: Error) => e)) as Error;
		expect(error).toBeInstanceOf(Error);
		expectRedirectNamed(error.message, 302);
		expect(elsewhere.requests).toEqual([]);
		expect(graph.requests).toHaveLength(1);
	});

	test('307 on $batch: no reprovision is re-posted elsewhere, the run fails naming the host', async () => {
		graph.failNext(
			{ pathIncludes: '$batch' },
			{ status: 307, headers: { Location: `${elsewhere.url}/v1.0/$batch?stolen=1` } },
		);
		const { error } = await run(authentication, {
			parameters: {
				operation: 'reprovision',
				scope: 'organization',
				cloudPcId: { __rl: true, mode: 'id', value: '={{ $json.cloudPcId }}' },
			},
			items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: PC.adeleFailed }],
		});

		expectRedirectNamed(error?.message, 307);
		expect(error?.httpCode).toBe('307');
		expect(elsewhere.requests).toEqual([]);
		// one envelope, answered 307, never sent again: Graph did not run what it redirected
		expect(graph.requests.filter((r) => r.path.endsWith('$batch')).map((r) => r.status)).toEqual([
			307,
		]);
		expect(graph.reprovisionCount(PC.adeleProvisioned)).toBe(0);
		expect(graph.reprovisionCount(PC.adeleFailed)).toBe(0);
		const everything = JSON.stringify([error, error?.message, error?.description]);
		for (const secret of [...SECRETS, CLIENT_SECRET, ...APP_TOKENS]) {
			expect(everything).not.toContain(secret);
		}
	});
});

describe.each([
	['oAuth2', 'microsoftCloudPcOAuth2Api'],
	['appOnly', 'microsoftCloudPcAppOnlyApi'],
])("the credential's Test button (%s)", (authentication, type) => {
	test('a 302 fails the test; nothing goes to the other origin', async () => {
		graph.failNext(
			{ method: 'GET', pathIncludes: '/cloudPCs' },
			{ status: 302, headers: { Location: `${elsewhere.url}/stolen` } },
		);
		const result = await testCredential(type, credentials[authentication]()[type]);

		expect(result.status).toBe('Error');
		expect(elsewhere.requests).toEqual([]);
		expect(graph.requests.filter((r) => r.status === 302)).toHaveLength(1);
	});
});

describe('a redirect inside a $batch answer', () => {
	test("is named by host from Graph's capitalised header, never by path or query", () => {
		const failure = failureFromAnswer(
			307,
			{ Location: 'https://other.example.com/upload?sig=signed-secret', 'Request-Id': 'r-9' },
			undefined,
			'c-9',
		);
		expect(failure).toMatchObject({ status: 307, code: 'Redirect', requestId: 'r-9' });
		expect(failure.message).toBe(
			'307 Redirect: a redirect to other.example.com; it was not followed, so the access token stays with Microsoft Graph',
		);
	});
});

describe('answers that are not Graph JSON', () => {
	const captivePortal = {
		status: 200,
		headers: { 'Content-Type': 'text/html; charset=utf-8' },
		body: '<html><body>Accept the terms to use the guest network</body></html>',
	};

	test('200 text/html on Get Many is a failure naming the content type and request-id, never an empty list', async () => {
		graph.failNext({ method: 'GET', pathIncludes: '/cloudPCs' }, captivePortal);
		const { error, output } = await run('oAuth2', {
			parameters: getMany({ throughput: { maxRetries: 0 } }),
		});

		expect(output).toEqual([]);
		const [answered] = graph.requests;
		expect(error?.message).toContain('InvalidResponse: HTTP 200 with text/html; charset=utf-8');
		expect(error?.message).toContain(`request-id: ${answered.requestId}`);
		expect(error?.description).toContain('did not come from Microsoft Graph');
	});

	test('with Continue On Fail the item carries the failure as data', async () => {
		graph.failNext({ method: 'GET', pathIncludes: '/cloudPCs' }, captivePortal);
		const { output } = await run('appOnly', {
			parameters: getMany({ throughput: { maxRetries: 0 } }),
			continueOnFail: true,
		});

		expect(output).toHaveLength(1);
		expect(output[0].json).toMatchObject({
			errorCode: 'InvalidResponse',
			requestId: graph.requests[0].requestId,
			hint: expect.stringContaining('proxy'),
		});
	});

	test('a body cut short with a JSON content type is a failure too', async () => {
		graph.failNext(
			{ method: 'GET', pathIncludes: '/cloudPCs' },
			{ status: 200, headers: { 'Content-Type': 'application/json' }, body: '{"value":[{"id":' },
		);
		const { error } = await run('oAuth2', {
			parameters: getMany({ throughput: { maxRetries: 0 } }),
		});
		expect(error?.message).toContain('InvalidResponse: HTTP 200 with application/json');
	});

	test('a read that met such a page once is read again, like a lost answer', async () => {
		graph.failNext({ method: 'GET', pathIncludes: '/cloudPCs' }, captivePortal);
		const { error, output } = await run('oAuth2', { parameters: getMany() });

		expect(error).toBeUndefined();
		expect(output.length).toBeGreaterThan(0);
		expect(graph.requests[0].status).toBe(200);
		expect(graph.requests.length).toBeGreaterThan(1);
	});
});
