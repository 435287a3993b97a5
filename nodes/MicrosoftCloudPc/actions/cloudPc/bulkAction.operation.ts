import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type INodePropertyOptions,
	updateDisplayOptions,
} from 'n8n-workflow';

import type { GraphClient } from '../../transport/graph';
import { cloudPcLocator, organizationBetaNotice } from '../../shared/descriptions';
import { bodyProperty } from '../remoteAction/description';
import { checkField, checksEarlierIn, EARLIER_CHECKS, parameterOf } from '../remoteAction/request';
import { REMOTE_ACTIONS } from '../../remoteActions/registry';
import type { BodyField, RemoteActionDescriptor } from '../../remoteActions/descriptor';
import { readParameter } from '../parameters';
import { invalid, readChoiceOption, readCollection } from '../validate';
import { unknownHint } from '../../shared/outputFields';
import type { ItemResult } from '../../shared/types';
import { runBulk, withBulk, type BulkRun } from './bulkEngine';

/*
 * Bulk Action: one remote action on the Cloud PCs of all input items, in one Windows 365 bulk
 * action (beta `POST /deviceManagement/virtualEndpoint/bulkActions`, organization scope). The
 * actions offered are the registry's descriptors that have `bulk` (a new one appears here with
 * its descriptor); each one's bulk fields (`bulk.fields`) get their editor fields and run-time
 * checks from the remote-action engine (bodyProperty, checkField). Runs on the one bulk engine
 * (bulkEngine.ts), as Bulk Reprovision does.
 *
 * `scheduledDuringMaintenanceWindow` is a property of the abstract cloudPcBulkAction that every
 * subtype inherits (learn.microsoft.com/graph/api/resources/cloudpcbulkaction?view=graph-rest-beta,
 * and each subtype's page lists it "Inherited from cloudPcBulkAction"), so every action offers it.
 */

/** The registry's actions that Windows 365 runs in bulk, in the editor's (alphabetical) order. */
export const BULK_ACTIONS: ReadonlyArray<BulkRun['action']> = REMOTE_ACTIONS.map(withBulk)
	.filter((d): d is BulkRun['action'] => d !== undefined)
	.sort((a, b) => a.displayName.localeCompare(b.displayName));

const OPTIONS = 'bulkActionOptions';
const OPTIONS_LABEL = 'Bulk Options';
const EARLIER = {
	parameter: 'checkEarlierBulkAction',
	displayName: 'Check for an Earlier Bulk Action',
};

/** Every bulk action may wait for the Cloud PCs' maintenance window (cloudPcBulkAction). */
export const MAINTENANCE_WINDOW: BodyField = {
	name: 'scheduledDuringMaintenanceWindow',
	displayName: 'Scheduled During Maintenance Window',
	kind: 'boolean',
	required: false,
	default: false,
	description:
		'Whether Windows 365 runs the action in each Cloud PC\'s maintenance window (Intune › Tenant admin › Maintenance windows) instead of now. Outputs then say "scheduled", not "requested": nothing has run yet.',
};

/** A bulk field's node parameter: per action, so that two actions' fields never share one. */
export const bulkParameterOf = (d: RemoteActionDescriptor, field: BodyField): string => {
	const name = parameterOf(field);
	return `${d.operation}Bulk${name.charAt(0).toUpperCase()}${name.slice(1)}`;
};

/** The field as the engine's builder and checks take it: its own parameter, no scope. */
const asBulkField = (d: RemoteActionDescriptor, field: BodyField): BodyField => ({
	...field,
	parameter: bulkParameterOf(d, field),
	scopes: undefined,
});

const forAction = (d: RemoteActionDescriptor, root = false) => ({
	show: { [root ? '/bulkAction' : 'bulkAction']: [d.operation] },
});

const destructiveNames = BULK_ACTIONS.filter((d) => d.destructive).map((d) => d.displayName);

