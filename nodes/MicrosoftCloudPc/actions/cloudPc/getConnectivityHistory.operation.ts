import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	updateDisplayOptions,
} from 'n8n-workflow';

import type { GraphClient, GraphRequest } from '../../transport/graph';
import { adminBetaReadNotice, cloudPcLocator } from '../../shared/descriptions';
import { readCloudPcId } from '../validate';
import { fetchEach } from './batchedReads';
import { newestFirst, text } from '../../shared/outputFields';
import type { ItemResult } from '../../shared/types';
import { cloudPcPath } from '../../model';

/*
 * Get Connectivity History: beta
 * `GET /deviceManagement/virtualEndpoint/cloudPCs/{id}/getCloudPcConnectivityHistory`, admin
 * route only, no v1.0; CloudPC.Read.All (or CloudPC.ReadWrite.All), delegated and application;
 * Global and US Government L4. The answer is a cloudPcConnectivityEvent collection `{ value: [{
 * activityId, eventDateTime, eventName, eventResult, eventType, message }] }`: eventResult
 * unknown | success | failure, eventType unknown | userConnection | userTroubleshooting |
 * deviceHealthCheck (newer values pass through). No order and no paging are documented; every
 * nextLink is followed.
 * learn.microsoft.com/graph/api/cloudpc-getcloudpcconnectivityhistory?view=graph-rest-beta
 * learn.microsoft.com/graph/api/resources/cloudpcconnectivityevent?view=graph-rest-beta
 */

const displayOptions = {
	show: { resource: ['cloudPc'], operation: ['getConnectivityHistory'] },
};

const properties: INodeProperties[] = [
	adminBetaReadNotice('connectivityHistoryNotice', 'CloudPC.Read.All (or CloudPC.ReadWrite.All)'),
	cloudPcLocator,
];

export const description = updateDisplayOptions(displayOptions, properties);

/** Pages of one Cloud PC's history read at most: a Graph that never stops paging cannot hold the run. */
const MAX_PAGES = 50;

export function connectivityHistoryRequest(cloudPcId: string): GraphRequest {
	return {
		method: 'GET',
		version: 'beta',
		path: `${cloudPcPath('organization', undefined, cloudPcId)}/getCloudPcConnectivityHistory`,
	};
}

function eventFields(event: IDataObject): IDataObject {
	return {
		eventDateTime: text(event.eventDateTime),
		eventName: text(event.eventName),
		eventType: text(event.eventType),
		eventResult: text(event.eventResult),
		message: text(event.message),
		activityId: text(event.activityId),
	};
}

/**
 * One output item per input item: its Cloud PC's connectivity events newest first in `events`,
 * how many failed, and the newest event's fields flat (null when there is none).
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	graph: GraphClient,
): Promise<ItemResult[]> {
	const known = (cloudPcId: string) => ({ cloudPcId, apiVersion: 'beta' });
	return await fetchEach(this, graph, items.length, {
		plan: (itemIndex) => readCloudPcId(this, itemIndex),
		request: connectivityHistoryRequest,
		known,
		everyPage: {
			maxPages: MAX_PAGES,
			message: (_why, pages) => `The connectivity history did not end after ${pages} pages`,
		},
		output: (cloudPcId, response) => {
			const value = Array.isArray(response.body.value)
				? (response.body.value as IDataObject[])
				: [];
			const events = newestFirst(value.map(eventFields), 'eventDateTime');
			const latest: IDataObject = events[0] ?? {};
			return {
				...known(cloudPcId),
				eventCount: events.length,
				failureCount: events.filter((e) => String(e.eventResult).toLowerCase() === 'failure')
					.length,
				latestEventDateTime: latest.eventDateTime ?? null,
				latestEventName: latest.eventName ?? null,
				latestEventType: latest.eventType ?? null,
				latestEventResult: latest.eventResult ?? null,
				latestEventMessage: latest.message ?? null,
				events,
				requestId: response.requestId ?? null,
			};
		},
	});
}
