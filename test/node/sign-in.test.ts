import type { INodeParameters } from 'n8n-workflow';

import {
	ACCESS_TOKEN,
	PC,
	SECRETS,
	delegatedCredential,
	serverOptions,
	getManyParameters,
} from '../fixtures';
import { startGraphServer, type GraphServer } from '../graph-server';
import { runCloudPcNode, type RunResult } from '../harness/run-workflow';

/** A refresh token the token endpoint no longer accepts: revoked, expired, password changed. */
const REVOKED_REFRESH_TOKEN = '0.AAAA-revoked-refresh-token-secret';
const EXPIRED_ACCESS_TOKEN = 'expired-access-token-value';

let graph: GraphServer;

beforeAll(async () => {
	graph = await startGraphServer(serverOptions());
});
afterAll(async () => await graph.close());
beforeEach(() => graph.reset());

/** The delegated credential after its refresh token stopped working. */
function revokedCredential() {
	const credentials = delegatedCredential(graph.url, EXPIRED_ACCESS_TOKEN);
	const stored = credentials.microsoftCloudPcOAuth2Api;
	stored.oauthTokenData = {
		...(stored.oauthTokenData as object),
		refresh_token: REVOKED_REFRESH_TOKEN,
	};
	return credentials;
}

const reprovision: INodeParameters = {
	authentication: 'oAuth2',
	resource: 'cloudPc',
	operation: 'reprovision',
	scope: 'organization',
	cloudPcId: { __rl: true, mode: 'id', value: '={{ $json.cloudPcId }}' },
};
const getMany: INodeParameters = getManyParameters();

const tokenCalls = () => graph.requests.filter((r) => r.path.endsWith('/oauth2/v2.0/token'));
const graphCalls = () => graph.requests.filter((r) => !r.path.endsWith('/oauth2/v2.0/token'));

function expectReconnectError(result: RunResult) {
	const { error } = result;
	expect(error?.message).toMatch(
		/^Microsoft Entra ID refused to renew the delegated sign-in \(invalid_grant\): reconnect the credential/,
	);
	expect(error?.description).toContain('Retrying cannot help');
	expect(`${error?.message} ${error?.description}`).not.toMatch(/network|could not be reached/i);
	const everything = JSON.stringify([result.run, error, error?.message, error?.stack]);
	for (const secret of [...SECRETS, REVOKED_REFRESH_TOKEN, EXPIRED_ACCESS_TOKEN]) {
		expect(everything).not.toContain(secret);
	}
}

describe('a delegated token refresh the token endpoint refuses', () => {
	test('Reprovision: the run ends at once with "reconnect the credential", after one refresh attempt', async () => {
		const result = await runCloudPcNode({
			parameters: reprovision,
			credentials: revokedCredential(),
			items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: PC.adeleFailed }],
		});

		expectReconnectError(result);
		expect(tokenCalls()).toHaveLength(1);
		expect(tokenCalls()[0]).toMatchObject({ status: 400, body: { grant_type: 'refresh_token' } });
		// the one batch Graph refused (401) is not sent again: it ran nothing
		expect(graphCalls().map((r) => r.status)).toEqual([401]);
		expect(graph.reprovisionCount(PC.adeleProvisioned)).toBe(0);
		expect(result.credentialsHelper.tokenUpdates).toEqual([]);
	});

	test('Get Many: the same, one refresh attempt and no retries', async () => {
		const result = await runCloudPcNode({ parameters: getMany, credentials: revokedCredential() });

		expectReconnectError(result);
		expect(tokenCalls()).toHaveLength(1);
		expect(graphCalls().map((r) => r.status)).toEqual([401]);
	});

	test('an expired client secret is named with its fix, not reported as a network error', async () => {
		graph.failNext(
			{ pathIncludes: '/oauth2/v2.0/token' },
			{
				status: 401,
				code: 'invalid_client',
				message: `AADSTS7000222: The provided client secret keys for app '11111111-2222-3333-4444-555555555555' are expired.`,
			},
		);
		const result = await runCloudPcNode({
			parameters: reprovision,
			credentials: delegatedCredential(graph.url, EXPIRED_ACCESS_TOKEN),
			items: [{ cloudPcId: PC.adeleProvisioned }],
		});

		expect(result.error?.message).toBe(
			"Microsoft Entra ID refused to renew the delegated sign-in (invalid_client, AADSTS7000222): the client secret has expired. Create a new one under the app registration's Certificates & secrets and update this credential.",
		);
		expect(tokenCalls()).toHaveLength(1);
		expect(graph.reprovisionCount(PC.adeleProvisioned)).toBe(0);
	});

	test('a refresh that works is unaffected: the item is sent once with the new token', async () => {
		const result = await runCloudPcNode({
			parameters: reprovision,
			credentials: delegatedCredential(graph.url, EXPIRED_ACCESS_TOKEN),
			items: [{ cloudPcId: PC.adeleProvisioned }],
		});

		expect(result.output.map((item) => item.json.outcome)).toEqual(['requested']);
		expect(tokenCalls()).toHaveLength(1);
		expect(graphCalls().at(-1)?.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
	});

	test('an OAuth2 credential never connected ends the run at once; nothing is sent, nothing retried', async () => {
		const credentials = delegatedCredential(graph.url);
		delete credentials.microsoftCloudPcOAuth2Api.oauthTokenData;
		const started = Date.now();
		const { error } = await runCloudPcNode({ parameters: getMany, credentials });

		expect(error?.message).toBe('OAuth credentials not connected');
		expect(error?.description).toBe('Nothing was sent to Microsoft Graph.');
		expect(graph.requests).toEqual([]);
		// no backoff between retries: it failed on the first try
		expect(Date.now() - started).toBeLessThan(1000);
	});
});
