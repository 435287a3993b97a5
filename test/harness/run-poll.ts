import { PollContext, TriggersAndPollers } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type INodeParameters,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { TestCredentialsHelper } from './credentials-helper';
import { credentialTypes, instanceUrls, nodeTypes, TRIGGER_TYPE } from './run-workflow';

const TRIGGER_NODE = 'Microsoft Cloud PC Trigger';

export interface PollResult {
	/** the items the poll returned; null when it returned nothing (n8n starts no execution) */
	items: IDataObject[] | null;
	error?: Error & { description?: string; httpCode?: string };
}

/**
 * The trigger as an active workflow holds it: each `poll()` is one tick of n8n's poll schedule,
 * through n8n-core's PollContext and TriggersAndPollers.runPollFunction (what n8n's
 * ActiveWorkflows calls on each cron tick). Between polls the workflow's static data lives only
 * as JSON text, as n8n keeps it in its database, so every poll starts from what a restart
 * would see. It is saved after every poll, failed ones too: the worst n8n could do.
 */
export class Poller {
	/** the workflow's static data as the database holds it */
	staticData = '{}';
	private readonly credentialsHelper = new TestCredentialsHelper(credentialTypes, nodeTypes);
	private readonly node: INode;

	constructor(
		parameters: INodeParameters,
		credentials: Record<string, ICredentialDataDecryptedObject>,
		/** n8n's poll budget (getPollBudgetMs); n8n-core's default when not given */
		private readonly budgetMs?: number,
	) {
		const nodeCredentials: INode['credentials'] = {};
		for (const [type, data] of Object.entries(credentials)) {
			this.credentialsHelper.store.set(`cred-${type}`, data);
			nodeCredentials[type] = { id: `cred-${type}`, name: `${type} account` };
		}
		this.node = {
			id: 'trigger-node',
			name: TRIGGER_NODE,
			type: TRIGGER_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, ...parameters },
			credentials: nodeCredentials,
		};
	}

	/** One poll; `manual` is the editor's "Fetch Test Event". */
	async poll(mode: WorkflowExecuteMode = 'trigger'): Promise<PollResult> {
		const workflow = new Workflow({
			id: 'test-trigger-workflow',
			nodes: [this.node],
			connections: {},
			active: mode !== 'manual',
			nodeTypes,
			staticData: JSON.parse(this.staticData) as IDataObject,
			settings: { executionOrder: 'v1' },
		});
		const additionalData = {
			...instanceUrls,
			credentialsHelper: this.credentialsHelper,
			variables: {},
		} as unknown as IWorkflowExecuteAdditionalData;
		const node = workflow.getNode(TRIGGER_NODE)!;
		const budget = this.budgetMs;
		const context = new PollContext(
			workflow,
			node,
			additionalData,
			mode,
			'activate',
			undefined,
			undefined,
			undefined,
			undefined,
			undefined,
			budget === undefined ? undefined : () => budget,
		);
		const result: PollResult = { items: null };
		try {
			const data = await new TriggersAndPollers().runPollFunction(workflow, node, context);
			result.items = data?.[0]?.map((item) => item.json) ?? null;
		} catch (error) {
			result.error = error as PollResult['error'];
		}
		this.staticData = JSON.stringify(workflow.staticData);
		return result;
	}
}
