import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { createGraphClient, type Authentication, type GraphClient } from '../transport/graph';
import * as cloudPc from './cloudPc';
import * as remoteAction from './remoteAction/remoteAction.operation';
import { REMOTE_ACTIONS } from '../remoteActions/registry';
import type { ItemResult } from '../shared/types';

type Operation = (
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	graph: GraphClient,
) => Promise<ItemResult[]>;

/** Answers each input item with any number of output items (0..n), like n8n's "Get Many". */
type FanOutOperation = (
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	graph: GraphClient,
) => Promise<ItemResult[][]>;

/** Each remote action of the registry runs on the one engine; the read operations beside them. */
const operations: Record<string, Operation> = {
	...Object.fromEntries(
		REMOTE_ACTIONS.map((d): [string, Operation] => [
			d.operation,
			async function (items, graph) {
				return await remoteAction.execute.call(this, d, items, graph);
			},
		]),
	),
	get: cloudPc.get.execute,
	getActionStatus: cloudPc.getActionStatus.execute,
	getReprovisionStatus: cloudPc.getReprovisionStatus.execute,
	bulkReprovision: cloudPc.bulkReprovision.execute,
	getSnapshots: cloudPc.getSnapshots.execute,
	getSupportedActions: cloudPc.getSupportedActions.execute,
	getConnectivityHistory: cloudPc.getConnectivityHistory.execute,
	getActionResults: cloudPc.getActionResults.execute,
	bulkAction: cloudPc.bulkAction.execute,
};

const fanOutOperations: Record<string, FanOutOperation> = {
	getMany: cloudPc.getMany.execute,
};

export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as string;
	const run = operations[operation];
	const fanOut = fanOutOperations[operation];
	if (!run && !fanOut) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	}
	const authentication = this.getNodeParameter('authentication', 0) as Authentication;
	// One list of results per input item: exactly one each, except for fan-out operations.
	let results: ItemResult[][];
	try {
		const graph = await createGraphClient(this, authentication);
		results = fanOut
			? await fanOut.call(this, items, graph)
			: (await run.call(this, items, graph)).map((result) => [result]);
	} catch (error) {
		// The run as a whole failed (say, a credential that cannot sign in): with Continue On Fail
		// every item still gets its output item, carrying the error.
		const failure =
			error instanceof NodeApiError || error instanceof NodeOperationError
				? error
				: new NodeOperationError(this.getNode(), error as Error);
		if (!this.continueOnFail()) throw failure;
		results = items.map(() => [{ error: failure, json: { outcome: 'failed' } }]);
	}
	if (results.length !== items.length) {
		throw new NodeOperationError(
			this.getNode(),
			`Internal error: ${results.length} results for ${items.length} items`,
		);
	}
	// Operations only return errors when "Continue On Fail" is on; otherwise they throw.
	return [
		results.flatMap((perItem, itemIndex) =>
			perItem.map((result) => ({
				json: 'error' in result ? errorItem(result) : result.json,
				pairedItem: { item: itemIndex },
			})),
		),
	];
}

/**
 * An error item has the same failure fields whatever failed (bad input, Graph, sign-in), so a
 * ticket or chat step can read `errorMessage` and `hint` without fallbacks.
 */
function errorItem({ error, json }: { error: Error; json: IDataObject }): IDataObject {
	const description = (error as { description?: string | null }).description ?? null;
	return {
		outcome: 'failed',
		statusCode: null,
		errorCode: null,
		errorMessage: error.message,
		hint: description,
		requestId: null,
		...json,
		error: error.message,
		errorDescription: description,
	};
}
