import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { BatchResult } from '../../transport/batch';
import { toNodeApiError, type ActionHints } from '../../transport/graphErrors';
import type { GraphRequest } from '../../transport/graph';
import type { ItemResult } from '../../shared/types';
import { graphFailureResult, notReached } from '../cloudPc/runReport';
import {
	cloudPcFields,
	failureFields,
	remoteActionFields,
	unknownHint,
} from '../../shared/outputFields';
import { startedEarlier } from './earlier';
import {
	actionRequest,
	checksEarlierIn,
	COMMON_SWITCHES,
	type EarlierCheck,
	skipReason,
	summary,
	type ActionPlan,
} from './request';
import type { RemoteActionDescriptor } from '../../remoteActions/descriptor';
import type { WaitResult } from './wait';
import type { KnownNames } from '../cloudPc/listEntry';

/**
 * Which optional parts an action's outputs carry. It follows the node's configuration (an
 * option present, or set by an expression), not each item's evaluated value, so every output of
 * a run has the same keys, as a sheet or a ticket template downstream needs; what each item does
 * follows its evaluated values (ActionPlan).
 */
export class OutputShape {
	readonly preReads: boolean;
	/** whether items may be checked for an earlier action in this run (see request.ts) */
	readonly checksEarlier: boolean;
	private readonly rehearses: boolean;
	private readonly waits: boolean;
	private readonly followUp: boolean;

	constructor(
		d: RemoteActionDescriptor,
		safetyParameter: unknown,
		isRetry: boolean,
		defaultCheck: EarlierCheck,
	) {
		const configured = (safetyParameter ?? {}) as IDataObject;
		const isOn = (key: string) => configured[key] !== undefined && configured[key] !== false;
		this.preReads = isOn(d.onlyIfReady.parameter);
		this.rehearses = isOn('dryRun');
		this.waits = isOn('waitForCompletion');
		const check = configured[d.earlier.parameter] ?? defaultCheck;
		this.checksEarlier = checksEarlierIn(check, isRetry);
		this.followUp = this.checksEarlier || this.preReads || COMMON_SWITCHES.some(isOn);
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
	/** its status (the state guard: Only If Reprovisionable, Only If Ready…) */
	read?: BatchResult;
	/** whether the action already started (Check for an Earlier …) */
	earlier?: BatchResult;
}

/**
 * Why an item whose reads succeeded is left alone, if it is: one rule for what is sent and for
 * what its output says, so a skipped Cloud PC is never reported as failed or cancelled.
 */
export function skipOf(
	d: RemoteActionDescriptor,
	{ read, earlier }: ItemReads,
): string | undefined {
	return (read?.ok ? skipReason(read.response.body, d) : undefined) ?? startedEarlier(d, earlier);
}

/**
 * What the output says of the Cloud PC before any outcome: the plan's summary, and its name and
 * user as the read before the request found them, else as known without reading (the input item,
 * the From List choice, a UPN given as the user).
 */
function knownOf(
	shape: OutputShape,
	d: RemoteActionDescriptor,
	p: ActionPlan,
	read: BatchResult | undefined,
	known: KnownNames,
) {
	const pc = shape.pc(read);
	const { cloudPcId, ...rest } = summary(p, d);
	const userUpn = p.user?.includes('@') ? p.user : null;
	return {
		...pc,
		cloudPcName: pc.cloudPcName ?? known.cloudPcName,
		userPrincipalName: pc.userPrincipalName ?? known.userPrincipalName ?? userUpn,
		cloudPcId,
		...rest,
	};
}

/**
 * Who asked for the action, for the audit trail: the operation and the credential type (the
 * when and the request-id are `requestedAt` and `requestId`). Left out where the descriptor keeps
 * node versions 1 and 2's output (`outputWithoutAudit`).
 */
export function auditFields(d: RemoteActionDescriptor, credentialType: string): IDataObject {
	return d.outputWithoutAudit ? {} : { action: d.operation, credentialType };
}

/** One output item per input item, from what each step did to it. */
export class ItemOutput {
	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly action: RemoteActionDescriptor,
		/** the audit fields every output of the run carries */
		private readonly audit: IDataObject,
		/** the action's words for Graph's refusals of it */
		private readonly hints: ActionHints,
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
		p: ActionPlan,
		reads: ItemReads,
		outcome: BatchResult | undefined,
		wait: WaitResult | undefined,
	): ItemResult {
		const { shape } = this;
		const { read, earlier } = reads;
		const d = this.action;
		const known = {
			...knownOf(shape, d, p, read, this.names(p.itemIndex, p.cloudPcId)),
			...this.audit,
		};
		const notSent = { ...shape.dryRun(), ...shape.wait() };
		for (const [answer, what] of [
			[read, 'The Cloud PC could not be read'],
			[earlier, `Its earlier ${d.words.noun}s could not be checked, so it was not sent`],
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
		const skip = skipOf(d, reads);
		if (skip !== undefined) {
			return {
				json: { ...known, outcome: 'skipped', reason: skip, requestedAt: null, ...notSent },
			};
		}
		if (p.dryRun) {
			const request = shape.dryRun(actionRequest(p, d));
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
		p: ActionPlan,
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
					...failureFields(failure, this.hints),
				};
				const hint = unknownHint(this.action.words.noun, 'Get Action Status');
				return { json: { ...json, hint, ...notSent } };
			}
			return {
				error: toNodeApiError(this.ctx.getNode(), failure, p.itemIndex, '', this.hints),
				json: {
					...common,
					outcome: 'failed',
					...shape.reason(failure.message),
					...failureFields(failure, this.hints),
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
							note: `The answer to this ${this.action.words.noun} was lost; ${confirmedBy}, so it was not sent again`,
						}
					: {}),
				...shape.dryRun(),
				...shape.wait(wait),
			},
		};
	}
}
