import {
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	updateDisplayOptions,
} from 'n8n-workflow';

import type { GraphClient } from '../../transport/graph';
import { cloudPcLocator, organizationBetaNotice } from '../../shared/descriptions';
import { earlierCheckOption } from '../remoteAction/earlier';
import {
	checksEarlierIn,
	defaultEarlierCheck,
	EARLIER_CHECKS,
	type EarlierCheck,
} from '../remoteAction/request';
import { reprovision } from '../../remoteActions/reprovision.action';
import { invalid, readChoiceOption, readCollection } from '../validate';
import { unknownHint } from '../../shared/outputFields';
import type { ItemResult } from '../../shared/types';
import { runBulk, withBulk, type BulkRun } from './bulkEngine';

/*
 * Bulk Reprovision: Bulk Action with Reprovision fixed, on the one bulk engine (bulkEngine.ts).
 * Its parameters (bulkOptions: displayName, checkEarlierReprovision) and outputs are those saved
 * workflows hold since node version 1; Bulk Action is the operation for every subtype.
 */

export { MAX_BULK_CLOUD_PCS } from './bulkEngine';

const displayOptions = { show: { resource: ['cloudPc'], operation: ['bulkReprovision'] } };

const properties: INodeProperties[] = [
	{
		displayName:
			'Bulk reprovisioning wipes every Cloud PC of the input items in one Windows 365 bulk action: their users lose everything stored on them. Cloud PCs that are not "provisioned" or "failed" fail inside the bulk action.',
		name: 'bulkDestructiveNotice',
		type: 'notice',
		default: '',
	},
	organizationBetaNotice,
	{
		...cloudPcLocator,
		description:
			'The Cloud PC of each input item, usually an expression such as {{ $json.cloudPcId }}',
	},
	{
		displayName: 'Bulk Options',
		name: 'bulkOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Bulk Action Name',
				name: 'displayName',
				type: 'string',
				default: '',
				placeholder: 'Nightly reprovision of failed Cloud PCs',
				description:
					'Name of the bulk action in Intune (Devices › Windows 365 › bulk actions), followed by the time of the run, which makes it unique: if Graph\'s answer is lost, the node finds the action by name instead of creating a second one. Empty: "n8n reprovision" and the time.',
			},
			...[1, 2].map((nodeVersion) =>
				earlierCheckOption(reprovision, nodeVersion, {
					cost: "one read per page of the tenant's bulk actions",
					description:
						'Whether to leave out of the new bulk action every Cloud PC that a reprovision bulk action created in the last 4 hours already covers, whatever its status; those items are "skipped" and name that bulk action. A run that stopped halfway through more than 5,000 Cloud PCs can then be started again.',
				}),
			),
		],
	},
];

export const description = updateDisplayOptions(displayOptions, properties);

/**
 * Reprovisions the Cloud PCs of all input items in one beta bulk action (more than 5,000: one
 * per 5,000). Each input item gets an output naming its bulk action; invalid items fail on their
 * own and are left out of the request; a Cloud PC given twice is sent once.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	graph: GraphClient,
): Promise<ItemResult[]> {
	const options = readBulkOptions(this);
	const run: BulkRun = {
		action: withBulk(reprovision) as BulkRun['action'],
		baseName: options.baseName,
		checkEarlier: options.checkEarlier,
		fields: {},
		scheduled: false,
		texts: {
			covers: 'already reprovisions',
			option: reprovision.earlier.displayName,
			unknownHint: unknownHint('reprovision', 'Get Reprovision Status'),
		},
		extendedOutput: false,
	};
	return await runBulk(this, items, graph, run);
}

/** The bulk action's name, with the time of this run, and whether to look for earlier ones. */
function readBulkOptions(ctx: IExecuteFunctions): { baseName: string; checkEarlier: boolean } {
	const options = readCollection(ctx, 0, 'bulkOptions', 'Bulk Options', [
		'displayName',
		'checkEarlierReprovision',
	]);
	const name = String(options.displayName ?? '').trim();
	if (options.displayName !== undefined && typeof options.displayName !== 'string') {
		throw invalid(ctx, 0, 'Bulk Action Name', 'must be text');
	}
	const check = (readChoiceOption(
		ctx,
		0,
		options,
		'checkEarlierReprovision',
		'Check for an Earlier Reprovision',
		EARLIER_CHECKS,
	) ?? defaultEarlierCheck(reprovision, ctx.getNode().typeVersion)) as EarlierCheck;
	return {
		// The time makes the name unique to this run: a bulk action whose answer was lost is found by it.
		baseName: `${name || 'n8n reprovision'} ${new Date().toISOString()}`,
		checkEarlier: checksEarlierIn(check, ctx.getMode() === 'retry'),
	};
}
