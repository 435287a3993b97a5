import {
	NodeConnectionTypes,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';

import { credentialsDescription } from '../MicrosoftCloudPc/shared/descriptions';
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
		// n8n's panel shows this for the action node and the trigger together (one entry)
		description: 'Starts the workflow when Windows 365 Cloud PC events occur',
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
