import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { sendBatched, type BatchResult } from '../../transport/batch';
import type { GraphClient, GraphVersion } from '../../transport/graph';
import { GraphFailure, hintFor, toNodeApiError } from '../../transport/errors';
import { cloudPcLocator, scopeProperty, userProperty, type Scope } from '../common.descriptions';
import type { ItemResult } from '../router';
import { readThroughput } from '../throughput';
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

/** A retry that meets the first attempt's effect: the Cloud PC is already being rebuilt. */
function isAlreadyReprovisioning(failure: GraphFailure): boolean {
	return (
		failure.status === 409 ||
		(failure.status === 400 && /provisioning|in progress|already/i.test(failure.graphMessage))
	);
}

/** "0-3, 7, 9-12": item numbers for an error message that stays readable at 10,000 items. */
function itemRanges(indexes: number[]): string {
	const ranges: string[] = [];
	for (let i = 0; i < indexes.length; i++) {
		const start = indexes[i];
		while (indexes[i + 1] === indexes[i] + 1) i++;
		ranges.push(start === indexes[i] ? `${start}` : `${start}-${indexes[i]}`);
	}
	return ranges.join(', ');
}

/**
 * Reprovisions each item's Cloud PC. Every item is validated first, so bad input anywhere
 * sends nothing at all unless "Continue On Fail" is on; a Cloud PC named twice is sent once.
 * Requests then go out in JSON batches (transport/batch.ts) where throttling and transient
 * faults are retried without ever repeating a reprovision that took effect.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	graph: GraphClient,
): Promise<ItemResult[]> {
	const stopOnError = !this.continueOnFail();
	const firstItemFor = new Map<string, number>();
	const planned: Array<ReprovisionPlan | ItemResult | undefined> = new Array(items.length);

	const planItem = (itemIndex: number): ReprovisionPlan | ItemResult => {
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
	};

	// Without "Continue On Fail" one bad item must stop the run before anything is sent; with
	// it, items are read just before their batch goes out, overlapping with batches in flight.
	if (stopOnError) items.forEach((_, itemIndex) => (planned[itemIndex] = planItem(itemIndex)));
	const outcomes = await sendBatched(
		graph,
		items.length,
		(itemIndex) => {
			const p = (planned[itemIndex] ??= planItem(itemIndex));
			return isPlan(p)
				? {
						method: 'POST',
						version: p.version,
						path: `${cloudPcPath(p.scope, p.user ?? undefined, p.cloudPcId)}/reprovision`,
						body: p.body,
					}
				: undefined;
		},
		{ ...readThroughput(this), isAlreadyDone: isAlreadyReprovisioning, stopOnFailure: stopOnError },
	);

	if (stopOnError) {
		const failedAt = outcomes.findIndex((outcome) => outcome && !outcome.ok);
		if (failedAt !== -1) {
			const failed = outcomes[failedAt] as Extract<BatchResult, { ok: false }>;
			const indexes = (keep: (outcome: BatchResult | undefined) => boolean) =>
				outcomes.flatMap((outcome, itemIndex) => (keep(outcome) ? [itemIndex] : []));
			const requested = indexes((outcome) => outcome?.ok === true);
			const notSent = indexes((outcome) => !outcome || (!outcome.ok && !outcome.sent));
			const report = [
				requested.length
					? `Reprovision requested in this run for items ${itemRanges(requested)}.`
					: 'No reprovision was requested in this run.',
				notSent.length ? `Not sent: items ${itemRanges(notSent)}.` : '',
			].join(' ');
			throw toNodeApiError(this.getNode(), failed.failure, failedAt, report);
		}
	}

	return items.map((_, itemIndex): ItemResult => {
		const p = planned[itemIndex];
		const outcome = outcomes[itemIndex];
		if (p === undefined || !isPlan(p)) {
			return (
				p ?? { error: notReached(this, itemIndex), json: { outcome: 'failed', requestedAt: null } }
			);
		}
		if (!outcome) {
			return {
				error: notReached(this, itemIndex),
				json: { ...summary(p), outcome: 'failed', requestedAt: null },
			};
		}
		const common = { ...summary(p), attempts: outcome.attempts, requestedAt: outcome.answeredAt };
		if (outcome.ok) {
			return {
				json: {
					...common,
					outcome: 'requested',
					statusCode: outcome.response.statusCode,
					requestId: outcome.response.requestId ?? null,
					clientRequestId: outcome.response.clientRequestId,
					...(outcome.alreadyDone
						? {
								note: 'An earlier attempt whose answer was lost had already started the reprovision; it was not repeated',
							}
						: {}),
				},
			};
		}
		const { failure } = outcome;
		return {
			error: toNodeApiError(this.getNode(), failure, itemIndex),
			json: {
				...common,
				outcome: 'failed',
				statusCode: failure.status || null,
				errorCode: failure.code,
				errorMessage: failure.graphMessage,
				hint: hintFor(failure),
				requestId: failure.requestId ?? null,
				clientRequestId: failure.clientRequestId,
			},
		};
	});
}

const isPlan = (p: ReprovisionPlan | ItemResult): p is ReprovisionPlan => !('json' in p);

/** The run ended (cancelled) before this item was sent. */
function notReached(ctx: IExecuteFunctions, itemIndex: number) {
	return new NodeOperationError(
		ctx.getNode(),
		`Item ${itemIndex}: not sent, the execution was cancelled`,
		{
			itemIndex,
		},
	);
}
