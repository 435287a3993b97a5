import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	updateDisplayOptions,
} from 'n8n-workflow';

import { GraphFailure, toNodeApiError } from '../../transport/graphErrors';
import {
	graphOutcome,
	sendDirect,
	type DirectOptions,
	type DirectResponse,
} from '../../transport/direct';
import type { GraphClient, GraphRequest } from '../../transport/graph';
import type { Verdict } from '../../transport/verdict';
import { cloudPcLocator, organizationBetaNotice } from '../../shared/descriptions';
import {
	bulkActionPages,
	BULK_ACTIONS_PATH,
	BULK_REPROVISION_TYPE,
	recentBulkReprovisions,
} from './bulkActions';
import { earlierCheckOption } from '../remoteAction/earlier';
import {
	checksEarlierIn,
	defaultEarlierCheck,
	EARLIER_CHECKS,
	type EarlierCheck,
} from '../remoteAction/request';
import { reprovision } from '../../remoteActions/reprovision.action';
import { readThroughput } from '../throughput';
import { invalid, readChoiceOption, readCloudPcId, readCollection } from '../validate';
import { ItemPlanner, SeenCloudPcs } from './itemPlanner';
import { graphFailureResult, itemRanges } from './runReport';
import { EarlierTries, replayed } from './earlierTries';
import { failureFields, text, unknownHint } from '../../shared/outputFields';
import type { ItemResult } from '../../shared/types';

const displayOptions = { show: { resource: ['cloudPc'], operation: ['bulkReprovision'] } };

/**
 * Cloud PCs per bulk action. Graph's documentation states no limit; larger runs are split so
 * that one oversized request cannot fail them all.
 */
export const MAX_BULK_CLOUD_PCS = 5000;

const OUTCOME_UNKNOWN = 'OutcomeUnknown';

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

type Entry = { cloudPcId: string; itemIndex: number };

/** An item left out because an earlier bulk action covers its Cloud PC, or the check failed. */
type Earlier = { action: IDataObject } | { failure: GraphFailure };

interface Chunk {
	entries: Entry[];
	displayName: string;
	created?: { response: DirectResponse<IDataObject>; requestedAt: string };
	failure?: GraphFailure;
}

/** The Cloud PCs to send, each once, and the items that named one already sent. */
interface Deduped {
	unique: Entry[];
	duplicateOf: Map<number, number>;
}

const failedJson = (reason: string): IDataObject => ({
	outcome: 'failed',
	reason,
	apiVersion: 'beta',
	requestedAt: null,
});

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
	const planner = new ItemPlanner(
		this,
		items.length,
		(itemIndex) => readCloudPcId(this, itemIndex),
		(error) => failedJson(error.message),
	);
	// One request carries every ID: all are validated before it is sent.
	await planner.planAll();
	const options = readBulkOptions(this);
	const deduped = dedupe(planner, items.length);
	const tries = new EarlierTries(this, 'bulkReprovision');
	const untried = deduped.unique.filter((entry) => !tries.outcomeOf(entry.cloudPcId));
	const earlier = await findEarlier(this, graph, options.checkEarlier, untried);
	// Not sent again: a Cloud PC in a bulk action an earlier try of this node created, or in a
	// recent reprovision bulk action Graph lists.
	const fresh = untried.filter((entry) => !earlier.has(entry.cloudPcId.toLowerCase()));
	const chunks = chunkEntries(fresh, options.baseName);
	await createBulkActions(this, graph, planner.stopOnError, chunks, (chunk) => {
		for (const entry of chunk.entries) {
			tries.record(entry.cloudPcId, itemResult(this, entry, chunk, null).json);
		}
	});

	const chunkOf = new Map<string, Chunk>();
	for (const chunk of chunks) {
		for (const entry of chunk.entries) chunkOf.set(entry.cloudPcId.toLowerCase(), chunk);
	}
	return items.map((_, itemIndex): ItemResult => {
		const cloudPcId = planner.plan(itemIndex);
		if (cloudPcId === undefined) return planner.failure(itemIndex) as ItemResult;
		const tried = tries.outcomeOf(cloudPcId);
		if (tried) return { json: replayed(tried) };
		const before = earlier.get(cloudPcId.toLowerCase());
		if (before) return earlierResult(this, { cloudPcId, itemIndex }, before);
		const chunk = chunkOf.get(cloudPcId.toLowerCase()) as Chunk;
		const note = noteFor(itemIndex, chunk, chunks, deduped);
		return itemResult(this, { cloudPcId, itemIndex }, chunk, note);
	});
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

/**
 * Check for an Earlier Reprovision: the Cloud PCs a recent reprovision bulk action covers. When
 * the bulk actions cannot be listed nothing is created: without "Continue On Fail" the run
 * stops, with it every item fails with the reason.
 */
