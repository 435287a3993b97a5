import type { INodeProperties } from 'n8n-workflow';

import {
	authenticationProperty,
	displayNamePrefixFilter,
	statusOptions,
	userPrincipalNameFilter,
} from '../MicrosoftCloudPc/actions/common.descriptions';

export type TriggerEvent = 'statusChanged' | 'reprovisionFinished' | 'added' | 'removed';

export const EVENTS: readonly TriggerEvent[] = [
	'statusChanged',
	'reprovisionFinished',
	'added',
	'removed',
];

/** What each poll costs, for the descriptions: one list request per 999 Cloud PCs. */
const COST_NOTICE =
	"Each poll lists the tenant's Cloud PCs (beta, 999 to a page) and compares them with the last poll: 10,000 Cloud PCs cost 11 list requests per poll. Windows 365 allows 180 list requests per minute per tenant and 90 per app, so polling every minute uses about 12% of this app's budget. The first poll after activation only records what it sees.";

export const triggerProperties: INodeProperties[] = [
	authenticationProperty,
	{
		displayName: COST_NOTICE,
		name: 'costNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Event',
		name: 'event',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Status Changed To',
				value: 'statusChanged',
				// n8n's panel lists an event as "On <name>" in lower case: keep "Cloud PC" as written
				action: 'On Cloud PC status changed',
				description: 'A Cloud PC entered one of the chosen statuses since the last poll',
			},
			{
				name: 'Reprovision Finished',
				value: 'reprovisionFinished',
				action: 'On Cloud PC reprovision finished',
				description:
					'A reprovision (asked for by anyone) ended as done or failed, from the Cloud PC\'s "lastRemoteActionResult" (beta)',
			},
			{
				name: 'Cloud PC Added',
				value: 'added',
				action: 'On Cloud PC added',
				description: 'A Cloud PC appeared in the list',
			},
			{
				name: 'Cloud PC Removed',
				value: 'removed',
				action: 'On Cloud PC removed',
				description:
					'A Cloud PC was missing from two polls in a row (one miss could be a list that shifted while it was read)',
			},
		],
		default: 'statusChanged',
	},
	{
		displayName: 'Statuses',
		name: 'statuses',
		type: 'multiOptions',
		options: statusOptions,
		default: ['failed'],
		displayOptions: { show: { event: ['statusChanged'] } },
		description:
			'Fire when a Cloud PC changes to one of these; empty: any change. A status newer than this list (set by an expression) works as well.',
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		description:
			'Graph filters the list ($filter), so a poll reads fewer Cloud PCs; changing them starts over (the next poll only records)',
		options: [displayNamePrefixFilter, userPrincipalNameFilter],
	},
];
