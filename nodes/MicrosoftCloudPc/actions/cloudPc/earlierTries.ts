import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

/*
 * What earlier tries of a node in the same execution did to each Cloud PC. n8n's Retry On Fail
 * runs the node again with all its input items, in the same execution and process (also on a
 * queue-mode worker), when it threw and, with Continue On Fail, while its first output item
 * carries `json.error` (n8n-core's WorkflowExecute, the loop over `tryIndex`). Its mode is
 * unchanged, so nothing else tells a second try from a first: without this record every try
 * would wipe every Cloud PC again.
 *
 * The record lives in this process's memory: a restart loses it (a retried execution is a new
 * execution and is covered by Check for an Earlier Reprovision instead).
 */

/** The newest entries are kept: an execution of more Cloud PCs than this is covered for the last ones. */
export const MAX_ENTRIES = 100_000;
/** Longer than a try can last (Wait for Completion holds one up to 4 hours) plus n8n's 5 s between tries. */
export const LIFETIME_MS = 6 * 60 * 60_000;

interface Entry {
	json: IDataObject;
	at: number;
}

/** One map for the process; Map keeps insertion order, so the oldest entry is always first. */
const entries = new Map<string, Entry>();

function evict(now: number): void {
	for (const [key, entry] of entries) {
		if (entries.size <= MAX_ENTRIES && now - entry.at < LIFETIME_MS) return;
		entries.delete(key);
	}
}

/** The record of one node's action in one execution. */
export class EarlierTries {
	/** undefined when n8n gives no execution ID: then there is nothing to tell tries apart by */
	private readonly prefix: string | undefined;

	/** what this try recorded: an earlier try's outcome is what the record held before */
	private readonly ownKeys = new Set<string>();

	constructor(
		ctx: IExecuteFunctions,
		action: string,
		private readonly now: () => number = Date.now,
	) {
		const executionId = ctx.getExecutionId();
		this.prefix = executionId
			? `${executionId}\n${ctx.getWorkflow().id ?? ''}\n${ctx.getNode().id}\n${action}\n`
			: undefined;
	}

	/** What an earlier try output for this Cloud PC, when it sent (or may have sent) its request. */
	outcomeOf(cloudPcId: string): IDataObject | undefined {
		if (this.prefix === undefined) return undefined;
		const key = this.prefix + cloudPcId.toLowerCase();
		if (this.ownKeys.has(key)) return undefined;
		const entry = entries.get(key);
		if (entry && this.now() - entry.at >= LIFETIME_MS) {
			entries.delete(key);
			return undefined;
		}
		return entry?.json;
	}

	/** Notes what this try output for a Cloud PC whose request Graph acted on, or may have. */
	record(cloudPcId: string, json: IDataObject): void {
		if (this.prefix === undefined) return;
		const key = this.prefix + cloudPcId.toLowerCase();
		const now = this.now();
		this.ownKeys.add(key);
		entries.delete(key);
		entries.set(key, { json, at: now });
		evict(now);
	}
}

/** The earlier try's output, saying it was not sent again. */
export function replayed(json: IDataObject): IDataObject {
	const note =
		'Requested by an earlier try of this node in this execution (Retry On Fail); not sent again';
	return { ...json, note: json.note ? `${String(json.note)}. ${note}` : note };
}