/** The operation's entry in the Operation list, naming the actions it offers. */
export const operationOption: INodePropertyOptions = {
	name: 'Bulk Action',
	value: 'bulkAction',
	description: `Run one remote action (${BULK_ACTIONS.map((d) => d.displayName).join(', ')}) on the Cloud PCs of all input items in one Windows 365 bulk action (beta, organization scope), now or in their maintenance window.${destructiveNames.length ? ` DESTRUCTIVE with ${destructiveNames.join(', ')}: every Cloud PC is acted on and its user may lose data.` : ''} Outputs the created bulk action per input item`,
	action: 'Run a bulk action on Cloud PCs',
};

const properties: INodeProperties[] = [
	{
		displayName:
			'Runs the chosen action on every Cloud PC of the input items in one Windows 365 bulk action. Cloud PCs that cannot take it fail inside the bulk action (see it in Intune › Devices › Windows 365).',
		name: 'bulkActionNotice',
		type: 'notice',
		default: '',
	},
	...BULK_ACTIONS.map(
		(d): INodeProperties => ({
			displayName: d.notice,
			name: `${d.operation}BulkNotice`,
			type: 'notice',
			default: '',
			displayOptions: forAction(d),
		}),
	),
	organizationBetaNotice,
	{
		displayName: 'Action',
		name: 'bulkAction',
		type: 'options',
		noDataExpression: true,
		options: BULK_ACTIONS.map((d) => ({
			name: d.displayName,
			value: d.operation,
			description: `${d.description} (bulk: ${d.bulk.odataType.replace(/^#microsoft\.graph\./, '')})`,
		})),
		// Reprovision is always there (Bulk Reprovision is it, fixed); the tests check it is offered.
		default: 'reprovision',
		description: 'The remote action Windows 365 runs on every Cloud PC of the bulk action',
	},
	{
		...cloudPcLocator,
		description:
			'The Cloud PC of each input item, usually an expression such as {{ $json.cloudPcId }}',
	},
	...BULK_ACTIONS.flatMap((d) =>
		d.bulk.fields
			.filter((f) => f.required)
			.map(
				(f): INodeProperties => ({
					...bodyProperty(asBulkField(d, f)),
					displayOptions: forAction(d),
				}),
			),
	),
	{
		displayName: OPTIONS_LABEL,
		name: OPTIONS,
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: bulkOptions(),
	},
];

/** The options collection: name, earlier check, the actions' optional fields, maintenance window. */
function bulkOptions(): INodeProperties[] {
	const options: INodeProperties[] = [
		{
			displayName: 'Bulk Action Name',
			name: 'displayName',
			type: 'string',
			default: '',
			placeholder: 'Nightly restart of the sales Cloud PCs',
			description:
				'Name of the bulk action in Intune (Devices › Windows 365 › bulk actions), followed by the time of the run, which makes it unique: if Graph\'s answer is lost, the node finds the action by name instead of creating a second one. Empty: "n8n", the action and the time.',
		},
		{
			displayName: EARLIER.displayName,
			name: EARLIER.parameter,
			type: 'options',
			options: [
				{
					name: 'Always',
					value: 'always',
					description:
						"Protects against the same request arriving twice (a webhook sent again, overlapping schedules, Execute clicked twice). Costs one read per page of the tenant's bulk actions.",
				},
				{
					name: 'On Retry',
					value: 'onRetry',
					description:
						'Only when you retry a failed execution: no extra reads otherwise, but the same request arriving twice runs the action twice',
				},
				{
					name: 'Never',
					value: 'never',
					description: 'No extra reads; a request that arrives again runs the action twice',
				},
			],
			default: 'always',
			description:
				'Whether to leave out of the new bulk action every Cloud PC that a bulk action of the same action created recently (within the action\'s window, 4 hours for Reprovision) already covers, whatever its status and also when it waits for the maintenance window; those items are "skipped" and name that bulk action. A bulk action of another action does not count. Not set, it is Always.',
		},
		...BULK_ACTIONS.flatMap((d) =>
			d.bulk.fields
				.filter((f) => !f.required)
				.map(
					(f): INodeProperties => ({
						...bodyProperty(asBulkField(d, f), true),
						displayOptions: forAction(d, true),
					}),
				),
		),
		bodyProperty(MAINTENANCE_WINDOW, true),
	];
	return options.sort((a, b) => a.displayName.localeCompare(b.displayName));
}

