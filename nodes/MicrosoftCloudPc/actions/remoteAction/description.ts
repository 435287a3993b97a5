import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import {
	cloudPcLocator,
	numberTypeOptions,
	scopeProperty,
	userProperty,
} from '../../shared/descriptions';
import type { BodyField, RemoteActionDescriptor } from '../../remoteActions/descriptor';
import { scopesOf } from '../../remoteActions/registry';
import { earlierCheckOption } from './earlier';
import {
	DEFAULT_POLL_SECONDS,
	DEFAULT_WAIT_MINUTES,
	parameterOf,
	POLL_INTERVAL_SECONDS,
	SAFETY,
	WAIT_TIMEOUT_MINUTES,
} from './request';

/*
 * The editor's fields of one remote action, generated from its descriptor and shown for its
 * operation only: the notice, scope, user, Cloud PC, its required body fields, its options
 * collection, and "Safety and Follow-Up".
 */

/** Node versions whose earlier-check default may differ: each gets its own option. */
const NODE_VERSIONS = [1, 2];

/** The operation's entry in the Operation list. */
export function operationOption(d: RemoteActionDescriptor): INodePropertyOptions {
	return { name: d.displayName, value: d.operation, description: d.description, action: d.action };
}

/**
 * The editor's field of one body field: a required one at the top level, shown on its scopes;
 * an optional one inside the options collection, which shows it where it applies.
 */
export function bodyProperty(field: BodyField, inCollection = false): INodeProperties {
	const common = {
		displayName: field.displayName,
		name: parameterOf(field),
		description: field.description,
		...(field.placeholder ? { placeholder: field.placeholder } : {}),
		...(inCollection ? {} : { required: field.required }),
		...(field.scopes && !inCollection
			? { displayOptions: { show: { scope: [...field.scopes] } } }
			: {}),
	};
	if (field.listSearch && !inCollection) return locatorProperty(field, common);
	switch (field.kind) {
		case 'options':
			return {
				...common,
				type: 'options',
				options: (field.options ?? []).map((o) => ({ ...o })),
				default: field.default ?? field.options?.[0]?.value ?? '',
			};
		case 'number':
			return {
				...common,
				type: 'number',
				typeOptions: field.bounds
					? numberTypeOptions({
							...field.bounds,
							displayName: field.displayName,
							default: Number(field.default ?? field.bounds.min),
						})
					: undefined,
				default: field.default ?? 0,
			};
		case 'boolean':
			return { ...common, type: 'boolean', default: field.default ?? false };
		case 'datetime':
			return { ...common, type: 'dateTime', default: field.default ?? '' };
		default:
			return { ...common, type: 'string', default: field.default ?? '' };
	}
}

/**
 * A body field with a list search: From List (its method, listed again when the Cloud PC
 * changes) or By ID (checked by its pattern, when it has one).
 */
function locatorProperty(
	field: BodyField,
	common: Pick<INodeProperties, 'displayName' | 'name' | 'description'>,
): INodeProperties {
	const thing = field.displayName.replace(/ ID$/, '').toLowerCase();
	return {
		displayName: common.displayName,
		name: common.name,
		description: common.description,
		required: field.required,
		...(field.scopes ? { displayOptions: { show: { scope: [...field.scopes] } } } : {}),
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		typeOptions: { loadOptionsDependsOn: ['cloudPcId.value'] },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: `Select a ${thing}...`,
				typeOptions: { searchListMethod: field.listSearch, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				...(field.placeholder ? { placeholder: field.placeholder } : {}),
				...(field.pattern
					? {
							validation: [
								{
									type: 'regex' as const,
									properties: {
										regex: field.pattern.regex,
										errorMessage: `Not ${field.pattern.says}`,
									},
								},
							],
						}
					: {}),
			},
		],
	};
}

