import type { Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import {
	delegatedScopeExpression,
	endpointExpression,
} from '../nodes/MicrosoftCloudPc/environments';
import { USER_AGENT } from '../nodes/MicrosoftCloudPc/transport/userAgent';
import { environmentProperties } from './environment.properties';

const loginBase = endpointExpression('loginBaseUrl');

/**
 * Delegated sign-in (authorization code) for a work or school account. n8n's own OAuth2
 * machinery stores and refreshes the tokens; this type only says where and what to ask for.
 */
export class MicrosoftCloudPcOAuth2Api implements ICredentialType {
	name = 'microsoftCloudPcOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Microsoft Cloud PC OAuth2 API';

	icon: Icon = {
		light: 'file:../icons/microsoftCloudPc.svg',
		dark: 'file:../icons/microsoftCloudPc.dark.svg',
	};

	documentationUrl =
		'https://github.com/n8n-nodes-microsoft-cloudpc/n8n-nodes-microsoft-cloudpc#delegated-sign-in-oauth2';

	properties: INodeProperties[] = [
		...environmentProperties,
		{
			displayName: 'Tenant ID',
			name: 'tenantId',
			type: 'string',
			default: 'organizations',
			placeholder: 'contoso.onmicrosoft.com',
			description:
				'Directory (tenant) ID or primary domain; "organizations" lets any work or school account sign in',
			required: true,
		},
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'authorizationCode',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: `={{ ${loginBase} + '/' + encodeURIComponent($self.tenantId) + '/oauth2/v2.0/authorize' }}`,
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: `={{ ${loginBase} + '/' + encodeURIComponent($self.tenantId) + '/oauth2/v2.0/token' }}`,
		},
		{
			// Outside the global cloud a bare scope would name graph.microsoft.com, so national
			// clouds qualify it with their own Graph host.
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: `={{ ${delegatedScopeExpression()} }}`,
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: 'response_mode=query',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'body',
		},
	];

	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{ ${endpointExpression('graphBaseUrl', '$credentials')} }}`,
			url: '/v1.0/me/cloudPCs',
			qs: { $select: 'id' },
			headers: { 'User-Agent': USER_AGENT },
			// as for every Graph call (transport/graph.ts): a redirect must not take the token along
			disableFollowRedirect: true,
		},
	};
}
