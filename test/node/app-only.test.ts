import { randomBytes } from 'node:crypto';

import { ConfidentialClientApplication, ManagedIdentityApplication } from '@azure/msal-node';
import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

import { MicrosoftCloudPcAppOnlyApi } from '../../credentials/MicrosoftCloudPcAppOnlyApi.credentials';
import {
	acquireAppOnlyToken,
	forgetAllAppOnlyTokens,
	forgetAppOnlyToken,
	msalConfiguration,
	planAppOnlySignIn,
	TOKEN_REQUEST_TIMEOUT_MS,
} from '../../nodes/MicrosoftCloudPc/auth/msal';
import { GRAPH_RESOURCE } from '../../nodes/MicrosoftCloudPc/environments';
import { USER_AGENT } from '../../nodes/MicrosoftCloudPc/transport/userAgent';
import { reprovisionParameters } from '../fixtures';
import { startGraphServer, type GraphServer, type SeedCloudPc } from '../graph-server';
import { testCredential } from '../harness/credential-test';
import { runCloudPcNode, type RunResult } from '../harness/run-workflow';
import {
	createTestPki,
	startIdentityServer,
	useLocalFetch,
	type IdentityServer,
	type TestPki,
} from '../identity-server';

const TENANT = '7d3f1c2a-5b4e-4f6a-9c8d-1e2f3a4b5c6d';
const OTHER_TENANT = '0c0ffee0-1111-4222-8333-444455556666';
const SECRET = 'Qx7~local-test-client-secret-value-1234';
/** An API gateway's own resource (application ID URI), for Custom's Token Scope */
const GATEWAY_RESOURCE = 'api://cloudpc-gateway';
/** The app registration the tests sign in as, with SECRET; its tokens are forgotten before each test. */
const CLIENT_ID = 'a0000000-0000-4000-8000-000000000001';
/** App registrations the identity server treats differently: each is what its test is about. */
const APP = {
	expiredSecret: 'a0000000-0000-4000-8000-000000000007',
	silent: 'a0000000-0000-4000-8000-00000000000e',
	disabled: 'a0000000-0000-4000-8000-000000000008',
	/** signs in with a certificate (pki.app.cert), not a secret */
	certificate: 'a0000000-0000-4000-8000-000000000009',
	/** not registered at all */
	unknown: 'a0000000-0000-4000-8000-0000000000ff',
};
const UAMI = {
	clientId: 'b0000000-0000-4000-8000-000000000001',
	objectId: 'b0000000-0000-4000-8000-000000000002',
	resourceId:
		'/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/n8n/providers/Microsoft.ManagedIdentity/userAssignedIdentities/n8n-cloudpc',
};

const ISSUED = Array.from(
	{ length: 60 },
	(_, i) => `app-token-${i}.${randomBytes(24).toString('hex')}`,
);
const CLOUD_PCS: SeedCloudPc[] = Array.from({ length: 50 }, (_, i) => ({
	id: `c0000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
	displayName: `CPC-kiosk-${i}`,
	userPrincipalName: `kiosk${i}@contoso.com`,
	userId: `d0000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
	status: 'provisioned',
}));

let pki: TestPki;
let identity: IdentityServer;
let graph: GraphServer;
let untrust: () => Promise<void>;

beforeAll(async () => {
	pki = createTestPki();
	untrust = useLocalFetch(pki.tls.cert);
	graph = await startGraphServer({
		cloudPcs: CLOUD_PCS,
		tokens: Object.fromEntries(
			ISSUED.map((token) => [token, { scopes: ['CloudPC.ReadWrite.All'], appOnly: true }]),
		),
	});
	const secretApp = (clientId: string) => ({ tenantId: TENANT, clientId, secret: SECRET });
	identity = await startIdentityServer({
		tls: { key: pki.tls.key, cert: pki.tls.cert },
		graphResource: GRAPH_RESOURCE,
		otherResources: [GATEWAY_RESOURCE],
		accessTokens: ISSUED,
		apps: [
			secretApp(CLIENT_ID),
			{ ...secretApp(APP.expiredSecret), secretExpired: true },
			{ ...secretApp(APP.silent), hang: true },
			{
				...secretApp(APP.disabled),
				refuse: {
					status: 400,
					error: 'unauthorized_client',
					aadsts: 7000112,
					message: `Application '${APP.disabled}' is disabled.`,
				},
			},
			{ tenantId: TENANT, clientId: APP.certificate, certificates: [{ pem: pki.app.cert }] },
		],
		managedIdentities: { systemAssigned: true, userAssigned: [UAMI] },
	});
});

