import { ExecutionLifecycleHooks, LoadOptionsContext, WorkflowExecute } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeListSearchResult,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { MicrosoftCloudPcAppOnlyApi } from '../../credentials/MicrosoftCloudPcAppOnlyApi.credentials';
import { MicrosoftCloudPcOAuth2Api } from '../../credentials/MicrosoftCloudPcOAuth2Api.credentials';
import { MicrosoftCloudPc } from '../../nodes/MicrosoftCloudPc/MicrosoftCloudPc.node';
import { MicrosoftCloudPcTrigger } from '../../nodes/MicrosoftCloudPcTrigger/MicrosoftCloudPcTrigger.node';
import { TestCredentialsHelper } from './credentials-helper';
import { Items } from './items.node';

export const NODE_TYPE = 'n8n-nodes-microsoft-cloudpc.microsoftCloudPc';
export const TRIGGER_TYPE = 'n8n-nodes-microsoft-cloudpc.microsoftCloudPcTrigger';
const ITEMS_TYPE = 'test.items';

const nodeTypeMap: Record<string, INodeType> = {
	[NODE_TYPE]: new MicrosoftCloudPc(),
	[TRIGGER_TYPE]: new MicrosoftCloudPcTrigger(),
	[ITEMS_TYPE]: new Items(),
};

export const nodeTypes: INodeTypes = {
	getByName: (type) => nodeTypeMap[type],
	getByNameAndVersion: (type) => nodeTypeMap[type],
	getKnownTypes: () => ({}),
};

export const credentialTypes: ICredentialType[] = [
	new MicrosoftCloudPcOAuth2Api(),
	new MicrosoftCloudPcAppOnlyApi(),
];

export interface RunOptions {
	/** parameters of the Microsoft Cloud PC node */
	parameters: INodeParameters;
	/** JSON items fed into the node by a preceding "Items" node */
	items?: IDataObject[];
	/** credential type → stored credential data */
	credentials: Record<string, ICredentialDataDecryptedObject>;
	continueOnFail?: boolean;
	/** reuse a helper across runs (to see token write-backs persist) */
	credentialsHelper?: TestCredentialsHelper;
	/** how the execution was started; 'retry' is a user's retry of a failed execution */
	mode?: WorkflowExecuteMode;
	/** the execution's ID; each run gets a new one unless a test names it */
	executionId?: string;
	/** the node's version (n8n's typeVersion) */
	typeVersion?: number;
	/** n8n's node settings: Retry On Fail, Max Tries, Wait Between Tries (ms) */
	settings?: Pick<INode, 'retryOnFail' | 'maxTries' | 'waitBetweenTries'>;
}

export interface RunResult {
	run: IRun;
	/** the Cloud PC node's output items (empty when it failed) */
	output: INodeExecutionData[];
	/** the node's error when the execution failed */
	error?: Error & { description?: string; httpCode?: string; context?: IDataObject };
	credentialsHelper: TestCredentialsHelper;
}

const CLOUD_PC_NODE = 'Microsoft Cloud PC';

/** Executions started so far in this test process: each gets its own ID, as in n8n. */
let executions = 0;

/** URLs n8n-core builds into parameter resolution; they must be real, not empty. */
export const instanceUrls = {
	restApiUrl: 'http://127.0.0.1:5678/rest',
	instanceBaseUrl: 'http://127.0.0.1:5678/',
	formBaseUrl: 'http://127.0.0.1:5678/form',
	formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
	formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
	webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
	webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
	webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
	mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
	mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
};

/** "Items → Microsoft Cloud PC" as n8n would hold it, with credentials stored as n8n does. */
function buildWorkflow(options: RunOptions) {
	const credentialsHelper =
		options.credentialsHelper ?? new TestCredentialsHelper(credentialTypes, nodeTypes);
	const nodeCredentials: INode['credentials'] = {};
	for (const [type, data] of Object.entries(options.credentials)) {
		const id = `cred-${type}`;
		credentialsHelper.store.set(id, data);
		nodeCredentials[type] = { id, name: `${type} account` };
	}

	const nodes: INode[] = [
		{
			id: 'items-node',
			name: 'Items',
			type: ITEMS_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: { items: JSON.stringify(options.items ?? [{}]) },
		},
		{
			id: 'cloudpc-node',
			name: CLOUD_PC_NODE,
			type: NODE_TYPE,
			typeVersion: options.typeVersion ?? 1,
			position: [200, 0],
			parameters: options.parameters,
			credentials: nodeCredentials,
			...options.settings,
			...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		},
	];
	const connections = {
		Items: { main: [[{ node: CLOUD_PC_NODE, type: 'main' as const, index: 0 }]] },
	};
	const workflowData: IWorkflowBase = {
		id: 'test-workflow',
		name: 'test',
		active: false,
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
		createdAt: new Date(),
		updatedAt: new Date(),
		isArchived: false,
		activeVersionId: null,
	};
	const workflow = new Workflow({
		id: workflowData.id,
		nodes,
		connections,
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1' },
	});

	const executionId = options.executionId ?? `test-execution-${++executions}`;
	const hooks = new ExecutionLifecycleHooks(options.mode ?? 'manual', executionId, workflowData);
	const additionalData = {
		...instanceUrls,
		hooks,
		credentialsHelper,
		currentNodeExecutionIndex: 0,
		variables: {},
		executionId,
		logAiEvent: () => {},
	} as unknown as IWorkflowExecuteAdditionalData;
	return { workflow, additionalData, credentialsHelper };
}

/** Runs the workflow through n8n-core's WorkflowExecute, the engine n8n itself uses. */
export async function runCloudPcNode(options: RunOptions): Promise<RunResult> {
	return await startCloudPcNode(options).done;
}

export interface StartedRun {
	/** the run's result, once n8n-core's WorkflowExecute has ended it (cancelled or not) */
	done: Promise<RunResult>;
	/** cancels the execution as n8n's "Stop" does: the node's cancel signal aborts */
	cancel: () => void;
}

/** Starts the workflow and hands back a way to cancel it, as n8n's "Stop execution" does. */
export function startCloudPcNode(options: RunOptions): StartedRun {
	const { workflow, additionalData, credentialsHelper } = buildWorkflow(options);
	const execution = new WorkflowExecute(additionalData, options.mode ?? 'manual').run({
		workflow,
		startNode: workflow.getNode('Items')!,
	});
	const done = (async (): Promise<RunResult> => {
		const run = await execution;
		const taskData = run.data.resultData.runData[CLOUD_PC_NODE]?.[0];
		return {
			run,
			output: taskData?.data?.main?.[0] ?? [],
			error: (taskData?.error ?? run.data.resultData.error) as RunResult['error'],
			credentialsHelper,
		};
	})();
	return { done, cancel: () => execution.cancel() };
}

/** Calls the node's "From List" search as the editor does, through n8n-core's LoadOptionsContext. */
export async function searchCloudPcs(
	options: RunOptions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchList('searchCloudPcs', 'cloudPcId', options, filter, paginationToken);
}

/** Calls one of the node's list searches for the field `parameter`, as the editor does. */
export async function searchList(
	method: string,
	parameter: string,
	options: RunOptions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const { workflow, additionalData } = buildWorkflow(options);
	additionalData.currentNodeParameters = options.parameters;
	const node = workflow.getNode(CLOUD_PC_NODE)!;
	const context = new LoadOptionsContext(workflow, node, additionalData, `parameters.${parameter}`);
	const nodeType = nodeTypeMap[NODE_TYPE];
	return await nodeType.methods!.listSearch![method].call(context, filter, paginationToken);
}
