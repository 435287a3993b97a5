import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import * as bulkAction from './bulkAction.operation';
import * as bulkReprovision from './bulkReprovision.operation';
import * as get from './get.operation';
import * as getActionResults from './getActionResults.operation';
import * as getActionStatus from './getActionStatus.operation';
import * as getConnectivityHistory from './getConnectivityHistory.operation';
import * as getMany from './getMany.operation';
import * as getReprovisionStatus from './getReprovisionStatus.operation';
import * as getSnapshots from './getSnapshots.operation';
import * as getSupportedActions from './getSupportedActions.operation';
import { REMOTE_ACTIONS } from '../../remoteActions/registry';
import { actionProperties, operationOption } from '../remoteAction/description';

export { bulkAction, bulkReprovision, get, getActionStatus, getMany, getReprovisionStatus };
export { getActionResults, getConnectivityHistory, getSnapshots, getSupportedActions };

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
		name: 'Get Action Status',
		value: 'getActionStatus',
		description:
			'Read the state of the latest run of a remote action (reboot, rename, reprovision…) on a Cloud PC (pending, active, done, failed) with its start and last update times (beta, organization scope, every page of its action results). Read-only.',
		action: 'Get the status of a remote action on a Cloud PC',
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
	{
		name: 'Get Action Results',
		value: 'getActionResults',
		description:
			'Read every remote action of a Cloud PC (reboot, restore, resize, reprovision…) with its state and times, newest first, and which are still running (beta, organization scope). Read-only.',
		action: 'Get the remote action results of a Cloud PC',
	},
	{
		name: 'Get Connectivity History',
		value: 'getConnectivityHistory',
		description:
			'Read the connectivity events of a Cloud PC (user connections, health checks) with their results, newest first (beta, organization scope). Read-only.',
		action: 'Get the connectivity history of a Cloud PC',
	},
	{
		name: 'Get Snapshots',
		value: 'getSnapshots',
		description:
			'List the snapshots (restore points) of a Cloud PC, newest first, with their type and status: the snapshot ID that Restore takes (beta, organization scope). Read-only.',
		action: 'Get the snapshots of a Cloud PC',
	},
	{
		name: 'Get Supported Actions',
		value: 'getSupportedActions',
		description:
			'Read which remote actions are enabled or disabled on a Cloud PC, to skip one whose action is disabled (beta, organization scope). Read-only.',
		action: 'Get the supported remote actions of a Cloud PC',
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
	...getActionStatus.description,
	...getMany.description,
	...getReprovisionStatus.description,
	...bulkReprovision.description,
	...getSnapshots.description,
	...getSupportedActions.description,
	...getConnectivityHistory.description,
	...getActionResults.description,
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