afterAll(async () => {
	await Promise.all([identity?.close(), graph?.close()]);
	await untrust?.();
});

beforeEach(() => {
	graph.reset();
	identity.reset();
	forgetAllAppOnlyTokens();
});

/** The app-only credential as n8n stores it, pointed at the local identity and Graph servers. */
function credential(fields: ICredentialDataDecryptedObject = {}): ICredentialDataDecryptedObject {
	return {
		environment: 'custom',
		loginBaseUrl: identity.loginBaseUrl,
		graphBaseUrl: graph.url,
		tenantId: TENANT,
		clientId: CLIENT_ID,
		authMethod: 'clientSecret',
		clientSecret: SECRET,
		...fields,
	};
}

function certificateCredential(clientId: string, fields: ICredentialDataDecryptedObject = {}) {
	return credential({
		authMethod: 'clientCertificate',
		clientId,
		privateKey: pki.app.key,
		thumbprint: pki.app.sha256,
		...fields,
	});
}

async function reprovision(
	data: ICredentialDataDecryptedObject,
	count = 1,
	parameters: INodeParameters = {},
	continueOnFail = false,
): Promise<RunResult> {
	return await runCloudPcNode({
		parameters: reprovisionParameters({ authentication: 'appOnly', ...parameters }),
		credentials: { microsoftCloudPcAppOnlyApi: data },
		items: CLOUD_PCS.slice(0, count).map(({ id }) => ({ cloudPcId: id })),
		continueOnFail,
	});
}

const bearers = () => [...new Set(graph.requests.map((r) => r.headers.authorization))];
const issuedTokens = () => identity.requests.flatMap((r) => (r.issued ? [r.issued] : []));

/** Nothing secret may reach output, errors or messages; an error's message, stack and cause count. */
function expectNoSecrets(value: unknown, ...extra: string[]) {
	const error = value as { message?: string; stack?: string; cause?: { message?: string } };
	const serialized =
		value instanceof Error
			? JSON.stringify([value, error.message, error.stack, error.cause?.message])
			: JSON.stringify(value);
	for (const secret of [
		SECRET,
		pki.app.key,
		pki.stranger.key,
		pki.expired.key,
		...ISSUED,
		...extra,
	]) {
		expect(serialized).not.toContain(secret);
	}
	expect(serialized).not.toContain('PRIVATE KEY');
}

