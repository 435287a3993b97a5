import {
	NodeConnectionTypes,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';

import { credentialsDescription } from '../MicrosoftCloudPc/actions/common.descriptions';
import { triggerProperties } from './description';
import { pollCloudPcs } from './poll';

export class MicrosoftCloudPcTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Microsoft Cloud PC Trigger',
		name: 'microsoftCloudPcTrigger',
		icon: {
			light: 'file:../../icons/microsoftCloudPc.svg',
			dark: 'file:../../icons/microsoftCloudPc.dark.svg',
		},
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["event"] }}',
		description:
			'Starts a workflow when a Windows 365 Cloud PC changes status, finishes a reprovision, appears or goes away',
		defaults: { name: 'Microsoft Cloud PC Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: credentialsDescription,
		properties: triggerProperties,
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollCloudPcs.call(this);
	}
}
