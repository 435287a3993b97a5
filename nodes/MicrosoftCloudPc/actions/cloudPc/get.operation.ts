import {
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	updateDisplayOptions,
} from 'n8n-workflow';

import type { GraphClient, GraphVersion } from '../../transport/graph';
import {
	readOptionsCollection,
	cloudPcLocator,
	scopeProperty,
	userProperty,
} from '../../shared/descriptions';
import { readCloudPcId, readScope, readUser } from '../validate';
import { fetchEach } from './batchedReads';
import { cloudPcFields } from '../../shared/outputFields';
import { readsStatus, readSelect, readVersionFor, selectQuery } from './selectFields';
import type { ItemResult } from '../../shared/types';
import { cloudPcPath, type Scope } from '../../model';

const displayOptions = { show: { resource: ['cloudPc'], operation: ['get'] } };

const properties: INodeProperties[] = [
	scopeProperty,
	userProperty,
	cloudPcLocator,
	readOptionsCollection,
];

export const description = updateDisplayOptions(displayOptions, properties);

interface GetPlan {
	scope: Scope;
	user: string | null;
	cloudPcId: string;
	version: GraphVersion;
	fields: string[];
	/** built while validating, so nothing about it can fail once sending has started */
	path: string;
}

function plan(ctx: IExecuteFunctions, itemIndex: number, graph: GraphClient): GetPlan {
	const scope = readScope(ctx, itemIndex, graph.authentication);
	const user = scope === 'user' ? readUser(ctx, itemIndex) : null;
	const cloudPcId = readCloudPcId(ctx, itemIndex);
	const { fields } = readSelect(ctx, itemIndex);
	const version = readVersionFor(ctx, itemIndex, readsStatus(fields));
	const path = cloudPcPath(scope, user ?? undefined, cloudPcId);
	return { scope, user, cloudPcId, version, fields, path };
}

/** Reads each item's Cloud PC: one GET per item, 20 to a JSON batch. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	graph: GraphClient,
): Promise<ItemResult[]> {
	const known = (p: GetPlan) => ({
		cloudPcId: p.cloudPcId,
		scope: p.scope,
		user: p.user,
		apiVersion: p.version,
	});
	return await fetchEach(this, graph, items.length, {
		plan: (itemIndex) => plan(this, itemIndex, graph),
		request: (p) => ({
			method: 'GET',
			version: p.version,
			path: p.path,
			qs: selectQuery(p.fields),
		}),
		known,
		output: (p, response) => ({
			...cloudPcFields(response.body),
			...known(p),
			requestId: response.requestId ?? null,
		}),
	});
}
