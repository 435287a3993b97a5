import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	updateDisplayOptions,
} from 'n8n-workflow';

import type { BatchResult } from '../../transport/batch';
import type { GraphClient } from '../../transport/graph';
import { cloudPcLocator, organizationBetaNotice } from '../../shared/descriptions';
import { remoteActionFields } from '../../shared/outputFields';
import { withEveryPage } from '../../shared/remoteActionPages';
import {
	latestAction,
	outcomeOfAction,
	reasonOfAction,
	remoteActionResultsRequest,
} from '../../shared/remoteActionResults';
import type { ItemResult } from '../../shared/types';
import type { RemoteActionDescriptor } from '../../remoteActions/descriptor';
import { REMOTE_ACTIONS, remoteActionOf } from '../../remoteActions/registry';
import { readThroughput } from '../throughput';
import { invalid, readCloudPcId } from '../validate';
import { show } from '../../shared/textChecks';
import { readParameter } from '../parameters';
import { fetchPlanned } from './batchedReads';
import { ItemPlanner } from './itemPlanner';
import { graphFailureResult, notReached } from './runReport';

/*
 * Get Action Status: the latest action of the chosen kind (any action of the registry) on each
 * item's Cloud PC, from every page of its beta `retrieveCloudPcRemoteActionResults` (admin
 * route), 20 first pages to a JSON batch. Get Reprovision Status is this with Reprovision fixed.
 */

const displayOptions = { show: { resource: ['cloudPc'], operation: ['getActionStatus'] } };

const properties: INodeProperties[] = [
	organizationBetaNotice,
	{
		displayName: 'Action',
		name: 'remoteAction',
		type: 'options',
		options: REMOTE_ACTIONS.map((d) => ({
			name: d.displayName,
			value: d.operation,
			description: `Graph's "${d.actionName}" remote action`,
		})).sort((a, b) => a.name.localeCompare(b.name)),
		default: 'reprovision',
		description: 'Which remote action to report the latest run of',
	},
	cloudPcLocator,
];

export const description = updateDisplayOptions(displayOptions, properties);

interface StatusPlan {
	cloudPcId: string;
	action: RemoteActionDescriptor;
}

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	graph: GraphClient,
): Promise<ItemResult[]> {
	return await fetchActionStatus(this, graph, items.length, (itemIndex) =>
		readAction(this, itemIndex),
	);
}

/** The Action parameter: an operation value of the registry. */
function readAction(ctx: IExecuteFunctions, itemIndex: number): RemoteActionDescriptor {
	const operation = readParameter(ctx, 'remoteAction', itemIndex, 'reprovision');
	const action = remoteActionOf(String(operation));
	if (action) return action;
	const known = REMOTE_ACTIONS.map((d) => d.operation).join(', ');
	throw invalid(ctx, itemIndex, 'Action', `must be one of ${known}; got ${show(operation)}`);
}

/**
 * Each item's latest action of its kind, from every page of its Cloud PC's remote action
 * results. `actionOf` names the action per item (and may fail the item).
 */
export async function fetchActionStatus(
	ctx: IExecuteFunctions,
	graph: GraphClient,
	count: number,
	actionOf: (itemIndex: number) => RemoteActionDescriptor,
	withActionField = true,
): Promise<ItemResult[]> {
	const planner = new ItemPlanner<StatusPlan>(ctx, count, (itemIndex) => ({
		action: actionOf(itemIndex),
		cloudPcId: readCloudPcId(ctx, itemIndex),
	}));
	if (planner.stopOnError) await planner.planAll();
	const throughput = readThroughput(ctx);
	const request = (p: StatusPlan) => remoteActionResultsRequest(p.cloudPcId);
	const answers = await fetchPlanned(ctx, graph, planner, count, request, throughput);
	const results: ItemResult[] = [];
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		if (!planner.wasPlanned(itemIndex)) {
			results.push({ error: notReached(ctx), json: {} });
			continue;
		}
		const p = planner.plan(itemIndex);
		if (p === undefined) {
			results.push(planner.failure(itemIndex) as ItemResult);
			continue;
		}
		const first = answers[itemIndex];
		const answer = first && (await withEveryPage(graph, throughput, p.cloudPcId, first));
		results.push(resultOf(ctx, p, itemIndex, answer, withActionField));
	}
	return results;
}

function resultOf(
	ctx: IExecuteFunctions,
	p: StatusPlan,
	itemIndex: number,
	answer: BatchResult | undefined,
	withActionField: boolean,
): ItemResult {
	const known = {
		...(withActionField ? { action: p.action.operation } : {}),
		cloudPcId: p.cloudPcId,
		apiVersion: 'beta',
	};
	if (!answer) return { error: notReached(ctx), json: known };
	if (!answer.ok) return graphFailureResult(ctx, answer.failure, itemIndex, known);
	const { response } = answer;
	const action = latestAction(response.body, p.action.actionName);
	const state = action ? outcomeOfAction(action.actionState) : undefined;
	const json: IDataObject = {
		...known,
		...remoteActionFields(action),
		outcome: state?.outcome ?? null,
		// One field for a wait loop's IF node: true until the action is done or failed.
		stillRunning: state ? !state.final : false,
		reason: action
			? reasonOfAction(action, p.action.words.noun)
			: `No ${p.action.words.noun} action found for this Cloud PC`,
		requestId: response.requestId ?? null,
	};
	return { json };
}