export const description = updateDisplayOptions(
	{ show: { resource: ['cloudPc'], operation: ['bulkAction'] } },
	properties,
);

/** Every option name the collection may hold (other actions' too: the editor keeps them). */
const KNOWN_OPTIONS = [
	'displayName',
	EARLIER.parameter,
	MAINTENANCE_WINDOW.name,
	...BULK_ACTIONS.flatMap((d) =>
		d.bulk.fields.filter((f) => !f.required).map((f) => bulkParameterOf(d, f)),
	),
];

/**
 * Runs the chosen action on the Cloud PCs of all input items in one beta bulk action (more than
 * 5,000: one per 5,000). The action, its fields and the options are read once, at item 0: they
 * make the one request. Each input item gets an output naming its bulk action.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	graph: GraphClient,
): Promise<ItemResult[]> {
	const d = readAction(this);
	const options = readCollection(this, 0, OPTIONS, OPTIONS_LABEL, KNOWN_OPTIONS);
	if (options.displayName !== undefined && typeof options.displayName !== 'string') {
		throw invalid(this, 0, 'Bulk Action Name', 'must be text');
	}
	const name = String(options.displayName ?? '').trim();
	const check =
		readChoiceOption(this, 0, options, EARLIER.parameter, EARLIER.displayName, EARLIER_CHECKS) ??
		'always';
	const scheduled = options[MAINTENANCE_WINDOW.name];
	const run: BulkRun = {
		action: d,
		// The time makes the name unique to this run: a bulk action whose answer was lost is found by it.
		baseName: `${name || `n8n ${d.words.noun}`} ${new Date().toISOString()}`,
		checkEarlier: checksEarlierIn(check, this.getMode() === 'retry'),
		fields: readBulkFields(this, d, options),
		scheduled:
			scheduled === undefined || scheduled === null
				? false
				: checkField(this, 0, MAINTENANCE_WINDOW, scheduled) === true,
		texts: {
			covers: `is a ${d.words.noun} that already covers`,
			option: EARLIER.displayName,
			unknownHint: unknownHint(
				d.words.noun,
				`${EARLIER.displayName} set to Always (it leaves out the Cloud PCs a bulk action covers)`,
			),
		},
		extendedOutput: true,
	};
	return await runBulk(this, items, graph, run);
}

/** The chosen action, one the registry runs in bulk. */
function readAction(ctx: IExecuteFunctions): BulkRun['action'] {
	const value = readParameter(ctx, 'bulkAction', 0, '');
	const operations = BULK_ACTIONS.map((a) => a.operation);
	const chosen = readChoiceOption(ctx, 0, { value } as IDataObject, 'value', 'Action', operations);
	return BULK_ACTIONS.find((a) => a.operation === chosen) as BulkRun['action'];
}

/** The action's bulk fields, checked by the engine's checks, by Graph's names. */
function readBulkFields(
	ctx: IExecuteFunctions,
	d: BulkRun['action'],
	options: IDataObject,
): IDataObject {
	const fields: IDataObject = {};
	for (const field of d.bulk.fields) {
		const parameter = bulkParameterOf(d, field);
		const raw = field.required ? readParameter(ctx, parameter, 0, '') : options[parameter];
		if (raw === undefined || (!field.required && raw === null)) continue;
		fields[field.name] = checkField(ctx, 0, field, raw);
	}
	return fields;
}