describe('client secret', () => {
	test('50 items and a second run cost one token request; every Graph call carries that token', async () => {
		const data = credential();
		const first = await reprovision(data, 50);
		expect(first.error).toBeUndefined();
		expect(first.output).toHaveLength(50);
		expect(first.output.every(({ json }) => json.outcome === 'requested')).toBe(true);
		expect(CLOUD_PCS.every(({ id }) => graph.reprovisionCount(id) === 1)).toBe(true);

		graph.reset();
		const second = await reprovision(data, 3);
		expect(second.output.every(({ json }) => json.outcome === 'requested')).toBe(true);

		expect(identity.tokenRequests()).toBe(1);
		const [request] = identity.requests;
		expect(request).toMatchObject({
			endpoint: 'token',
			path: `/${TENANT}/oauth2/v2.0/token`,
			credential: 'secret',
			clientId: CLIENT_ID,
			scope: `${GRAPH_RESOURCE}/.default`,
			status: 200,
		});
		expect(bearers()).toEqual([`Bearer ${request.issued}`]);
		expectNoSecrets([first.output, second.output]);
	});

	test('concurrent requests for one credential share a single token request', async () => {
		const data = credential();
		const tokens = await Promise.all(Array.from({ length: 20 }, () => acquireAppOnlyToken(data)));
		expect(new Set(tokens).size).toBe(1);
		expect(identity.tokenRequests()).toBe(1);
		expect(tokens[0]).toBe(identity.requests[0].issued);
	});

	test('a token is reused until five minutes before it expires, then renewed', async () => {
		const data = credential();
		const start = Date.now();
		// Only Date is faked: servers, sockets and timers run for real.
		jest.useFakeTimers({
			now: start,
			doNotFake: [
				'hrtime',
				'nextTick',
				'performance',
				'queueMicrotask',
				'setImmediate',
				'clearImmediate',
				'setInterval',
				'clearInterval',
				'setTimeout',
				'clearTimeout',
			],
		});
		try {
			await reprovision(data, 1);
			jest.setSystemTime(start + 3_000_000); // 599 s of 3599 s left
			graph.reset();
			expect((await reprovision(data, 1)).output[0].json.outcome).toBe('requested');
			expect(identity.tokenRequests()).toBe(1);

			jest.setSystemTime(start + 3_400_000); // 199 s left: inside MSAL's 300 s margin
			graph.reset();
			const renewed = await reprovision(data, 1);
			expect(renewed.output[0].json.outcome).toBe('requested');
		} finally {
			jest.useRealTimers();
		}
		const [first, second] = issuedTokens();
		expect(identity.tokenRequests()).toBe(2);
		expect(second).not.toBe(first);
		expect(bearers()).toEqual([`Bearer ${second}`]);
	});

	test("a token that lives less than MSAL's 5-minute margin is never reused", async () => {
		const data = credential();
		identity.setExpiresIn(299);
		try {
			const first = await acquireAppOnlyToken(data);
			const second = await acquireAppOnlyToken(data);
			expect(second).not.toBe(first);
			expect(issuedTokens()).toEqual([first, second]);
		} finally {
			identity.setExpiresIn(3599);
		}
	});

	test('forgetAppOnlyToken (after a 401) makes the next request fetch a new token', async () => {
		const data = credential();
		const first = await acquireAppOnlyToken(data);
		expect(await acquireAppOnlyToken(data)).toBe(first);
		forgetAppOnlyToken(data);
		const second = await acquireAppOnlyToken(data);
		expect(second).not.toBe(first);
		expect(issuedTokens()).toEqual([first, second]);
	});

	test('a token Graph keeps rejecting is renewed once by the node, and nothing runs twice', async () => {
		const data = credential();
		// n8n-core re-sends a 401 once with the same token; the second 401 makes the node ask MSAL anew
		graph.failNext(
			{ pathIncludes: '$batch' },
			{ status: 401, code: 'InvalidAuthenticationToken', message: 'Access token has expired.' },
			2,
		);
		const result = await reprovision(data, 3);

		expect(result.output.map(({ json }) => json.outcome)).toEqual([
			'requested',
			'requested',
			'requested',
		]);
		expect(issuedTokens()).toHaveLength(2);
		const envelopes = graph.requests.filter((r) => r.path.endsWith('$batch'));
		expect(envelopes.map((r) => r.status)).toEqual([401, 401, 200]);
		expect(envelopes[2].headers.authorization).toBe(`Bearer ${issuedTokens()[1]}`);
		expect(CLOUD_PCS.slice(0, 3).every(({ id }) => graph.reprovisionCount(id) === 1)).toBe(true);
	});

	test('a wrong client secret names the fix (AADSTS7000215) and leaks neither secret nor token', async () => {
		const wrong = 'Wr0ng~secret-value-that-must-not-leak';
		// 25 items: a sign-in failure is not retried per batch, it ends the run at the first try
		const result = await reprovision(credential({ clientSecret: wrong }), 25);
		expect(result.error?.message).toContain('AADSTS7000215');
		expect(result.error?.message).toContain("Paste the secret's Value");
		expect(identity.requests).toMatchObject([{ status: 401, error: 'AADSTS7000215' }]);
		expect(graph.requests).toHaveLength(0);
		expectNoSecrets(result.error, wrong);
	});

	test('with Continue On Fail a failed sign-in still gives every item its output item', async () => {
		const wrong = 'Wr0ng~another-secret-that-must-not-leak';
		const result = await runCloudPcNode({
			parameters: reprovisionParameters({ authentication: 'appOnly' }),
			credentials: {
				microsoftCloudPcAppOnlyApi: credential({ clientSecret: wrong }),
			},
			items: CLOUD_PCS.slice(0, 3).map(({ id }) => ({ cloudPcId: id })),
			continueOnFail: true,
		});

		expect(result.error).toBeUndefined();
		expect(result.output.map((item) => item.pairedItem)).toEqual(
			[0, 1, 2].map((item) => ({ item })),
		);
		for (const { json } of result.output) {
			expect(json.outcome).toBe('failed');
			expect(json.error).toContain('AADSTS7000215');
		}
		expect(graph.requests).toHaveLength(0);
		expectNoSecrets(result.output, wrong);
	});

	test('a wrong tenant names the fix (AADSTS90002)', async () => {
		const result = await reprovision(credential({ tenantId: OTHER_TENANT }), 1);
		expect(result.error?.message).toContain('AADSTS90002');
		expect(result.error?.message).toContain('Check Tenant ID');
		expect(identity.requests).toMatchObject([{ tenant: OTHER_TENANT, status: 400 }]);
		expect(graph.requests).toHaveLength(0);
		expectNoSecrets(result.error);
	});

	test(
		'a login endpoint that never answers fails the items after the sign-in timeout; nothing reaches Graph',
		async () => {
			const started = Date.now();
			const result = await reprovision(credential({ clientId: APP.silent }), 2, {}, true);
			const waited = Date.now() - started;

			expect(waited).toBeGreaterThanOrEqual(TOKEN_REQUEST_TIMEOUT_MS);
			expect(result.output).toHaveLength(2);
			for (const item of result.output) {
				expect(item.json.outcome).toBe('failed');
				expect(item.json.errorMessage).toContain('Could not reach 127.0.0.1');
				expect(item.json.errorMessage).toContain(
					`No answer within ${TOKEN_REQUEST_TIMEOUT_MS / 1000} s`,
				);
			}
			expect(identity.requests).toMatchObject([{ clientId: APP.silent, error: 'never answered' }]);
			expect(graph.requests).toHaveLength(0);
		},
		TOKEN_REQUEST_TIMEOUT_MS + 15_000,
	);

	test('an unreachable login host is named, with what to check', async () => {
		const data = credential({ loginBaseUrl: 'https://127.0.0.1:1' });
		await expect(acquireAppOnlyToken(data)).rejects.toThrow(
			'Could not reach 127.0.0.1:1 for a token. Check the network and proxy',
		);
	});

	test.each([
		[
			'an unknown client ID',
			{ clientId: APP.unknown },
			'AADSTS700016',
			'application (client) ID was not found',
		],
		[
			'an expired secret',
			{ clientId: APP.expiredSecret },
			'AADSTS7000222',
			'client secret has expired',
		],
		[
			'a disabled application',
			{ clientId: APP.disabled },
			'AADSTS7000112',
			'application is disabled',
		],
		[
			'a resource the tenant does not have (wrong Environment or Token Scope)',
			{ clientId: CLIENT_ID, tokenScope: 'api://not-in-this-tenant/.default' },
			'AADSTS500011',
			'Environment probably does not match',
		],
	])('%s is refused with the fix named', async (_, fields, code, fix) => {
		const error = await acquireAppOnlyToken(credential(fields)).catch((e: Error) => e);
		expect(error).toBeInstanceOf(Error);
		expect((error as Error).message).toContain(code);
		expect((error as Error).message).toContain(fix);
		expect(identity.tokenRequests()).toBe(1);
		expectNoSecrets(error);
	});
});

