import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	updateDisplayOptions,
} from 'n8n-workflow';

import type { GraphClient, GraphRequest } from '../../transport/graph';
import { adminBetaReadNotice, cloudPcLocator } from '../../shared/descriptions';
import type { PageLimit } from '../../shared/paging';
import type { ItemResult } from '../../shared/types';
import { cloudPcPath } from '../../model';
import { readCloudPcId } from '../validate';
import { fetchEach } from './batchedReads';

/*
 * A read of one Cloud PC through a function of the beta admin route,
 * `GET /beta/deviceManagement/virtualEndpoint/cloudPCs/{id}/<function>`, described as data: Get
 * Snapshots, Get Supported Actions, Get Connectivity History and Get Action Results. Each reads
 * every page of its list for each input item (JSON batches) and gives one output item.
 */

export interface AdminRead {
	/** the Cloud PC operation's value, e.g. `getSnapshots` */
	operation: string;
	/** the Graph function after the Cloud PC's path, e.g. `retrieveSnapshots` */
	graphFunction: string;
	/** the permission notice: its parameter name and what the credential needs */
	notice: { name: string; needs: string };
	/** pages of one Cloud PC's list read at most, and the failure past them */
	pages: PageLimit;
	/** the output fields from the answer, every page in `value` (cloudPcId, apiVersion and requestId are added) */
	output: (body: IDataObject) => IDataObject;
}

/** A page limit whose failure names the list: "`list` did not end after N pages". */
export function pageLimit(maxPages: number, list: string): PageLimit {
	return { maxPages, message: (_why, pages) => `${list} did not end after ${pages} pages` };
}

/** The entries of a collection answer (`value`); none when it is not a list. */
export function entries(body: IDataObject): IDataObject[] {
	return Array.isArray(body.value) ? (body.value as IDataObject[]) : [];
}

/** The permission notice and the Cloud PC, shown for this operation only. */
export function description(read: AdminRead): INodeProperties[] {
	const properties = [adminBetaReadNotice(read.notice.name, read.notice.needs), cloudPcLocator];
	return updateDisplayOptions(
		{ show: { resource: ['cloudPc'], operation: [read.operation] } },
		properties,
	);
}

export function request(read: AdminRead, cloudPcId: string): GraphRequest {
	return {
		method: 'GET',
		version: 'beta',
		path: `${cloudPcPath('organization', undefined, cloudPcId)}/${read.graphFunction}`,
	};
}

const known = (cloudPcId: string) => ({ cloudPcId, apiVersion: 'beta' });

/** The operation's execute: one output item per input item, 20 reads to a JSON batch. */
export function execute(read: AdminRead) {
	return async function (
		this: IExecuteFunctions,
		items: INodeExecutionData[],
		graph: GraphClient,
	): Promise<ItemResult[]> {
		return await fetchEach(this, graph, items.length, {
			plan: (itemIndex) => readCloudPcId(this, itemIndex),
			request: (cloudPcId) => request(read, cloudPcId),
			known,
			everyPage: read.pages,
			output: (cloudPcId, response) => ({
				...known(cloudPcId),
				...read.output(response.body),
				requestId: response.requestId ?? null,
			}),
		});
	};
}
