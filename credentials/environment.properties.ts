import type { INodeProperties } from 'n8n-workflow';

import { NATIONAL_CLOUDS } from '../nodes/MicrosoftCloudPc/environments';

/** Environment selection shared by both Cloud PC credential types. */
export const environmentProperties: INodeProperties[] = [
	{
		displayName: 'Environment',
		name: 'environment',
		type: 'options',
		options: [
			...Object.entries(NATIONAL_CLOUDS).map(([value, cloud]) => ({ name: cloud.name, value })),
			{
				name: 'Custom (API Gateway or Local Test Server)',
				value: 'custom',
			},
		],
		default: 'global',
		description: 'The Microsoft cloud your tenant lives in',
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
];
