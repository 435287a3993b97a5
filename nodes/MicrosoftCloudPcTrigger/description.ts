import type { INodeProperties } from 'n8n-workflow';

import {
	authenticationProperty,
	displayNamePrefixFilter,
	statusOptions,
	userPrincipalNameFilter,
} from '../MicrosoftCloudPc/shared/descriptions';
import { MAX_READS_PER_POLL } from './actionResults';
import { ACTION_OPTIONS } from './actionNames';

export type TriggerEvent =
	| 'statusChanged'
	| 'actionFinished'
	| 'reprovisionFinished'
	| 'added'
	| 'removed';

export const EVENTS: readonly TriggerEvent[] = [
	'statusChanged',
	'actionFinished',
	'reprovisionFinished',
	'added',
	'removed',
];

/** What each poll costs the tenant, in an admin's terms (one list read per 999 Cloud PCs). */
const COST_NOTICE =
	'Each poll reads your whole Cloud PC list and compares it with the last one. With 10,000 Cloud PCs, polling every minute uses about an eighth of the list reads Windows 365 allows this app, leaving the rest to your other workflows. The first poll after the workflow is published (activated in n8n 1.x) only records what it sees.';

/** What Action Finished adds to a poll, and what happens above its cap. */
const ACTION_COST_NOTICE = `Besides the list, a poll reads the remote action results of each Cloud PC whose last action changed or was still running, 20 to a request: ${MAX_READS_PER_POLL} Cloud PCs at most per poll. Above that, the others are read at the next polls, those that waited first: their events come later, none is dropped or fired twice.`;

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
				name: 'Action Finished',
				value: 'actionFinished',
				action: 'On Cloud PC remote action finished',
				description:
					"A remote action (asked for by anyone) ended since the last poll: done, failed, canceled or not supported, from the Cloud PC's remote action results (beta), an earlier one behind a later one included",
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
			{
				name: 'Reprovision Finished',
				value: 'reprovisionFinished',
				action: 'On Cloud PC reprovision finished',
				description:
					'Action Finished for reprovisions only (kept for workflows that use it): a reprovision ended since the last poll',
			},
			{
				name: 'Status Changed To',
				value: 'statusChanged',
				// n8n's panel lists an event as "On <name>" in lower case: keep "Cloud PC" as written
				action: 'On Cloud PC status changed',
				description: 'A Cloud PC entered one of the chosen statuses since the last poll',
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
		displayName: 'Actions',
		name: 'actions',
		type: 'multiOptions',
		options: ACTION_OPTIONS,
		default: [],
		displayOptions: { show: { event: ['actionFinished'] } },
		description:
			"Fire when one of these finishes; empty: any action. An action name newer than this list (Graph's actionName, set by an expression) works as well.",
	},
	{
		displayName: ACTION_COST_NOTICE,
		name: 'actionCostNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { event: ['actionFinished', 'reprovisionFinished'] } },
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