async function findEarlier(
	ctx: IExecuteFunctions,
	graph: GraphClient,
	checkEarlier: boolean,
	unique: Entry[],
): Promise<Map<string, Earlier>> {
	const earlier = new Map<string, Earlier>();
	if (!checkEarlier || !unique.length) return earlier;
	const found = await graphOutcome(recentBulkReprovisions(graph, readThroughput(ctx)));
	if (found instanceof GraphFailure && !ctx.continueOnFail()) {
		throw toNodeApiError(
			ctx.getNode(),
			found,
			undefined,
			'No bulk action was created in this run.',
		);
	}
	for (const { cloudPcId } of unique) {
		const key = cloudPcId.toLowerCase();
		if (found instanceof GraphFailure) earlier.set(key, { failure: found });
		else if (found.has(key)) earlier.set(key, { action: found.get(key) as IDataObject });
	}
	return earlier;
}

/** An item not sent: an earlier bulk action covers its Cloud PC, or that could not be checked. */
function earlierResult(ctx: IExecuteFunctions, { cloudPcId, itemIndex }: Entry, earlier: Earlier) {
	if ('failure' in earlier) {
		const reason = `The earlier bulk actions could not be checked, so it was not sent: ${earlier.failure.message}`;
		return graphFailureResult(ctx, earlier.failure, itemIndex, {
			cloudPcId,
			...failedJson(reason),
		});
	}
	const { action } = earlier;
	return {
		json: {
			cloudPcId,
			outcome: 'skipped',
			reason: `Bulk action "${String(action.displayName)}" (${String(action.id)}), created ${String(action.createdDateTime)}, already reprovisions this Cloud PC, so it was not sent again (Check for an Earlier Reprovision)`,
			apiVersion: 'beta',
			requestedAt: null,
			...bulkActionFields(action),
			note: null,
		},
	};
}

/** The valid items' Cloud PCs in item order, each once. */
function dedupe(planner: ItemPlanner<string>, count: number): Deduped {
	const seen = new SeenCloudPcs();
	const deduped: Deduped = { unique: [], duplicateOf: new Map() };
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		const cloudPcId = planner.plan(itemIndex);
		if (cloudPcId === undefined) continue;
		const first = seen.firstItemOf(cloudPcId, itemIndex);
		if (first !== undefined) deduped.duplicateOf.set(itemIndex, first);
		else deduped.unique.push({ cloudPcId, itemIndex });
	}
	return deduped;
}

/** At most MAX_BULK_CLOUD_PCS a bulk action; more than one are numbered "(k/n)". */
function chunkEntries(unique: Entry[], baseName: string): Chunk[] {
	const count = Math.ceil(unique.length / MAX_BULK_CLOUD_PCS);
	const chunks: Chunk[] = [];
	for (let k = 0; k < count; k++) {
		chunks.push({
			entries: unique.slice(k * MAX_BULK_CLOUD_PCS, (k + 1) * MAX_BULK_CLOUD_PCS),
			displayName: count > 1 ? `${baseName} (${k + 1}/${count})` : baseName,
		});
	}
	return chunks;
}

/**
 * Creates the chunks' bulk actions one after another, noting on each what came of it and
 * handing each that exists, or may, to `mayExist` before anything can end the run. Without
 * "Continue On Fail" a failure ends the run, naming what was created; an unknown outcome never
 * does, as its bulk action may exist.
 */
async function createBulkActions(
	ctx: IExecuteFunctions,
	graph: GraphClient,
	stopOnError: boolean,
	chunks: Chunk[],
	mayExist: (chunk: Chunk) => void,
): Promise<void> {
	const throughput = readThroughput(ctx);
	for (const chunk of chunks) {
		const created = await graphOutcome(createBulkAction(graph, chunk, throughput));
		if (!(created instanceof GraphFailure)) {
			chunk.created = { response: created, requestedAt: new Date().toISOString() };
			mayExist(chunk);
			continue;
		}
		chunk.failure = created;
		if (created.code === OUTCOME_UNKNOWN) mayExist(chunk);
		if (stopOnError && created.code !== OUTCOME_UNKNOWN) {
			throw toNodeApiError(
				ctx.getNode(),
				created,
				chunk.entries[0].itemIndex,
				createdReport(chunks),
			);
		}
	}
}

/** What an item's output adds: it was a duplicate, or its run was split. */
function noteFor(
	itemIndex: number,
	chunk: Chunk,
	chunks: Chunk[],
	{ duplicateOf }: Deduped,
): string | null {
	const sent = chunks.reduce((count, c) => count + c.entries.length, 0);
	const notes = [
		duplicateOf.has(itemIndex)
			? `The same Cloud PC as item ${duplicateOf.get(itemIndex)}; it is in the bulk action once`
			: '',
		chunks.length > 1
			? `${sent} Cloud PCs were split into ${chunks.length} bulk actions of at most ${MAX_BULK_CLOUD_PCS}; this is number ${chunks.indexOf(chunk) + 1}`
			: '',
	].filter(Boolean);
	return notes.length ? notes.join('. ') : null;
}