/** The Safety and Follow-Up collection of one action. */
function safetyProperty(d: RemoteActionDescriptor): INodeProperties {
	const cost = `one read per Cloud PC; with more than 20 Cloud PCs, one read per 999 Cloud PCs of the tenant instead`;
	return {
		displayName: SAFETY,
		name: 'safety',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description: `Check before, rehearse, or follow the ${d.words.noun} to its end; outputs then carry a "reason"`,
		options: [
			...NODE_VERSIONS.map((v) =>
				earlierCheckOption(d, v, { cost, description: d.earlier.description }),
			),
			{
				displayName: 'Dry Run',
				name: 'dryRun',
				type: 'boolean',
				default: false,
				description:
					'Whether to send nothing: each item is checked and output with the request it would send (outcome "dryRun"), to try a workflow on a real tenant without acting on any Cloud PC',
			},
			{
				displayName: d.onlyIfReady.displayName,
				name: d.onlyIfReady.parameter,
				type: 'boolean',
				default: false,
				description: d.onlyIfReady.description,
			},
			{
				displayName: 'Poll Interval (Seconds)',
				name: 'pollIntervalSeconds',
				displayOptions: { show: { waitForCompletion: [true] } },
				type: 'number',
				typeOptions: numberTypeOptions(POLL_INTERVAL_SECONDS),
				default: DEFAULT_POLL_SECONDS,
				description:
					'How often to check progress while waiting. Every check counts against what Microsoft Graph allows this app, so keep it at 10 or more on a real tenant (60 is polite).',
			},
			{
				displayName: 'Wait for Completion',
				name: 'waitForCompletion',
				type: 'boolean',
				default: false,
				description: `Whether to wait until each ${d.words.noun} is done or failed and output how it ended (outcome "done" or "failed"; "requested" if the wait times out). It checks every ${DEFAULT_POLL_SECONDS} s for up to ${DEFAULT_WAIT_MINUTES} minutes unless Poll Interval or Wait Timeout say otherwise; Organization (Admin) scope only. The execution stays busy meanwhile and is lost if n8n restarts: for the usual ${d.typicalDuration}, use a Wait node and Get Action Status instead.`,
			},
			{
				displayName: 'Wait Timeout (Minutes)',
				name: 'waitTimeoutMinutes',
				displayOptions: { show: { waitForCompletion: [true] } },
				type: 'number',
				typeOptions: numberTypeOptions(WAIT_TIMEOUT_MINUTES),
				default: DEFAULT_WAIT_MINUTES,
				description: `How long to wait at most; Cloud PCs whose ${d.words.noun} is still running then are output with outcome "requested" and the reason`,
			},
		],
	};
}

/**
 * The Scope field of one action: only the scopes its routes have (Restore: Organization only),
 * defaulting to the first. An expression can still give another; the item then fails naming
 * Scope (request.ts).
 */
export function actionScopeProperty(d: RemoteActionDescriptor): INodeProperties {
	const scopes = scopesOf(d);
	const options = (scopeProperty.options ?? []).filter((o) =>
		scopes.includes((o as INodePropertyOptions).value as (typeof scopes)[number]),
	);
	return {
		...scopeProperty,
		options,
		default: scopes.includes('organization') ? 'organization' : (scopes[0] ?? 'organization'),
	};
}

/** Every editor field of one action, shown for its operation only. */
export function actionProperties(d: RemoteActionDescriptor): INodeProperties[] {
	const optional = d.body.filter((f) => !f.required);
	const properties: INodeProperties[] = [
		{ displayName: d.notice, name: `${d.operation}Notice`, type: 'notice', default: '' },
		actionScopeProperty(d),
		userProperty,
		cloudPcLocator,
		...d.body.filter((f) => f.required).map((f) => bodyProperty(f)),
	];
	if (d.optionsParameter && optional.length) {
		const scopes = [...new Set(optional.flatMap((f) => f.scopes ?? []))];
		const everywhere = optional.some((f) => !f.scopes);
		properties.push({
			displayName: d.optionsParameter.displayName,
			name: d.optionsParameter.name,
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			...(everywhere ? {} : { displayOptions: { show: { scope: scopes } } }),
			options: optional.map((f) => bodyProperty(f, true)),
		});
	}
	properties.push(safetyProperty(d));
	return updateDisplayOptions(
		{ show: { resource: ['cloudPc'], operation: [d.operation] } },
		properties,
	);
}