describe('client certificate', () => {
	test('SHA-256 thumbprint: PS256 assertion with x5t#S256, verified against the registered certificate', async () => {
		// Pasted into a password field, the PEM may lose its line breaks.
		const oneLineKey = pki.app.key.replace(/\n/g, '');
		const data = certificateCredential(APP.certificate, { privateKey: oneLineKey });
		const result = await reprovision(data, 2);
		expect(result.output.map(({ json }) => json.outcome)).toEqual(['requested', 'requested']);
		expect(identity.requests).toMatchObject([
			{
				credential: 'assertion',
				clientId: APP.certificate,
				assertion: { alg: 'PS256', thumbprintHeader: 'x5t#S256', x5c: false },
				status: 200,
			},
		]);
		expect(bearers()).toEqual([`Bearer ${identity.requests[0].issued}`]);
		expectNoSecrets(result.output);
	});

	test('SHA-1 thumbprint with an x5c chain: RS256 assertion with x5t and x5c (subject name + issuer)', async () => {
		const data = certificateCredential(APP.certificate, {
			thumbprint: pki.app.sha1.toUpperCase().replace(/(..)(?!$)/g, '$1:'),
			certificateChain: pki.app.cert,
		});
		const result = await reprovision(data, 1);
		expect(result.output[0].json.outcome).toBe('requested');
		expect(identity.requests).toMatchObject([
			{ assertion: { alg: 'RS256', thumbprintHeader: 'x5t', x5c: true }, status: 200 },
		]);
	});

	test('a certificate the app registration does not know is refused (AADSTS700027)', async () => {
		const data = certificateCredential(APP.certificate, {
			privateKey: pki.stranger.key,
			thumbprint: pki.stranger.sha256,
		});
		const result = await reprovision(data, 1);
		expect(result.error?.message).toContain('AADSTS700027');
		expect(result.error?.message).toContain("Upload the certificate's public part");
		expect(identity.requests).toMatchObject([{ status: 401, error: 'AADSTS700027' }]);
		expectNoSecrets(result.error);
	});

	test('an expired certificate in the chain is reported before any request', async () => {
		const data = certificateCredential(APP.certificate, {
			privateKey: pki.expired.key,
			thumbprint: pki.expired.sha256,
			certificateChain: pki.expired.cert,
		});
		const result = await reprovision(data, 1);
		expect(result.error?.message).toContain('expired on Feb  1 00:00:00 2020 GMT');
		expect(identity.requests).toHaveLength(0);
		expect(graph.requests).toHaveLength(0);
		expectNoSecrets(result.error);
	});
});

