import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { GraphFailure, toNodeApiError } from '../../transport/graphErrors';
import {
	graphOutcome,
	sendDirect,
	type DirectOptions,
	type DirectResponse,
} from '../../transport/direct';
import type { GraphClient, GraphRequest } from '../../transport/graph';
import type { Verdict } from '../../transport/verdict';
import { bulkActionPages, BULK_ACTIONS_PATH, recentBulkActions } from './bulkActions';
import type { RemoteActionDescriptor } from '../../remoteActions/descriptor';
import { readThroughput } from '../throughput';
import { readCloudPcId } from '../validate';
import { ItemPlanner, SeenCloudPcs } from './itemPlanner';
import { graphFailureResult, itemRanges } from './runReport';
import { EarlierTries, replayed } from './earlierTries';
import { failureFields, text } from '../../shared/outputFields';
import type { ItemResult } from '../../shared/types';

/*
 * The one bulk engine: the Cloud PCs of all input items in one beta bulk action of the
 * descriptor's subtype (`bulk.odataType`; more than 5,000: one per 5,000), each Cloud PC at most
 * once, never twice (docs/exactly-once.md): a name unique to the run, so that a lost answer is
 * found by name instead of creating a second bulk action; earlier bulk actions of the same
 * subtype covering a Cloud PC leave it out (`skipped`); n8n's Retry On Fail replays what an
 * earlier try of the node sent (EarlierTries, keyed by subtype). Bulk Reprovision and Bulk
 * Action both run here; what differs between them is in `BulkRun`.
 */

/**
 * Cloud PCs per bulk action. Graph's documentation states no limit; larger runs are split so
 * that one oversized request cannot fail them all.
 */
export const MAX_BULK_CLOUD_PCS = 5000;

const OUTCOME_UNKNOWN = 'OutcomeUnknown';

/** One run of the engine: the subtype, the body beside the Cloud PCs, and how outputs read. */
export interface BulkRun {
	/** the action; its `bulk` names the subtype */
	action: RemoteActionDescriptor & { bulk: NonNullable<RemoteActionDescriptor['bulk']> };
	/** the bulk action's name, unique to this run (the time is in it) */
	baseName: string;
	/** leave out Cloud PCs an earlier bulk action of the subtype covers */
	checkEarlier: boolean;
	/** the subtype's own body fields, checked, by Graph's names */
	fields: IDataObject;
	/** send `scheduledDuringMaintenanceWindow: true`: Windows 365 runs it in the maintenance window */
	scheduled: boolean;
	texts: {
		/** how a skip reason says an earlier bulk action covers it: 'already reprovisions' */
		covers: string;
		/** the earlier check's label, ending skip reasons */
		option: string;
		/** the hint of an item whose outcome is unknown */
		unknownHint: string;
	};
	/**
	 * Outputs with `action` and `scheduledDuringMaintenanceWindow` (Bulk Action); without them,
	 * as Bulk Reprovision has always made them.
	 */
	extendedOutput: boolean;
}

/** The descriptor's bulk subtype, or undefined when it has none. */
export function withBulk(d: RemoteActionDescriptor): BulkRun['action'] | undefined {
	return d.bulk ? (d as BulkRun['action']) : undefined;
}

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
 * Runs the action on the Cloud PCs of all input items in one beta bulk action (more than 5,000:
 * one per 5,000). Each input item gets an output naming its bulk action; invalid items fail on their
 * own and are left out of the request; a Cloud PC given twice is sent once.
 */
