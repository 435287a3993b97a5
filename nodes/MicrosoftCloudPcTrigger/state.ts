import type { IDataObject } from 'n8n-workflow';

import { outcomeOfAction } from '../MicrosoftCloudPc/shared/remoteActionResults';

/*
 * What the trigger remembers between polls, and the comparison that turns two looks at the
 * tenant into changes. Pure: no Graph, no n8n; poll.ts reads and commits.
 *
 * Cloud PC IDs are Graph's data, so they are never used as keys of a plain object: in memory
 * they key Maps, and in static data they sit in an array. A Cloud PC called `__proto__`,
 * `constructor` or `__dataChanged` (the key n8n's static data adds to every object in it) is
 * kept like any other.
 */

/** A Cloud PC as one poll saw it (the fields the list's $select asks for). */
export interface SeenCloudPc {
	id: string;
	pc: IDataObject;
	status: string;
	/** the list's `lastRemoteActionResult` (beta): the remote action started last, if any */
	lastAction?: IDataObject;
}

/**
 * What Action Finished knows of one Cloud PC's remote actions after a poll. An action is new
 * when it is final and either started after `since` or was running at the last read: so an
 * action hidden behind a later one is found, and none is reported twice.
 */
export interface ActionMemory {
	/** the key (actionKey) of the list's last remote action at the last poll; '' for none */
	last: string;
	/** actions that started at or before this (ms since the epoch) were known at the last poll */
	since: number;
	/** keys of the actions that were still running at the last read */
	running: string[];
	/** not read at the last poll though it should have been (above the cap, or the read failed) */
	deferred: boolean;
}

export interface Entry {
	status: string;
	/** missing from the last poll (removed once the next poll misses it too) */
	missing: boolean;
	/** only kept while the event is Action Finished or Reprovision Finished */
	memory?: ActionMemory;
}

/** Kept in the workflow's static data: ids and their entries side by side, never id-keyed. */
export interface TriggerState {
	v: 2;
	/** what was read (filters): another query starts over, so a new filter fires nothing */
	query: string;
	/** the statuses the entries point into */
	statuses: string[];
	/** the action names (lower case) the entries point into */
	names: string[];
	ids: string[];
	/** `<status>[!][|<last>|<since>|<running,…>[|?]]`, one per id */
	entries: string[];
}

export type Change =
	// previousStatus is null only in the example "Fetch Test Event" shows
	| { kind: 'statusChanged'; seen: SeenCloudPc; previousStatus: string | null }
	| {
			kind: 'actionFinished' | 'reprovisionFinished';
			seen: SeenCloudPc;
			action: IDataObject;
			previousStatus: string | null;
	  }
	| { kind: 'added'; seen: SeenCloudPc }
	| { kind: 'removed'; id: string; previousStatus: string };

/** The state of the last successful poll, read into Maps. */
export interface PreviousState {
	entries: Map<string, Entry>;
	/** a state written before Action Finished existed: its finished reprovision per Cloud PC */
	legacyReprovisions?: Map<string, string>;
}

const time36 = (ms: number) => Math.max(0, Math.trunc(ms)).toString(36);
const timeOf = (value: unknown): number => {
	const ms = Date.parse(String(value ?? ''));
	return Number.isNaN(ms) ? 0 : Math.max(0, ms);
};

/** An action's identity: its start and its name; the same action in the list and in its results. */
export function actionKey(action: IDataObject): string {
	return `${time36(timeOf(action.startDateTime))}.${String(action.actionName ?? '').toLowerCase()}`;
}

const startOfKey = (key: string) => parseInt(key.slice(0, key.indexOf('.')), 36);

export const isFinal = (action: IDataObject) => outcomeOfAction(action.actionState).final;

/**
 * Still running (pending, active, or a state newer than this node): read again at each poll
 * until it ends. `none` is "not a valid action state" in Graph's documentation: nothing runs.
 */
export const isRunning = (action: IDataObject) =>
	!isFinal(action) && String(action.actionState ?? '').toLowerCase() !== 'none';

// ---- reading ---------------------------------------------------------------------------------

const isTextArray = (value: unknown): value is string[] =>
	Array.isArray(value) && value.every((one) => typeof one === 'string');

function decodeKey(text: string, names: string[]): string | undefined {
	const match = /^([0-9a-z]+)\.(\d+)$/.exec(text);
	const name = match ? names[Number(match[2])] : undefined;
	return match && name !== undefined ? `${match[1]}.${name}` : undefined;
}

