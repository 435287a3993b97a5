import type { IDataObject } from 'n8n-workflow';

import type { GraphRequest } from '../../transport/graph';
import { newestFirst, text } from '../../shared/outputFields';
import * as adminRead from './adminRead';

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
function output(body: IDataObject): IDataObject {
	const events = newestFirst(adminRead.entries(body).map(eventFields), 'eventDateTime');
	const latest: IDataObject = events[0] ?? {};
	return {
		eventCount: events.length,
		failureCount: events.filter((e) => String(e.eventResult).toLowerCase() === 'failure').length,
		latestEventDateTime: latest.eventDateTime ?? null,
		latestEventName: latest.eventName ?? null,
		latestEventType: latest.eventType ?? null,
		latestEventResult: latest.eventResult ?? null,
		latestEventMessage: latest.message ?? null,
		events,
	};
}

const read: adminRead.AdminRead = {
	operation: 'getConnectivityHistory',
	graphFunction: 'getCloudPcConnectivityHistory',
	notice: {
		name: 'connectivityHistoryNotice',
		needs: 'CloudPC.Read.All (or CloudPC.ReadWrite.All)',
	},
	// a Graph that never stops paging cannot hold the run
	pages: adminRead.pageLimit(50, 'The connectivity history'),
	output,
};

export const description = adminRead.description(read);
export const execute = adminRead.execute(read);
export const connectivityHistoryRequest = (cloudPcId: string): GraphRequest =>
	adminRead.request(read, cloudPcId);
