import type { INodeProperties } from 'n8n-workflow';

import * as cloudPc from './cloudPc';
import { authenticationProperty } from '../shared/descriptions';
import { throughputOptions } from './throughput';
import { BETA_ONLY_OPERATIONS } from '../remoteActions/registry';

export const nodeProperties: INodeProperties[] = [
	authenticationProperty,
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [{ name: 'Cloud PC', value: 'cloudPc' }],
		default: 'cloudPc',
	},
	...cloudPc.description,
	{
		displayName: 'API Version',
		name: 'apiVersion',
		type: 'options',
		options: [
			{
				name: 'v1.0',
				value: 'v1.0',
				description:
					'Generally available Graph API. Get, Get Many and the From List picker read through beta when they return status, which v1.0 lacks (see Options › Fields).',
			},
			{ name: 'Beta', value: 'beta', description: 'Preview Graph API; adds status fields' },
		],
		default: 'v1.0',
		description: 'Microsoft Graph version to call',
		// These exist only in beta and always use it: the beta reads, and every remote action
		// without a v1.0 route (from the registry).
		displayOptions: {
			hide: {
				operation: [
					'getReprovisionStatus',
					'getActionStatus',
					'bulkReprovision',
					'bulkAction',
					'getSnapshots',
					'getSupportedActions',
					'getConnectivityHistory',
					'getActionResults',
					...BETA_ONLY_OPERATIONS,
				],
			},
		},
	},
	throughputOptions,
];