function decodeMemory(parts: string[], names: string[]): ActionMemory | undefined {
	const [lastText, sinceText, runningText, deferredText] = parts;
	if (runningText === undefined || parts.length > 4) return undefined;
	const last = lastText === '' ? '' : decodeKey(lastText, names);
	const running = runningText === '' ? [] : runningText.split(',').map((k) => decodeKey(k, names));
	if (last === undefined || running.some((k) => k === undefined)) return undefined;
	if (sinceText !== '' && !/^[0-9a-z]+$/.test(sinceText)) return undefined;
	const since =
		sinceText !== '' ? parseInt(sinceText, 36) : last !== '' ? startOfKey(last) : -Infinity;
	return { last, since, running: running as string[], deferred: deferredText === '?' };
}

function decodeEntry(text: string, statuses: string[], names: string[]): Entry | undefined {
	const [head, ...rest] = text.split('|');
	const match = /^(\d+)(!)?$/.exec(head);
	const status = match ? statuses[Number(match[1])] : undefined;
	if (!match || status === undefined) return undefined;
	const memory = rest.length ? decodeMemory(rest, names) : undefined;
	return { status, missing: match[2] === '!', memory };
}

/** The version 1 state (`pcs` keyed by id): status, missing mark, finished reprovision. */
function readVersion1(state: IDataObject): PreviousState | undefined {
	const { statuses, pcs } = state;
	if (!isTextArray(statuses) || typeof pcs !== 'object' || pcs === null) return undefined;
	const entries = new Map<string, Entry>();
	const legacyReprovisions = new Map<string, string>();
	// own properties only: an id such as "constructor" is read as data, never from a prototype
	for (const [id, text] of Object.entries(pcs as IDataObject)) {
		const match = typeof text === 'string' ? /^(\d+)(?::([0-9a-z]+))?(!)?$/.exec(text) : null;
		const status = match ? statuses[Number(match[1])] : undefined;
		if (!match || status === undefined) continue;
		entries.set(id, { status, missing: match[3] === '!' });
		if (match[2] !== undefined) legacyReprovisions.set(id, match[2]);
	}
	return { entries, legacyReprovisions };
}

/** The state in static data, or undefined when there is none, it is not ours or not this query's. */
export function readState(value: unknown, query: string): PreviousState | undefined {
	const state = value as IDataObject | undefined;
	if (typeof state !== 'object' || state === null || state.query !== query) return undefined;
	if (state.v === 1) return readVersion1(state);
	if (state.v !== 2) return undefined;
	const { statuses, names, ids, entries } = state;
	if (![statuses, names, ids, entries].every(isTextArray)) return undefined;
	const [s, n, i, e] = [statuses, names, ids, entries] as string[][];
	if (i.length !== e.length) return undefined;
	const read = new Map<string, Entry>();
	i.forEach((id, index) => {
		const entry = decodeEntry(e[index], s, n);
		if (entry) read.set(id, entry);
	});
	return { entries: read };
}

// ---- writing ---------------------------------------------------------------------------------

/** A table of words (statuses, action names) that entries point into by index. */
class Table {
	private readonly index = new Map<string, number>();
	readonly words: string[] = [];

	of(word: string): number {
		let i = this.index.get(word);
		if (i === undefined) {
			i = this.words.push(word) - 1;
			this.index.set(word, i);
		}
		return i;
	}
}

/** The state to keep, from the entries in a Map. */
export function encodeState(query: string, entries: ReadonlyMap<string, Entry>): TriggerState {
	const statuses = new Table();
	const names = new Table();
	const key = (k: string) => {
		const dot = k.indexOf('.');
		return `${k.slice(0, dot)}.${names.of(k.slice(dot + 1))}`;
	};
	const ids: string[] = [];
	const texts: string[] = [];
	for (const [id, entry] of entries) {
		let text = `${statuses.of(entry.status)}${entry.missing ? '!' : ''}`;
		const memory = entry.memory;
		if (memory) {
			const implied = memory.last !== '' ? startOfKey(memory.last) : -Infinity;
			const since = memory.since === implied ? '' : time36(memory.since);
			const last = memory.last === '' ? '' : key(memory.last);
			text += `|${last}|${since}|${memory.running.map(key).join(',')}`;
			if (memory.deferred) text += '|?';
		}
		ids.push(id);
		texts.push(text);
	}
	return { v: 2, query, statuses: statuses.words, names: names.words, ids, entries: texts };
}

// ---- comparing -------------------------------------------------------------------------------

/** Slack for Graph's clock against ours, when a poll's own time stands in for "since". */
const CLOCK_SKEW_MS = 60_000;

/**
 * What a Cloud PC first seen (or first seen for Action Finished) is taken to know: everything
 * up to its last action is history; that action, if it runs, is reported when it finishes.
 * An earlier action still running behind a finished last one cannot be seen from the list: it
 * is found only at a later read (docs/trigger.md).
 */
