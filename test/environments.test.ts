import { resolveEndpoints } from '../nodes/MicrosoftCloudPc/environments';
import { TestCredentialsHelper } from './harness/credentials-helper';
import { credentialTypes, nodeTypes } from './harness/run-workflow';

const helper = new TestCredentialsHelper(credentialTypes, nodeTypes);
const delegated = (data: Record<string, unknown>) =>
	helper.applyDefaults('microsoftCloudPcOAuth2Api', {
		tenantId: 'contoso.onmicrosoft.com',
		...data,
	});

describe('national clouds', () => {
	test.each([
		[
			'global',
			'https://login.microsoftonline.com',
			'https://graph.microsoft.com',
			'CloudPC.ReadWrite.All offline_access',
		],
		[
			'usGovL4',
			'https://login.microsoftonline.us',
			'https://graph.microsoft.us',
			'https://graph.microsoft.us/CloudPC.ReadWrite.All offline_access',
		],
		[
			'usGovL5',
			'https://login.microsoftonline.us',
			'https://dod-graph.microsoft.us',
			'https://dod-graph.microsoft.us/CloudPC.ReadWrite.All offline_access',
		],
		[
			'china',
			'https://login.chinacloudapi.cn',
			'https://microsoftgraph.chinacloudapi.cn',
			'https://microsoftgraph.chinacloudapi.cn/CloudPC.ReadWrite.All offline_access',
		],
	])('%s: sign-in at %s, Graph at %s', (environment, login, graph, scope) => {
		const resolved = delegated({ environment });

		expect(resolved.authUrl).toBe(`${login}/contoso.onmicrosoft.com/oauth2/v2.0/authorize`);
		expect(resolved.accessTokenUrl).toBe(`${login}/contoso.onmicrosoft.com/oauth2/v2.0/token`);
		expect(resolved.scope).toBe(scope);
		expect(resolveEndpoints(resolved)).toEqual({ loginBaseUrl: login, graphBaseUrl: graph });
	});

	test('Global is the default environment', () => {
		const resolved = delegated({});
		expect(resolved.accessTokenUrl).toBe(
			'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
		);
		expect(resolveEndpoints(resolved).graphBaseUrl).toBe('https://graph.microsoft.com');
	});

	test('Custom takes explicit URLs, without trailing slashes', () => {
		const resolved = delegated({
			environment: 'custom',
			loginBaseUrl: 'https://login.gateway.example/',
			graphBaseUrl: 'https://graph.gateway.example/',
		});
		expect(resolved.accessTokenUrl).toBe(
			'https://login.gateway.example/contoso.onmicrosoft.com/oauth2/v2.0/token',
		);
		expect(resolved.scope).toBe('CloudPC.ReadWrite.All offline_access');
		expect(resolveEndpoints(resolved)).toEqual({
			loginBaseUrl: 'https://login.gateway.example',
			graphBaseUrl: 'https://graph.gateway.example',
		});
	});
});
