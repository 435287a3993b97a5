import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { createGraphClient, type Authentication, type GraphClient } from '../transport/graph';
import * as cloudPc from './cloudPc';

/** One result per input item, in input order: its output, or its error plus what is known. */
export type ItemResult = { json: IDataObject } | { error: Error; json: IDataObject };

type Operation = (
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	graph: GraphClient,
) => Promise<ItemResult[]>;

const operations: Record<string, Operation> = {
	reprovision: cloudPc.reprovision.execute,
};

export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as string;
	const run = operations[operation];
	if (!run) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	}
	const authentication = this.getNodeParameter('authentication', 0) as Authentication;
	const graph = await createGraphClient(this, authentication);
	const results = await run.call(this, items, graph);
	if (results.length !== items.length) {
		throw new NodeOperationError(
			this.getNode(),
			`Internal error: ${results.length} results for ${items.length} items`,
		);
	}
	// Operations only return errors when "Continue On Fail" is on; otherwise they throw.
	return [
		results.map((result, itemIndex) => ({
			json:
				'error' in result
					? {
							...result.json,
							error: result.error.message,
							errorDescription: (result.error as { description?: string }).description ?? null,
						}
					: result.json,
			pairedItem: { item: itemIndex },
		})),
	];
}
