import type { IDataObject } from 'n8n-workflow';

import { outcomeOfAction } from '../MicrosoftCloudPc/shared/remoteActionResults';

/*
 * What the trigger remembers between polls, and the comparison that turns two looks at the
 * tenant into changes. Pure: no Graph, no n8n; poll.ts reads and commits.
 */

/** A Cloud PC as one poll saw it (the fields the list's $select asks for). */
export interface SeenCloudPc {
	id: string;
	pc: IDataObject;
	status: string;
	/** the last finished Reprovision in `lastRemoteActionResult`, if any */
	reprovision?: IDataObject;
}

/**
 * Kept in the workflow's static data. Per Cloud PC one short text, so 10,000 Cloud PCs stay far
 * below 1 MB: `<status index>[:<reprovision key>][!]`, `!` when the last poll did not list it.
 */
export interface TriggerState {
	v: 1;
	/** what was read (filters): another query starts over, so a new filter fires nothing */
	query: string;
	/** the statuses the entries point into */
	statuses: string[];
	pcs: Record<string, string>;
}

export type Change =
	// previousStatus is null only in the example "Fetch Test Event" shows
	| { kind: 'statusChanged'; seen: SeenCloudPc; previousStatus: string | null }
	| { kind: 'reprovisionFinished'; seen: SeenCloudPc; previousStatus: string | null }
	| { kind: 'added'; seen: SeenCloudPc }
	| { kind: 'removed'; id: string; previousStatus: string };

interface Entry {
	status: string;
	reprovisionKey?: string;
	missing: boolean;
}

const ENTRY = /^(\d+)(?::([0-9a-z]+))?(!)?$/;

/** The state in static data, or undefined when there is none or it is not ours. */
export function readState(value: unknown, query: string): TriggerState | undefined {
	const state = value as Partial<TriggerState> | undefined;
	if (state?.v !== 1 || state.query !== query) return undefined;
	if (!Array.isArray(state.statuses) || typeof state.pcs !== 'object' || state.pcs === null) {
		return undefined;
	}
	return state as TriggerState;
}

function decode(state: TriggerState, text: string): Entry | undefined {
	const match = ENTRY.exec(text);
	const status = match ? state.statuses[Number(match[1])] : undefined;
	if (!match || status === undefined) return undefined;
	return { status, reprovisionKey: match[2], missing: match[3] === '!' };
}

/**
 * A finished reprovision, as a short key that changes when another one finishes: its start
 * time and how it ended. A running one has no key, so it fires when it ends, not when it starts.
 */
export function reprovisionKey(action: IDataObject | undefined): string | undefined {
	if (!action) return undefined;
	const { final, outcome } = outcomeOfAction(action.actionState);
	if (!final) return undefined;
	const started = Date.parse(String(action.startDateTime ?? action.lastUpdatedDateTime ?? ''));
	const time = Number.isNaN(started) ? '0' : Math.max(0, started).toString(36);
	return `${time}${outcome === 'done' ? 'd' : 'f'}`;
}

/** Builds entries with a status table of exactly the statuses in use. */
class StateWriter {
	private readonly index = new Map<string, number>();
	readonly state: TriggerState;

	constructor(query: string) {
		this.state = { v: 1, query, statuses: [], pcs: {} };
	}

	put(id: string, entry: Entry): void {
		let i = this.index.get(entry.status);
		if (i === undefined) {
			i = this.state.statuses.push(entry.status) - 1;
			this.index.set(entry.status, i);
		}
		const key = entry.reprovisionKey === undefined ? '' : `:${entry.reprovisionKey}`;
		this.state.pcs[id] = `${i}${key}${entry.missing ? '!' : ''}`;
	}
}

/**
 * Compares what this poll saw with the state of the last successful poll. Without a state (the
 * first poll, or other filters) it only records. A Cloud PC missing from one poll is kept and
 * marked; only when the next poll misses it too is it removed: a list that shifted while it was
 * paged must not report a Cloud PC gone (and then added) that never left.
 */
export function compare(
	previous: TriggerState | undefined,
	seen: ReadonlyMap<string, SeenCloudPc>,
	query: string,
): { next: TriggerState; changes: Change[] } {
	const writer = new StateWriter(query);
	const changes: Change[] = [];
	for (const [id, now] of seen) {
		const key = reprovisionKey(now.reprovision);
		writer.put(id, { status: now.status, reprovisionKey: key, missing: false });
		if (!previous) continue;
		const text = previous.pcs[id];
		const before = text === undefined ? undefined : decode(previous, text);
		if (!before) {
			changes.push({ kind: 'added', seen: now });
			continue;
		}
		if (before.status !== now.status) {
			changes.push({ kind: 'statusChanged', seen: now, previousStatus: before.status });
		}
		if (key !== undefined && key !== before.reprovisionKey) {
			changes.push({ kind: 'reprovisionFinished', seen: now, previousStatus: before.status });
		}
	}
	for (const [id, text] of Object.entries(previous?.pcs ?? {})) {
		if (seen.has(id)) continue;
		const before = decode(previous as TriggerState, text);
		if (!before) continue;
		if (before.missing) changes.push({ kind: 'removed', id, previousStatus: before.status });
		else writer.put(id, { ...before, missing: true });
	}
	return { next: writer.state, changes };
}
