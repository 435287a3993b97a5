import type { INodeProperties } from 'n8n-workflow';

import * as reprovision from './reprovision.operation';

export { reprovision };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['cloudPc'] } },
		options: [
			{
				name: 'Reprovision',
				value: 'reprovision',
				description:
					'Reprovision a Cloud PC: DESTRUCTIVE, it wipes the Cloud PC and rebuilds it from its provisioning policy; the user loses all data on it',
				action: 'Reprovision a cloud PC',
			},
		],
		default: 'reprovision',
	},
	...reprovision.description,
];
