import type { INode } from 'n8n-workflow';

import { resolveEndpoints, type CloudEnvironment } from '../../nodes/MicrosoftCloudPc/environments';
import {
	failureFromAnswer,
	hintFor,
	toNodeApiError,
} from '../../nodes/MicrosoftCloudPc/transport/graphErrors';
import { TestCredentialsHelper } from '../harness/credentials-helper';
import { credentialTypes, nodeTypes } from '../harness/run-workflow';

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

	test("Custom asks for Token Scope when set, Graph's permission when empty", () => {
		const custom = {
			environment: 'custom',
			loginBaseUrl: 'https://login.gateway.example',
			graphBaseUrl: 'https://graph.gateway.example',
		};
		expect(delegated({ ...custom, tokenScope: ' api://graph-gateway/.default ' }).scope).toBe(
			'api://graph-gateway/.default offline_access',
		);
		expect(delegated({ ...custom, tokenScope: '' }).scope).toBe(
			'CloudPC.ReadWrite.All offline_access',
		);
		// a Token Scope left over from Custom does not change a national cloud's scope
		expect(
			delegated({ environment: 'usGovL4', tokenScope: 'api://graph-gateway/.default' }).scope,
		).toBe('https://graph.microsoft.us/CloudPC.ReadWrite.All offline_access');
	});
});

describe('credential dialogs', () => {
	const fields = (type: string) =>
		credentialTypes
			.find((candidate) => candidate.name === type)!
			.properties.filter((property) => property.type !== 'hidden')
			.map((property) => property.name);

	test('both list Environment, its Custom fields, then Tenant ID in the same order', () => {
		const shared = ['environment', 'loginBaseUrl', 'graphBaseUrl', 'tokenScope'];
		expect(fields('microsoftCloudPcOAuth2Api')).toEqual([...shared, 'tenantId']);
		const appOnly = fields('microsoftCloudPcAppOnlyApi');
		expect(appOnly.slice(0, shared.length)).toEqual(shared);
		expect(appOnly.indexOf('tenantId')).toBeLessThan(appOnly.indexOf('clientId'));
		expect(appOnly.indexOf('clientId')).toBeLessThan(appOnly.indexOf('clientSecret'));
	});

	test('the Environment options say where Microsoft documents reprovision', () => {
		const environment = credentialTypes[0].properties.find((p) => p.name === 'environment')!;
		expect(environment.description).toContain('Global and US Government L4 only');
		const described = Object.fromEntries(
			(environment.options as Array<{ value: string; description?: string }>).map((option) => [
				option.value,
				option.description,
			]),
		);
		expect(described.global).toBeUndefined();
		expect(described.usGovL4).toBeUndefined();
		expect(described.usGovL5).toContain('do not list this cloud');
		expect(described.china).toContain('do not list this cloud');
	});
});

describe("Graph's refusal in a cloud where Microsoft does not document Cloud PC actions", () => {
	const refusal = (cloud: CloudEnvironment | undefined, status = 400, code = 'BadRequest') =>
		failureFromAnswer(
			status,
			{ 'request-id': 'r-1' },
			{ error: { code, message: "Resource not found for the segment 'reprovision'." } },
			'c-1',
			cloud,
		);

	test.each([
		['usGovL5', 400, 'BadRequest', 'US Government L5 / DoD (dod-graph.microsoft.us)'],
		['usGovL5', 404, 'ResourceNotFound', 'US Government L5 / DoD (dod-graph.microsoft.us)'],
		['china', 405, 'MethodNotAllowed', 'China, operated by 21Vianet'],
		['china', 403, 'NotSupported', 'China, operated by 21Vianet'],
	])('%s, %s %s: the hint names the cloud', (cloud, status, code, name) => {
		const hint = hintFor(refusal(cloud as CloudEnvironment, status, code));
		expect(hint).toContain(`The credential's environment is ${name}`);
		expect(hint).toContain('Global and US Government L4 only');
	});

	test('the cloud is named in the error n8n shows, beside the usual hint', () => {
		const node = { name: 'Microsoft Cloud PC' } as INode;
		const error = toNodeApiError(node, refusal('usGovL5'), 0);
		expect(error.description).toMatch(
			/^The credential's environment is US Government L5 .* Otherwise: A Cloud PC can be reprovisioned only when/,
		);
	});

	test.each([['global'], ['usGovL4'], ['custom'], [undefined]])(
		'%s: no cloud is blamed',
		(cloud) => {
			expect(hintFor(refusal(cloud as CloudEnvironment | undefined))).not.toContain(
				"credential's environment",
			);
		},
	);

	test('throttling or a transient fault in those clouds is not blamed on the cloud', () => {
		expect(hintFor(refusal('usGovL5', 429, 'TooManyRequests'))).toContain('throttling');
		expect(hintFor(refusal('china', 503, 'ServiceUnavailable'))).not.toContain('environment');
	});
});
