import type { INodeProperties } from 'n8n-workflow';

import { GRAPH_DEFAULT_SCOPE, NATIONAL_CLOUDS } from '../nodes/MicrosoftCloudPc/environments';

const NOT_DOCUMENTED =
	"Microsoft's reprovision and bulk action pages do not list this cloud: Graph may refuse Reprovision and Bulk Reprovision here";

/** Environment selection shared by both Cloud PC credential types. */
export const environmentProperties: INodeProperties[] = [
	{
		displayName: 'Environment',
		name: 'environment',
		type: 'options',
		options: [
			...Object.entries(NATIONAL_CLOUDS).map(([value, cloud]) => ({
				name: cloud.name,
				value,
				...(cloud.reprovision ? {} : { description: NOT_DOCUMENTED }),
			})),
			{
				name: 'Custom (API Gateway or Local Test Server)',
				value: 'custom',
			},
		],
		default: 'global',
		description:
			'The Microsoft cloud your tenant lives in. Microsoft documents Cloud PC reprovision and bulk actions for Global and US Government L4 only.',
	},
	{
		displayName: 'Login Base URL',
		name: 'loginBaseUrl',
		type: 'string',
		default: '',
		placeholder: 'https://login.example.com',
		description: 'Base URL of the identity platform, without tenant or path',
		displayOptions: { show: { environment: ['custom'] } },
		required: true,
	},
	{
		displayName: 'Graph Base URL',
		name: 'graphBaseUrl',
		type: 'string',
		default: '',
		placeholder: 'https://graph.example.com',
		description: 'Base URL of Microsoft Graph, without version (v1.0 or beta is added per request)',
		displayOptions: { show: { environment: ['custom'] } },
		required: true,
	},
	{
		displayName: 'Token Scope',
		name: 'tokenScope',
		type: 'string',
		default: '',
		placeholder: GRAPH_DEFAULT_SCOPE,
		description: `Scope to request tokens for, when the gateway expects tokens for its own resource (for example api://graph-gateway/.default). Empty: Microsoft Graph (${GRAPH_DEFAULT_SCOPE}; delegated sign-in asks for CloudPC.ReadWrite.All on it).`,
		displayOptions: { show: { environment: ['custom'] } },
	},
];
