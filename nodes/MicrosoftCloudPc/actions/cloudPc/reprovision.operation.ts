import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { GraphClient, GraphVersion } from '../../transport/graph';
import { GraphFailure, hintFor, toNodeApiError } from '../../transport/errors';
import { cloudPcLocator, scopeProperty, userProperty, type Scope } from '../common.descriptions';
import type { ItemResult } from '../router';
import { invalid, readApiVersion, readCloudPcId, readScope, readUser } from '../validate';
import { cloudPcPath } from './routes';

const show = { show: { resource: ['cloudPc'], operation: ['reprovision'] } };

const OS_VERSIONS = ['windows10', 'windows11'];
const ACCOUNT_TYPES = ['standardUser', 'administrator'];

export const description: INodeProperties[] = [
	{
		displayName:
			'Reprovisioning wipes the Cloud PC: the user loses everything stored on it. Only Cloud PCs whose status is "provisioned" or "failed" can be reprovisioned.',
		name: 'destructiveNotice',
		type: 'notice',
		default: '',
		displayOptions: show,
	},
	{ ...scopeProperty, displayOptions: show },
	{ ...userProperty, displayOptions: { show: { ...show.show, scope: ['user'] } } },
	{ ...cloudPcLocator, displayOptions: show },
	{
		displayName: 'Reprovision Options',
		name: 'reprovisionOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { ...show.show, scope: ['organization'] } },
		options: [
			{
				displayName: 'OS Version',
				name: 'osVersion',
				type: 'options',
				options: [
					{ name: 'Windows 10', value: 'windows10' },
					{ name: 'Windows 11', value: 'windows11' },
				],
				default: 'windows11',
				description:
					"Operating system to provision; left out, Windows 365 keeps the policy's image",
			},
			{
				displayName: 'User Account Type',
				name: 'userAccountType',
				type: 'options',
				options: [
					{ name: 'Standard User', value: 'standardUser' },
					{ name: 'Administrator', value: 'administrator' },
				],
				default: 'standardUser',
				description: 'Whether the user is a local administrator on the new Cloud PC',
			},
		],
	},
];

/** Everything one item will send, worked out before anything is sent. */
interface ReprovisionPlan {
	itemIndex: number;
	scope: Scope;
	user: string | null;
	cloudPcId: string;
	version: GraphVersion;
	body?: { osVersion?: string; userAccountType?: string };
}

function plan(ctx: IExecuteFunctions, itemIndex: number, graph: GraphClient): ReprovisionPlan {
	const scope = readScope(ctx, itemIndex, graph.authentication);
	const user = scope === 'user' ? readUser(ctx, itemIndex) : null;
	const cloudPcId = readCloudPcId(ctx, itemIndex);
	const version = readApiVersion(ctx, itemIndex);
	const options = ctx.getNodeParameter('reprovisionOptions', itemIndex, {}) as IDataObject;
	const { osVersion, userAccountType, ...unknown } = options;
	const unknownOption = Object.keys(unknown)[0];
	if (unknownOption !== undefined) {
		throw invalid(
			ctx,
			itemIndex,
			`Reprovision Options › ${unknownOption}`,
			'is not a reprovision option',
		);
	}
	if (scope !== 'organization' && (osVersion !== undefined || userAccountType !== undefined)) {
		throw invalid(
			ctx,
			itemIndex,
			osVersion !== undefined ? 'OS Version' : 'User Account Type',
			'can only be set on the Organization (Admin) scope; Graph takes no body on the user routes',
		);
	}
	if (osVersion !== undefined && !OS_VERSIONS.includes(osVersion as string)) {
		throw invalid(
			ctx,
			itemIndex,
			'OS Version',
			`must be one of ${OS_VERSIONS.join(', ')}; got "${String(osVersion)}"`,
		);
	}
	if (userAccountType !== undefined && !ACCOUNT_TYPES.includes(userAccountType as string)) {
		throw invalid(
			ctx,
			itemIndex,
			'User Account Type',
			`must be one of ${ACCOUNT_TYPES.join(', ')}; got "${String(userAccountType)}"`,
		);
	}
	const body = {
		...(osVersion !== undefined ? { osVersion: osVersion as string } : {}),
		...(userAccountType !== undefined ? { userAccountType: userAccountType as string } : {}),
	};
	return {
		itemIndex,
		scope,
		user,
		cloudPcId,
		version,
		body: Object.keys(body).length ? body : undefined,
	};
}

function summary(p: ReprovisionPlan): IDataObject {
	return {
		cloudPcId: p.cloudPcId,
		scope: p.scope,
		user: p.user,
		apiVersion: p.version,
		osVersion: p.body?.osVersion ?? null,
		userAccountType: p.body?.userAccountType ?? null,
	};
}

/**
 * Reprovisions each item's Cloud PC. Every item is validated first, so bad input anywhere
 * sends nothing at all unless "Continue On Fail" is on; a Cloud PC named twice is sent once.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	graph: GraphClient,
): Promise<ItemResult[]> {
	const stopOnError = !this.continueOnFail();
	const firstItemFor = new Map<string, number>();
	const plans = items.map((_, itemIndex): ReprovisionPlan | ItemResult => {
		try {
			const p = plan(this, itemIndex, graph);
			const key = p.cloudPcId.toLowerCase();
			const first = firstItemFor.get(key);
			if (first !== undefined) {
				throw invalid(
					this,
					itemIndex,
					'Cloud PC',
					`${p.cloudPcId} is already reprovisioned by item ${first} in this run; it is not sent twice`,
				);
			}
			firstItemFor.set(key, itemIndex);
			return p;
		} catch (error) {
			const failure =
				error instanceof NodeOperationError
					? error
					: new NodeOperationError(this.getNode(), error as Error, { itemIndex });
			if (stopOnError) throw failure;
			return { error: failure, json: { outcome: 'failed', requestedAt: null } };
		}
	});

	const requested: string[] = [];
	const results: ItemResult[] = [];
	for (const p of plans) {
		if (!('cloudPcId' in p)) {
			results.push(p);
			continue;
		}
		const requestedAt = new Date().toISOString();
		try {
			const response = await graph.request({
				method: 'POST',
				version: p.version,
				path: `${cloudPcPath(p.scope, p.user ?? undefined, p.cloudPcId)}/reprovision`,
				body: p.body,
			});
			requested.push(`item ${p.itemIndex} (${p.cloudPcId})`);
			results.push({
				json: {
					...summary(p),
					outcome: 'requested',
					statusCode: response.statusCode,
					requestId: response.requestId ?? null,
					clientRequestId: response.clientRequestId,
					requestedAt,
				},
			});
		} catch (error) {
			if (!(error instanceof GraphFailure)) {
				throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: p.itemIndex });
			}
			const alreadySent = requested.length
				? `Already requested in this run before the failure: ${requested.join(', ')}.`
				: 'Nothing else was requested in this run before the failure.';
			const apiError = toNodeApiError(
				this.getNode(),
				error,
				p.itemIndex,
				stopOnError ? alreadySent : '',
			);
			if (stopOnError) throw apiError;
			results.push({
				error: apiError,
				json: {
					...summary(p),
					outcome: 'failed',
					statusCode: error.status || null,
					errorCode: error.code,
					errorMessage: error.graphMessage,
					hint: hintFor(error),
					requestId: error.requestId ?? null,
					clientRequestId: error.clientRequestId,
					requestedAt,
				},
			});
		}
	}
	return results;
}