describe('credential checks before any request', () => {
	const certificate = (fields: () => ICredentialDataDecryptedObject) => () => ({
		authMethod: 'clientCertificate',
		privateKey: pki.app.key,
		thumbprint: pki.app.sha256,
		...fields(),
	});
	test.each([
		['tenant "common"', () => ({ tenantId: 'common' }), 'only works for delegated sign-in'],
		['tenant "organizations"', () => ({ tenantId: 'Organizations' }), 'only works for delegated'],
		['a malformed tenant', () => ({ tenantId: 'not a tenant' }), 'must be a Directory (tenant) ID'],
		['a client ID that is no GUID', () => ({ clientId: 'my-app' }), '(client) ID, a GUID'],
		['an empty secret', () => ({ clientSecret: '' }), '"Client Secret" is empty'],
		[
			'an http login URL',
			() => ({ loginBaseUrl: 'http://127.0.0.1:1' }),
			'"Login Base URL" must start with https://',
		],
		[
			'a private key that is no PEM key',
			certificate(() => ({ privateKey: 'MIIEvQ-not-a-key' })),
			'"Private Key" must be an unencrypted PEM private key',
		],
		[
			'a thumbprint of the wrong length',
			certificate(() => ({ thumbprint: 'abc123' })),
			'"Thumbprint" must be the SHA-256',
		],
		[
			'a thumbprint that is not the chain certificate',
			certificate(() => ({ thumbprint: pki.stranger.sha256, certificateChain: pki.app.cert })),
			'is not the thumbprint of the first certificate',
		],
		[
			'a user-assigned identity without its ID',
			() => ({ authMethod: 'managedIdentity', managedIdentityType: 'userAssignedClientId' }),
			'"Managed Identity ID" is empty',
		],
	])('%s', async (_, fields, message) => {
		await expect(acquireAppOnlyToken(credential(fields()))).rejects.toThrow(message);
		expect(identity.requests).toHaveLength(0);
	});

	test('Signed-In User scope with the app-only credential is refused before any request', async () => {
		const result = await reprovision(credential(), 1, { scope: 'me' });
		expect(result.error?.message).toContain('Signed-In User');
		expect(result.error?.message).toContain('OAuth2 (delegated) credential');
		expect(graph.requests).toHaveLength(0);
		expect(identity.requests).toHaveLength(0);
	});
});

