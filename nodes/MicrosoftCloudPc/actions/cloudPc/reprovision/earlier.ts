import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { BatchResult } from '../../../transport/batch';
import type { GraphRequest } from '../../../transport/graph';
import { earlierReprovision, remoteActionResultsRequest } from '../remoteActions';
import { defaultEarlierCheck, preReadRequest, type ReprovisionPlan } from './request';
import { REPROVISIONABLE_STATUSES } from '../../../model';

/*
 * Check for an Earlier Reprovision, per scope. The admin route lists a Cloud PC's remote actions
 * (beta retrieveCloudPcRemoteActionResults); the user routes have no such function, so there the
 * Cloud PC's beta status is all Graph shows: a reprovision still running, not one that finished.
 */

/**
 * The Check for an Earlier Reprovision option of one node version (Reprovision and Bulk
 * Reprovision): versions differ only in the default, so each is shown to its own version.
 */
export function earlierCheckOption(
	nodeVersion: number,
	texts: { cost: string; description: string },
): INodeProperties {
	const check = defaultEarlierCheck(nodeVersion);
	const unset = `Not set, it is ${check === 'always' ? 'Always' : 'On Retry'}.`;
	return {
		displayName: 'Check for an Earlier Reprovision',
		name: 'checkEarlierReprovision',
		type: 'options',
		displayOptions: { show: { '@version': [nodeVersion] } },
		options: [
			{
				name: 'Always',
				value: 'always',
				description: `Protects against the same request arriving twice (a webhook sent again, overlapping schedules, Execute clicked twice). Costs ${texts.cost}.`,
			},
			{
				name: 'On Retry',
				value: 'onRetry',
				description:
					'Only when you retry a failed execution: no extra reads otherwise, but the same request arriving twice wipes the Cloud PCs twice',
			},
			{
				name: 'Never',
				value: 'never',
				description: 'No extra reads; a request that arrives again wipes the Cloud PCs again',
			},
		],
		default: check,
		description: `${texts.description} ${unset}`,
	};
}

/** The read that tells whether a reprovision of this Cloud PC already started. */
export function earlierCheckRequest(p: ReprovisionPlan): GraphRequest {
	return p.scope === 'organization' ? remoteActionResultsRequest(p.cloudPcId) : preReadRequest(p);
}

/** Why a Cloud PC is not sent again after that read; undefined when nothing stops it. */
export function startedEarlier(
	p: ReprovisionPlan,
	earlier: BatchResult | undefined,
): string | undefined {
	if (!earlier?.ok) return undefined;
	const body = earlier.response.body as IDataObject;
	return p.scope === 'organization' ? reprovisionFound(body) : actionRunning(body);
}

function reprovisionFound(body: IDataObject): string | undefined {
	const action = earlierReprovision(body);
	if (!action) return undefined;
	return `A reprovision of this Cloud PC started at ${String(action.startDateTime)} (${String(action.actionState)}), so it was not sent again (Check for an Earlier Reprovision)`;
}

function actionRunning(body: IDataObject): string | undefined {
	const { status } = body;
	if (typeof status === 'string' && REPROVISIONABLE_STATUSES.includes(status)) return undefined;
	const shown =
		typeof status === 'string' ? `Its status is "${status}"` : 'Graph did not report its status';
	return `${shown}, so an action may be running on it and it was not sent (Check for an Earlier Reprovision: on this scope Graph shows only the status, not a reprovision that already finished)`;
}
