import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { BatchResult } from '../../../transport/batch';
import { toNodeApiError } from '../../../transport/graphErrors';
import type { GraphRequest } from '../../../transport/graph';
import type { ItemResult } from '../../../shared/types';
import { graphFailureResult, notReached } from '../runReport';
import {
	cloudPcFields,
	failureFields,
	remoteActionFields,
	UNKNOWN_HINT,
} from '../../../shared/outputFields';
import { startedEarlier } from './earlier';
import {
	checksEarlierIn,
	type EarlierCheck,
	reprovisionRequest,
	SAFETY_SWITCHES,
	skipReason,
	summary,
	type ReprovisionPlan,
} from './request';
import type { WaitResult } from './wait';
import type { KnownNames } from '../listEntry';

/**
 * Which optional parts Reprovision's outputs carry. It follows the node's configuration (an
 * option present, or set by an expression), not each item's evaluated value, so every output of
 * a run has the same keys, as a sheet or a ticket template downstream needs; what each item does
 * follows its evaluated values (ReprovisionPlan).
 */
export class OutputShape {
	readonly preReads: boolean;
	/** whether items may be checked for an earlier reprovision in this run (see request.ts) */
	readonly checksEarlier: boolean;
	private readonly rehearses: boolean;
	private readonly waits: boolean;
	private readonly followUp: boolean;

	constructor(safetyParameter: unknown, isRetry: boolean, defaultCheck: EarlierCheck) {
		const configured = (safetyParameter ?? {}) as IDataObject;
		const isOn = (key: string) => configured[key] !== undefined && configured[key] !== false;
		this.preReads = isOn('onlyIfReprovisionable');
		this.rehearses = isOn('dryRun');
		this.waits = isOn('waitForCompletion');
		const check = configured.checkEarlierReprovision ?? defaultCheck;
		this.checksEarlier = checksEarlierIn(check, isRetry);
		this.followUp = this.checksEarlier || SAFETY_SWITCHES.some(isOn);
	}

	reason(reason: string | null): IDataObject {
		return this.followUp ? { reason } : {};
	}

	pc(read: BatchResult | undefined): IDataObject {
		return this.preReads ? cloudPcFields(read?.ok ? read.response.body : {}) : {};
	}

	dryRun(request?: GraphRequest): IDataObject {
		if (!this.rehearses) return {};
		return {
			method: request?.method ?? null,
			path: request ? `/${request.version}${request.path}` : null,
			body: request?.body ?? null,
		};
	}

	wait(result?: WaitResult): IDataObject {
		if (!this.waits) return {};
		return {
			...remoteActionFields(result?.action),
			completedAt: result?.completedAt ?? null,
			waitedSeconds: result?.waitedSeconds ?? null,
		};
	}

	failed(reason: string): IDataObject {
		return { outcome: 'failed', ...this.reason(reason), requestedAt: null };
	}
}

/** What was read of an item before anything is sent. */
export interface ItemReads {
	/** its status (Only If Reprovisionable) */
	read?: BatchResult;
	/** whether a reprovision already started (Check for an Earlier Reprovision) */
	earlier?: BatchResult;
}

/**
 * Why an item whose reads succeeded is left alone, if it is: one rule for what is sent and for
 * what its output says, so a skipped Cloud PC is never reported as failed or cancelled.
 */
export function skipOf(p: ReprovisionPlan, { read, earlier }: ItemReads): string | undefined {
	return (read?.ok ? skipReason(read.response.body) : undefined) ?? startedEarlier(earlier);
}

/**
 * What the output says of the Cloud PC before any outcome: the plan's summary, and its name and
 * user as the read before the request found them, else as known without reading (the input item,
 * the From List choice, a UPN given as the user).
 */
function knownOf(
	shape: OutputShape,
	p: ReprovisionPlan,
	read: BatchResult | undefined,
	known: KnownNames,
) {
	const pc = shape.pc(read);
	const { cloudPcId, ...rest } = summary(p);
	const userUpn = p.user?.includes('@') ? p.user : null;
	return {
		...pc,
		cloudPcName: pc.cloudPcName ?? known.cloudPcName,
		userPrincipalName: pc.userPrincipalName ?? known.userPrincipalName ?? userUpn,
		cloudPcId,
		...rest,
	};
}