describe('managed identity (App Service-style endpoint on loopback)', () => {
	const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };

	beforeAll(() => {
		process.env.IDENTITY_ENDPOINT = identity.identityEndpoint;
		process.env.IDENTITY_HEADER = identity.identityHeader;
		// MSAL picks its source once per process; make sure it is ours, never IMDS (169.254.169.254).
		expect(new ManagedIdentityApplication().getManagedIdentitySource()).toBe('AppService');
	});

	afterAll(() => {
		for (const [name, value] of [
			['IDENTITY_ENDPOINT', saved.endpoint],
			['IDENTITY_HEADER', saved.header],
		] as const) {
			if (value === undefined) delete process.env[name];
			else process.env[name] = value;
		}
	});

	test('system-assigned: the node runs on a token from the local endpoint', async () => {
		const result = await reprovision(
			credential({ authMethod: 'managedIdentity', managedIdentityType: 'systemAssigned' }),
			3,
		);
		expect(result.output.every(({ json }) => json.outcome === 'requested')).toBe(true);
		expect(identity.requests).toMatchObject([
			{
				endpoint: 'managedIdentity',
				clientId: 'system-assigned',
				scope: GRAPH_RESOURCE,
				status: 200,
			},
		]);
		expect(identity.requests[0].query).not.toHaveProperty('client_id');
		expect(bearers()).toEqual([`Bearer ${identity.requests[0].issued}`]);
	});

	test.each([
		{ type: 'userAssignedClientId', id: UAMI.clientId, parameter: 'client_id' },
		{ type: 'userAssignedResourceId', id: UAMI.resourceId, parameter: 'mi_res_id' },
		{ type: 'userAssignedObjectId', id: UAMI.objectId, parameter: 'object_id' },
	])('user-assigned ($type) is named by $parameter', async ({ type, id, parameter }) => {
		const token = await acquireAppOnlyToken(
			credential({
				authMethod: 'managedIdentity',
				managedIdentityType: type,
				managedIdentityId: id,
			}),
		);
		expect(identity.requests).toHaveLength(1);
		expect(identity.requests[0]).toMatchObject({
			status: 200,
			issued: token,
			clientId: UAMI.clientId,
		});
		expect(identity.requests[0].query).toMatchObject({ [parameter]: id, resource: GRAPH_RESOURCE });
	});

	test('an identity the endpoint does not know is refused with what to check', async () => {
		const error = await acquireAppOnlyToken(
			credential({
				authMethod: 'managedIdentity',
				managedIdentityType: 'userAssignedClientId',
				managedIdentityId: 'e0000000-0000-4000-8000-000000000000',
			}),
		).catch((e: Error) => e);
		expect((error as Error).message).toContain('managed identity endpoint refused');
		expect((error as Error).message).toContain('Managed Identity and its ID');
		expect(identity.requests).toMatchObject([{ status: 400 }]);
	});
});

describe('credential test (the editor\'s "Test" button)', () => {
	test('acquires a real token and makes one Graph read', async () => {
		const result = await testCredential('microsoftCloudPcAppOnlyApi', credential());
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(identity.tokenRequests()).toBe(1);
		expect(graph.requests).toHaveLength(1);
		expect(graph.requests[0]).toMatchObject({
			method: 'GET',
			path: '/v1.0/deviceManagement/virtualEndpoint/cloudPCs',
			query: { $top: '1', $select: 'id' },
			status: 200,
		});
		expect(graph.requests[0].headers['user-agent']).toBe(USER_AGENT);
		expect(bearers()).toEqual([`Bearer ${identity.requests[0].issued}`]);
	});

	test('a wrong secret shows the fix, not a bare code', async () => {
		const result = await testCredential(
			'microsoftCloudPcAppOnlyApi',
			credential({ clientSecret: 'another-wrong-secret' }),
		);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^Microsoft Entra ID refused .*AADSTS7000215.*secret's Value/);
		expect(result.message).not.toContain('another-wrong-secret');
		expect(graph.requests).toHaveLength(0);
	});
});

