import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import * as cloudPc from './actions/cloudPc';
import { credentialsDescription } from './shared/descriptions';
import { nodeProperties } from './actions/node.description';
import { route } from './actions/router';
import { searchCloudPcs, searchSnapshots } from './methods/listSearch';

export class MicrosoftCloudPc implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Microsoft Cloud PC',
		name: 'microsoftCloudPc',
		icon: {
			light: 'file:../../icons/microsoftCloudPc.svg',
			dark: 'file:../../icons/microsoftCloudPc.dark.svg',
		},
		group: ['transform'],
		// 2: Check for an Earlier Reprovision is Always unless set (On Retry in 1)
		version: [1, 2],
		defaultVersion: 2,
		subtitle: cloudPc.subtitle,
		description: 'Consume the Windows 365 Cloud PC API of Microsoft Graph',
		defaults: { name: 'Microsoft Cloud PC' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: credentialsDescription,
		properties: nodeProperties,
	};

	methods = {
		listSearch: { searchCloudPcs, searchSnapshots },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route.call(this);
	}
}
