import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import * as bulkAction from './bulkAction.operation';
import * as bulkReprovision from './bulkReprovision.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as getReprovisionStatus from './getReprovisionStatus.operation';
import { REMOTE_ACTIONS } from '../../remoteActions/registry';
import { actionProperties, operationOption } from '../remoteAction/description';

export { bulkAction, bulkReprovision, get, getMany, getReprovisionStatus };

/** The read operations and the bulk ones, beside the registry's remote actions. */
const readOperations: INodePropertyOptions[] = [
	bulkAction.operationOption,
	{
		name: 'Bulk Reprovision',
		value: 'bulkReprovision',
		description:
			'DESTRUCTIVE: reprovision the Cloud PCs of all input items in one Windows 365 bulk action (beta, organization scope); every one is wiped and rebuilt and its user loses all data on it. Outputs the created bulk action per input item.',
		action: 'Bulk reprovision Cloud PCs',
	},
	{
		name: 'Get',
		value: 'get',
		description:
			'Read one Cloud PC by ID: name, user, service plan, image, and status (beta). Read-only; use it to check a Cloud PC before acting on it.',
		action: 'Get a Cloud PC',
	},
	{
		name: 'Get Many',
		value: 'getMany',
		description:
			'List Cloud PCs: in the organization (filter by user principal name, status or display name prefix), of one user, or of the signed-in user. Read-only; use it to pick targets, e.g. every Cloud PC whose status is failed.',
		action: 'Get many Cloud PCs',
	},
	{
		name: 'Get Reprovision Status',
		value: 'getReprovisionStatus',
		description:
			'Read the state of the latest reprovision of a Cloud PC (pending, active, done, failed) with its start and last update times (beta, organization scope). Read-only.',
		action: 'Get the reprovision status of a Cloud PC',
	},
];

/** Every operation, in the editor's (alphabetical) order. */
const operationOptions = [...readOperations, ...REMOTE_ACTIONS.map(operationOption)].sort((a, b) =>
	a.name.localeCompare(b.name),
);

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['cloudPc'] } },
		options: operationOptions,
		default: 'reprovision',
	},
	...REMOTE_ACTIONS.flatMap(actionProperties),
	...get.description,
	...getMany.description,
	...getReprovisionStatus.description,
	...bulkReprovision.description,
	...bulkAction.description,
];

/**
 * The canvas line under the node's name: the operation as the editor lists it, e.g.
 * "Reprovision: Cloud PC", not its raw value.
 */
export const subtitle = `={{ (${operationOptions
	.map(
		({ value, name }) =>
			`$parameter["operation"] === ${JSON.stringify(value)} ? ${JSON.stringify(name)} : `,
	)
	.join('')}$parameter["operation"]) + ": Cloud PC" }}`;
