import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { acquireAppOnlyToken } from '../nodes/MicrosoftCloudPc/auth/msal';
import { endpointExpression } from '../nodes/MicrosoftCloudPc/environments';
import { USER_AGENT } from '../nodes/MicrosoftCloudPc/transport/userAgent';
import { environmentProperties } from './environment.properties';

const appRegistration = { show: { authMethod: ['clientSecret', 'clientCertificate'] } };
const certificate = { show: { authMethod: ['clientCertificate'] } };
const managedIdentity = { show: { authMethod: ['managedIdentity'] } };

/**
 * App-only access (client credentials or managed identity) for unattended workflows. Tokens come
 * from @azure/msal-node in `authenticate`, which n8n calls for every request of this credential.
 */
export class MicrosoftCloudPcAppOnlyApi implements ICredentialType {
	name = 'microsoftCloudPcAppOnlyApi';

	displayName = 'Microsoft Cloud PC (App-Only) API';

	icon: Icon = {
		light: 'file:../icons/microsoftCloudPc.svg',
		dark: 'file:../icons/microsoftCloudPc.dark.svg',
	};

	documentationUrl =
		'https://github.com/n8n-nodes-microsoft-cloudpc/n8n-nodes-microsoft-cloudpc#app-only-unattended';

	properties: INodeProperties[] = [
		...environmentProperties,
		{
			displayName: 'Authentication',
			name: 'authMethod',
			type: 'options',
			options: [
				{
					name: 'Client Secret',
					value: 'clientSecret',
					description: 'A secret of an app registration',
				},
				{
					name: 'Client Certificate',
					value: 'clientCertificate',
					description: 'A certificate uploaded to an app registration, with its private key',
				},
				{
					name: 'Managed Identity',
					value: 'managedIdentity',
					description: 'The identity of the Azure resource n8n runs on; no secret to store',
				},
			],
			default: 'clientSecret',
		},
		{
			displayName: 'Tenant ID',
			name: 'tenantId',
			type: 'string',
			default: '',
			placeholder: '00000000-0000-0000-0000-000000000000',
			description:
				'Directory (tenant) ID or a verified domain of the tenant that owns the Cloud PCs. "common" and "organizations" do not work without a signed-in user.',
			required: true,
			displayOptions: appRegistration,
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			placeholder: '00000000-0000-0000-0000-000000000000',
			description:
				'Application (client) ID of the app registration; it needs the Microsoft Graph application permission CloudPC.ReadWrite.All with admin consent',
			required: true,
			displayOptions: appRegistration,
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: "The secret's Value (not its Secret ID) from Certificates & secrets",
			required: true,
			displayOptions: { show: { authMethod: ['clientSecret'] } },
		},
		{
			displayName: 'Private Key',
			name: 'privateKey',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			placeholder: '-----BEGIN PRIVATE KEY-----',
			description:
				'Unencrypted PEM RSA private key of the certificate uploaded to the app registration',
			required: true,
			displayOptions: certificate,
		},
		{
			displayName: 'Thumbprint',
			name: 'thumbprint',
			type: 'string',
			default: '',
			placeholder: 'SHA-256 (64 hex digits) or SHA-1 (40 hex digits)',
			description:
				'Thumbprint of the uploaded certificate (Certificates & secrets); SHA-256 is preferred, SHA-1 is what the Entra admin center shows',
			required: true,
			displayOptions: certificate,
		},
		{
			displayName: 'Certificate Chain (X5c)',
			name: 'certificateChain',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			placeholder: '-----BEGIN CERTIFICATE-----',
			description:
				"Optional PEM certificate, then its intermediates. Sent as x5c for subject name and issuer authentication (trustedCertificateSubjects in the app's manifest); also lets n8n report an expired certificate before signing in.",
			displayOptions: certificate,
		},
		{
			displayName: 'Managed Identity',
			name: 'managedIdentityType',
			type: 'options',
			options: [
				{ name: 'System-Assigned', value: 'systemAssigned' },
				{ name: 'User-Assigned, by Client ID', value: 'userAssignedClientId' },
				{ name: 'User-Assigned, by Resource ID', value: 'userAssignedResourceId' },
				{ name: 'User-Assigned, by Object (Principal) ID', value: 'userAssignedObjectId' },
			],
			default: 'systemAssigned',
			description:
				'Works only when n8n runs on an Azure resource with this identity (App Service, Functions, Container Apps, a VM). Grant the identity CloudPC.ReadWrite.All.',
			displayOptions: managedIdentity,
		},
		{
			displayName: 'Managed Identity ID',
			name: 'managedIdentityId',
			type: 'string',
			default: '',
			description: 'The client ID, resource ID or object ID of the user-assigned identity',
			required: true,
			displayOptions: {
				show: {
					authMethod: ['managedIdentity'],
					managedIdentityType: [
						'userAssignedClientId',
						'userAssignedResourceId',
						'userAssignedObjectId',
					],
				},
			},
		},
	];

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => ({
		...requestOptions,
		headers: {
			...requestOptions.headers,
			Authorization: `Bearer ${await acquireAppOnlyToken(credentials)}`,
		},
	});

	// n8n resolves the test request with the credential as `$credentials` (not `$self`).
	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{ ${endpointExpression('graphBaseUrl', '$credentials')} }}`,
			url: '/v1.0/deviceManagement/virtualEndpoint/cloudPCs',
			qs: { $top: 1, $select: 'id' },
			headers: { 'User-Agent': USER_AGENT },
			// as for every Graph call (transport/graph.ts): a redirect must not take the token along
			disableFollowRedirect: true,
		},
	};
}