/** One output item per input item, from what each step did to it. */
export class ItemOutput {
	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly shape: OutputShape,
		/** what ended the run early, if anything did */
		private readonly fatal: unknown,
		/** the names an item's Cloud PC is known by without reading it */
		private readonly names: (itemIndex: number, cloudPcId: string) => KnownNames,
	) {}

	/** An item the run never sent: cancelled, or ended by an error that was not Graph's answer. */
	unsent(itemIndex: number, known: IDataObject = {}): ItemResult {
		if (this.fatal === undefined) {
			const json = { ...known, ...this.shape.failed('The execution was cancelled') };
			return { error: notReached(this.ctx), json };
		}
		const error = this.fatal as Error;
		return { error, json: { ...known, ...this.shape.failed(`Not sent: ${error.message}`) } };
	}

	of(
		p: ReprovisionPlan,
		reads: ItemReads,
		outcome: BatchResult | undefined,
		wait: WaitResult | undefined,
	): ItemResult {
		const { shape } = this;
		const { read, earlier } = reads;
		const known = knownOf(shape, p, read, this.names(p.itemIndex, p.cloudPcId));
		const notSent = { ...shape.dryRun(), ...shape.wait() };
		for (const [answer, what] of [
			[read, 'The Cloud PC could not be read'],
			[earlier, 'Its earlier reprovisions could not be checked, so it was not sent'],
		] as const) {
			if (answer && !answer.ok) {
				return graphFailureResult(this.ctx, answer.failure, p.itemIndex, {
					...known,
					...shape.failed(`${what}: ${answer.failure.message}`),
					attempts: answer.attempts,
					...notSent,
				});
			}
		}
		const skip = skipOf(p, reads);
		if (skip !== undefined) {
			return {
				json: { ...known, outcome: 'skipped', reason: skip, requestedAt: null, ...notSent },
			};
		}
		if (p.dryRun) {
			const request = shape.dryRun(reprovisionRequest(p));
			return {
				json: {
					...known,
					outcome: 'dryRun',
					reason: null,
					requestedAt: null,
					...request,
					...shape.wait(),
				},
			};
		}
		if (!outcome || (!outcome.ok && !outcome.sent && this.fatal !== undefined)) {
			return this.unsent(p.itemIndex, { ...known, ...notSent });
		}
		return this.sent(p, outcome, wait, known, notSent);
	}

	private sent(
		p: ReprovisionPlan,
		outcome: BatchResult,
		wait: WaitResult | undefined,
		known: IDataObject,
		notSent: IDataObject,
	): ItemResult {
		const { shape } = this;
		const common = { ...known, attempts: outcome.attempts, requestedAt: outcome.answeredAt };
		if (!outcome.ok) {
			const { failure } = outcome;
			if (outcome.outcomeUnknown) {
				const json = {
					...common,
					outcome: 'unknown',
					reason: failure.graphMessage,
					...failureFields(failure),
				};
				return { json: { ...json, hint: UNKNOWN_HINT, ...notSent } };
			}
			return {
				error: toNodeApiError(this.ctx.getNode(), failure, p.itemIndex),
				json: {
					...common,
					outcome: 'failed',
					...shape.reason(failure.message),
					...failureFields(failure),
					...notSent,
				},
			};
		}
		const { response, confirmedBy } = outcome;
		return {
			json: {
				...common,
				outcome: wait?.outcome ?? 'requested',
				...shape.reason(wait?.reason ?? null),
				// a confirmed item's own answer was lost: Graph's records, not a status, say it ran
				statusCode: confirmedBy ? null : response.statusCode,
				requestId: response.requestId ?? null,
				clientRequestId: response.clientRequestId,
				...(confirmedBy
					? {
							note: `The answer to this reprovision was lost; ${confirmedBy}, so it was not sent again`,
						}
					: {}),
				...shape.dryRun(),
				...shape.wait(wait),
			},
		};
	}
}