export async function runBulk(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	graph: GraphClient,
	run: BulkRun,
): Promise<ItemResult[]> {
	const planner = new ItemPlanner(
		ctx,
		items.length,
		(itemIndex) => readCloudPcId(ctx, itemIndex),
		(error) => failedJson(error.message),
	);
	// One request carries every ID: all are validated before it is sent.
	await planner.planAll();
	const deduped = dedupe(planner, items.length);
	// Keyed by the subtype (with the execution and node, earlierTries.ts).
	const tries = new EarlierTries(ctx, `bulk ${run.action.bulk.odataType}`);
	const untried = deduped.unique.filter((entry) => !tries.outcomeOf(entry.cloudPcId));
	const earlier = await findEarlier(ctx, graph, run, untried);
	// Not sent again: a Cloud PC in a bulk action an earlier try of this node created, or in a
	// recent bulk action of the same subtype Graph lists.
	const fresh = untried.filter((entry) => !earlier.has(entry.cloudPcId.toLowerCase()));
	const chunks = chunkEntries(fresh, run.baseName);
	await createBulkActions(ctx, graph, run, planner.stopOnError, chunks, (chunk) => {
		for (const entry of chunk.entries) {
			tries.record(entry.cloudPcId, itemResult(ctx, run, entry, chunk, null).json);
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
		if (before) return earlierResult(ctx, run, { cloudPcId, itemIndex }, before);
		const chunk = chunkOf.get(cloudPcId.toLowerCase()) as Chunk;
		const note = noteFor(itemIndex, chunk, chunks, deduped);
		return itemResult(ctx, run, { cloudPcId, itemIndex }, chunk, note);
	});
}

/**
 * The earlier check: the Cloud PCs a recent bulk action of the same subtype covers. When
 * the bulk actions cannot be listed nothing is created: without "Continue On Fail" the run
 * stops, with it every item fails with the reason.
 */
async function findEarlier(
	ctx: IExecuteFunctions,
	graph: GraphClient,
	run: BulkRun,
	unique: Entry[],
): Promise<Map<string, Earlier>> {
	const earlier = new Map<string, Earlier>();
	if (!run.checkEarlier || !unique.length) return earlier;
	const { action } = run;
	const found = await graphOutcome(
		recentBulkActions(
			graph,
			readThroughput(ctx),
			action.bulk.odataType,
			action.earlier.windowMinutes * 60_000,
		),
	);
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
function earlierResult(
	ctx: IExecuteFunctions,
	run: BulkRun,
	{ cloudPcId, itemIndex }: Entry,
	earlier: Earlier,
) {
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
			reason: `Bulk action "${String(action.displayName)}" (${String(action.id)}), created ${String(action.createdDateTime)}${action.scheduledDuringMaintenanceWindow === true ? ' and scheduled for the maintenance window' : ''}, ${run.texts.covers} this Cloud PC, so it was not sent again (${run.texts.option})`,
			apiVersion: 'beta',
			requestedAt: null,
			...bulkActionFields(run, action),
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
	run: BulkRun,
	stopOnError: boolean,
	chunks: Chunk[],
	mayExist: (chunk: Chunk) => void,
): Promise<void> {
	const throughput = readThroughput(ctx);
	for (const chunk of chunks) {
		const created = await graphOutcome(createBulkAction(graph, run, chunk, throughput));
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
	run: BulkRun,
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
				...bulkActionFields(run, undefined, chunk),
				...failureFields(chunk.failure),
				hint: run.texts.unknownHint,
				note,
			},
		};
	}
	if (!chunk.created) {
		const failure = chunk.failure as GraphFailure;
		return graphFailureResult(ctx, failure, itemIndex, {
			cloudPcId,
			...failedJson(failure.message),
			...bulkActionFields(run, undefined, chunk),
			note,
		});
	}
	const { response, requestedAt } = chunk.created;
	const scheduled = scheduledIn(run, response.body);
	return {
		json: {
			cloudPcId,
			// Scheduled: Windows 365 runs it in the Cloud PC's maintenance window, not now.
			outcome: scheduled ? 'scheduled' : 'requested',
			reason: scheduled
				? `Scheduled, not running: Windows 365 runs the ${run.action.words.noun} on this Cloud PC in its next maintenance window (Scheduled During Maintenance Window)`
				: null,
			apiVersion: 'beta',
			requestedAt,
			...bulkActionFields(run, response.body, chunk),
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
	run: BulkRun,
	chunk: Chunk,
	throughput: DirectOptions,
): Promise<DirectResponse<IDataObject>> {
	const request: GraphRequest = {
		method: 'POST',
		version: 'beta',
		path: BULK_ACTIONS_PATH,
		body: {
			'@odata.type': run.action.bulk.odataType,
			displayName: chunk.displayName,
			cloudPcIds: chunk.entries.map((entry) => entry.cloudPcId),
			...run.fields,
			// Left out unless asked for: Graph's default is false (resources/cloudpcbulkaction).
			...(run.scheduled ? { scheduledDuringMaintenanceWindow: true } : {}),
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
function bulkActionFields(
	run: BulkRun,
	action: IDataObject | undefined,
	chunk?: Chunk,
): IDataObject {
	const listed = Array.isArray(action?.cloudPcIds) ? action.cloudPcIds.length : null;
	const extended = run.extendedOutput
		? {
				action: run.action.operation,
				bulkActionType: run.action.bulk.odataType,
				scheduledDuringMaintenanceWindow: chunk
					? scheduledIn(run, action)
					: action?.scheduledDuringMaintenanceWindow === true,
			}
		: {};
	return {
		...extended,
		bulkActionId: text(action?.id),
		bulkActionDisplayName: text(action?.displayName) ?? chunk?.displayName ?? null,
		bulkActionStatus: text(action?.status),
		bulkActionCreatedDateTime: text(action?.createdDateTime),
		bulkActionCloudPcCount: chunk ? chunk.entries.length : listed,
	};
}

/** Whether this run's bulk action waits for the maintenance window: as Graph answers, else as sent. */
function scheduledIn(run: BulkRun, created: IDataObject | undefined): boolean {
	const listed = created?.scheduledDuringMaintenanceWindow;
	return typeof listed === 'boolean' ? listed : run.scheduled;
}