describe('national clouds (configuration only, no network)', () => {
	test.each([
		['global', 'https://login.microsoftonline.com', 'https://graph.microsoft.com'],
		['usGovL4', 'https://login.microsoftonline.us', 'https://graph.microsoft.us'],
		['usGovL5', 'https://login.microsoftonline.us', 'https://dod-graph.microsoft.us'],
		['china', 'https://login.chinacloudapi.cn', 'https://microsoftgraph.chinacloudapi.cn'],
	])('%s: authority %s/{tenant}, scope %s/.default', (environment, login, graphHost) => {
		const secretPlan = planAppOnlySignIn({ ...credential(), environment });
		if (secretPlan.method === 'managedIdentity') throw new Error('unexpected plan');
		const config = msalConfiguration(secretPlan);
		expect(config.auth).toMatchObject({ authority: `${login}/${TENANT}`, clientId: CLIENT_ID });
		expect(secretPlan.scope).toBe(`${graphHost}/.default`);
		// National clouds keep MSAL's own discovery (its built-in metadata for these hosts).
		expect(config.auth.knownAuthorities).toBeUndefined();
		expect(config.auth.authorityMetadata).toBeUndefined();
		expect(config.system?.loggerOptions).toMatchObject({ piiLoggingEnabled: false });
		expect(() => new ConfidentialClientApplication(config)).not.toThrow();

		const identityPlan = planAppOnlySignIn({ environment, authMethod: 'managedIdentity' });
		expect(identityPlan.scope).toBe(`${graphHost}/.default`);
	});

	test('Custom: MSAL is told the endpoints, so it asks nothing but the token endpoint', async () => {
		const plan = planAppOnlySignIn(credential());
		if (plan.method === 'managedIdentity') throw new Error('unexpected plan');
		const host = new URL(identity.loginBaseUrl).host;
		expect(plan.auth.knownAuthorities).toEqual([host]);
		expect(JSON.parse(plan.auth.authorityMetadata!)).toMatchObject({
			token_endpoint: `${identity.loginBaseUrl}/${TENANT}/oauth2/v2.0/token`,
			issuer: `${identity.loginBaseUrl}/${TENANT}/v2.0`,
		});
		await acquireAppOnlyToken(credential());
		expect(identity.requests.map((r) => r.endpoint)).toEqual(['token']);
	});

	test("Custom asks for Microsoft Graph's audience, not the gateway URL, unless Token Scope says otherwise", async () => {
		expect(planAppOnlySignIn(credential()).scope).toBe('https://graph.microsoft.com/.default');
		expect(planAppOnlySignIn(credential({ tokenScope: '  ' })).scope).toBe(
			'https://graph.microsoft.com/.default',
		);
		const identityPlan = planAppOnlySignIn(
			credential({ authMethod: 'managedIdentity', tokenScope: `${GATEWAY_RESOURCE}/.default` }),
		);
		expect(identityPlan.scope).toBe(`${GATEWAY_RESOURCE}/.default`);

		const data = credential({ tokenScope: ` ${GATEWAY_RESOURCE}/.default ` });
		const result = await reprovision(data, 1);
		expect(result.output[0].json.outcome).toBe('requested');
		expect(identity.requests).toMatchObject([
			{ clientId: CLIENT_ID, scope: `${GATEWAY_RESOURCE}/.default`, status: 200 },
		]);
		expect(bearers()).toEqual([`Bearer ${identity.requests[0].issued}`]);
	});

	test('a Token Scope that is not a /.default scope is refused before anything is sent', async () => {
		const result = await reprovision(credential({ tokenScope: 'CloudPC.ReadWrite.All' }), 1);
		expect(result.error?.message).toContain('"Token Scope" must end in /.default');
		expect(identity.requests).toHaveLength(0);
		expect(graph.requests).toHaveLength(0);
	});

	test('national clouds ignore a Token Scope left over from Custom', () => {
		const plan = planAppOnlySignIn({
			...credential({ tokenScope: `${GATEWAY_RESOURCE}/.default` }),
			environment: 'usGovL4',
		});
		expect(plan.scope).toBe('https://graph.microsoft.us/.default');
	});

	test('the cache key is a hash: no credential value appears in it', () => {
		const plan = planAppOnlySignIn(credential());
		expect(plan.cacheKey).toMatch(/^[0-9a-f]{64}$/);
		expect(planAppOnlySignIn(credential({ clientSecret: `${SECRET}x` })).cacheKey).not.toBe(
			plan.cacheKey,
		);
	});
});

describe('test guard', () => {
	test.each([
		['http://169.254.169.254/metadata/identity/oauth2/token', '169.254.169.254'],
		['https://login.microsoftonline.com/common/oauth2/v2.0/token', 'login.microsoftonline.com'],
	])('fetch, which MSAL uses, refuses %s before connecting', async (url, host) => {
		const error = (await fetch(url).catch((e: Error) => e)) as Error;
		expect(String(error.cause)).toContain(`refused a request to ${host}`);
	});
});

describe('credential type', () => {
	const type = new MicrosoftCloudPcAppOnlyApi();

	test('is named and offered as the design says', () => {
		expect(type.name).toBe('microsoftCloudPcAppOnlyApi');
		expect(type.displayName).toBe('Microsoft Cloud PC (App-Only) API');
		expect(type.properties.map((p) => p.name)).toEqual(
			expect.arrayContaining([
				'environment',
				'loginBaseUrl',
				'graphBaseUrl',
				'tenantId',
				'clientId',
				'authMethod',
			]),
		);
	});

	test('secret, private key and certificate fields are password fields', () => {
		for (const name of ['clientSecret', 'privateKey', 'certificateChain']) {
			expect(type.properties.find((p) => p.name === name)?.typeOptions?.password).toBe(true);
		}
	});
});