export function baseline(now: SeenCloudPc, pollTime: number): ActionMemory {
	const last = now.lastAction;
	if (!last) return { last: '', since: pollTime - CLOCK_SKEW_MS, running: [], deferred: false };
	const key = actionKey(last);
	return {
		last: key,
		since: startOfKey(key),
		running: isRunning(last) ? [key] : [],
		deferred: false,
	};
}

/**
 * Whether a Cloud PC's remote action results must be read this poll: its last action is
 * another one, an action ran at the last poll, or it is running now, or it waits from before.
 */
export function needsRead(memory: ActionMemory, now: SeenCloudPc): boolean {
	const last = now.lastAction;
	return (
		memory.deferred ||
		memory.running.length > 0 ||
		(last ? actionKey(last) : '') !== memory.last ||
		(last !== undefined && isRunning(last))
	);
}

/**
 * The actions of a read of every page of a Cloud PC's remote action results that finished
 * since the last poll, oldest first, and what to remember next.
 */
export function afterRead(
	memory: ActionMemory,
	now: SeenCloudPc,
	actions: IDataObject[],
): { finished: IDataObject[]; memory: ActionMemory } {
	const running = new Set(memory.running);
	const finished: IDataObject[] = [];
	const stillRunning = new Set<string>();
	let since = memory.since;
	const reported = new Set<string>();
	for (const action of actions) {
		const key = actionKey(action);
		since = Math.max(since, startOfKey(key));
		if (!isFinal(action)) {
			if (isRunning(action)) stillRunning.add(key);
			continue;
		}
		const isNew = startOfKey(key) > memory.since || running.has(key);
		// the same action listed twice (a page that shifted) counts once
		if (isNew && !reported.has(key)) {
			reported.add(key);
			finished.push(action);
		}
	}
	finished.sort((a, b) => timeOf(a.lastUpdatedDateTime) - timeOf(b.lastUpdatedDateTime));
	const last = now.lastAction ? actionKey(now.lastAction) : '';
	return { finished, memory: { last, since, running: [...stillRunning], deferred: false } };
}

/**
 * A finished reprovision as version 1 of the state keyed it (its start and how it ended): a
 * state written before Action Finished existed still fires Reprovision Finished once.
 */
function legacyReprovisionKey(action: IDataObject | undefined): string | undefined {
	if (!action || String(action.actionName ?? '').toLowerCase() !== 'reprovision') return undefined;
	const { final, outcome } = outcomeOfAction(action.actionState);
	if (!final) return undefined;
	const started = Date.parse(String(action.startDateTime ?? action.lastUpdatedDateTime ?? ''));
	const time = Number.isNaN(started) ? '0' : Math.max(0, started).toString(36);
	return `${time}${outcome === 'done' ? 'd' : 'f'}`;
}

/**
 * Compares what this poll saw with the state of the last successful poll. Without a state (the
 * first poll, or other filters) it only records. A Cloud PC missing from one poll is kept and
 * marked; only when the next poll misses it too is it removed: a list that shifted while it was
 * paged must not report a Cloud PC gone (and then added) that never left.
 *
 * With `actions`, entries keep an ActionMemory: a Cloud PC that had none gets its baseline, the
 * others keep theirs for poll.ts to read (`toRead`, the deferred ones first) and update.
 */
export function compare(
	previous: PreviousState | undefined,
	seen: ReadonlyMap<string, SeenCloudPc>,
	options: { actions: boolean; pollTime: number },
): { next: Map<string, Entry>; changes: Change[]; toRead: string[] } {
	const next = new Map<string, Entry>();
	const changes: Change[] = [];
	const deferred: string[] = [];
	const others: string[] = [];
	for (const [id, now] of seen) {
		const before = previous?.entries.get(id);
		let memory: ActionMemory | undefined;
		if (options.actions) {
			memory = before?.memory ?? baseline(now, options.pollTime);
			if (before?.memory && needsRead(before.memory, now)) {
				(before.memory.deferred ? deferred : others).push(id);
			}
		}
		next.set(id, { status: now.status, missing: false, memory });
		if (!previous) continue;
		if (!before) {
			changes.push({ kind: 'added', seen: now });
			continue;
		}
		if (before.status !== now.status) {
			changes.push({ kind: 'statusChanged', seen: now, previousStatus: before.status });
		}
		const legacy = previous.legacyReprovisions;
		const key = legacy && legacyReprovisionKey(now.lastAction);
		if (legacy && key !== undefined && key !== legacy.get(id)) {
			const action = now.lastAction as IDataObject;
			changes.push({
				kind: 'reprovisionFinished',
				seen: now,
				action,
				previousStatus: before.status,
			});
		}
	}
	for (const [id, before] of previous?.entries ?? []) {
		if (seen.has(id)) continue;
		if (before.missing) changes.push({ kind: 'removed', id, previousStatus: before.status });
		else next.set(id, { ...before, missing: true });
	}
	return { next, changes, toRead: [...deferred, ...others] };
}