/** One valid item's output: what came of its chunk's bulk action. */
function itemResult(
	ctx: IExecuteFunctions,
	{ cloudPcId, itemIndex }: Entry,
	chunk: Chunk,
	note: string | null,
): ItemResult {
	if (!chunk.created && chunk.failure?.code === OUTCOME_UNKNOWN) {
		return {
			json: {
				cloudPcId,
				outcome: 'unknown',
				reason: chunk.failure.graphMessage,
				apiVersion: 'beta',
				requestedAt: null,
				...bulkActionFields(undefined, chunk),
				...failureFields(chunk.failure),
				hint: unknownHint('reprovision', 'Get Reprovision Status'),
				note,
			},
		};
	}
	if (!chunk.created) {
		const failure = chunk.failure as GraphFailure;
		return graphFailureResult(ctx, failure, itemIndex, {
			cloudPcId,
			...failedJson(failure.message),
			...bulkActionFields(undefined, chunk),
			note,
		});
	}
	const { response, requestedAt } = chunk.created;
	return {
		json: {
			cloudPcId,
			outcome: 'requested',
			reason: null,
			apiVersion: 'beta',
			requestedAt,
			...bulkActionFields(response.body, chunk),
			statusCode: response.statusCode,
			requestId: response.requestId ?? null,
			clientRequestId: response.clientRequestId,
			note: response.confirmedBy
				? [
						note,
						`The answer was lost; ${response.confirmedBy}, so no second bulk action was created`,
					]
						.filter(Boolean)
						.join('. ')
				: note,
		},
	};
}

/**
 * Creates one bulk action. Its name is unique to this run, so when the answer is lost the
 * action can be found by name: a lost answer never leads to a second bulk action.
 */
async function createBulkAction(
	graph: GraphClient,
	chunk: Chunk,
	throughput: DirectOptions,
): Promise<DirectResponse<IDataObject>> {
	const request: GraphRequest = {
		method: 'POST',
		version: 'beta',
		path: BULK_ACTIONS_PATH,
		body: {
			'@odata.type': BULK_REPROVISION_TYPE,
			displayName: chunk.displayName,
			cloudPcIds: chunk.entries.map((entry) => entry.cloudPcId),
		},
	};
	const verify = async (): Promise<Verdict> => {
		const found = await graphOutcome(findBulkAction(graph, chunk.displayName, throughput));
		if (found instanceof GraphFailure) {
			return {
				verdict: 'unknown',
				reason: `the bulk actions could not be listed (${found.message})`,
			};
		}
		if (!found) return { verdict: 'notActed' };
		return {
			verdict: 'acted',
			evidence: `Graph lists bulk action "${chunk.displayName}"`,
			body: found,
		};
	};
	return await sendDirect<IDataObject>(graph, request, { ...throughput, verify });
}

/**
 * Pages through beta `bulkActions` for the one with this name. A page that is not a list fails:
 * "not found" would send the bulk action a second time.
 */
async function findBulkAction(
	graph: GraphClient,
	displayName: string,
	throughput: DirectOptions,
): Promise<IDataObject | undefined> {
	for await (const { page } of bulkActionPages(graph, throughput)) {
		const found = page.value.find((action) => action.displayName === displayName);
		if (found) return found;
	}
	return undefined;
}

/** What was created before a failure ended the run. */
function createdReport(chunks: Chunk[]): string {
	const created = chunks.filter((c) => c.created);
	return created.length
		? `Bulk actions already created in this run: ${created
				.map(
					(c) =>
						`${String(c.created?.response.body.id)} (items ${itemRanges(c.entries.map((e) => e.itemIndex))})`,
				)
				.join(', ')}.`
		: 'No bulk action was created in this run.';
}

/**
 * A bulk action, flat: the one this run created (its chunk: the name and Cloud PCs sent, when
 * Graph's answer has none), or an earlier one as Graph lists it.
 */
function bulkActionFields(action: IDataObject | undefined, chunk?: Chunk): IDataObject {
	const listed = Array.isArray(action?.cloudPcIds) ? action.cloudPcIds.length : null;
	return {
		bulkActionId: text(action?.id),
		bulkActionDisplayName: text(action?.displayName) ?? chunk?.displayName ?? null,
		bulkActionStatus: text(action?.status),
		bulkActionCreatedDateTime: text(action?.createdDateTime),
		bulkActionCloudPcCount: chunk ? chunk.entries.length : listed,
	};
}
