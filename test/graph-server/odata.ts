import { GraphError } from './http';
import type { CloudPcState } from './types';

export type GraphVersion = 'v1.0' | 'beta';
export type GraphObject = Record<string, unknown>;
export type Predicate = (pc: GraphObject) => boolean;

export function isGraphVersion(segment: string | undefined): segment is GraphVersion {
	return segment === 'v1.0' || segment === 'beta';
}

/*
 * v1.0's cloudPC has no `status` or `statusDetail`: Microsoft's v1.0 resource page lists none
 * (learn.microsoft.com/graph/api/resources/cloudpc?view=graph-rest-1.0; microsoftgraph/
 * microsoft-graph-docs-contrib api-reference/v1.0/resources/cloudpc.md, 2024-10-18), the beta
 * page lists both (…/resources/cloudpc?view=graph-rest-beta). So v1.0 answers leave them out,
 * and v1.0 refuses them in $select and $filter as Graph refuses any property its model lacks.
 */
const V1_PROPERTIES = [
	'id',
	'displayName',
	'imageDisplayName',
	'managedDeviceName',
	'provisioningPolicyId',
	'servicePlanName',
	'userPrincipalName',
	'lastModifiedDateTime',
];
const BETA_PROPERTIES = [...V1_PROPERTIES, 'status', 'statusDetail', 'lastRemoteActionResult'];
/** $filter only compares strings here; these properties are not. */
const NOT_STRINGS = new Set(['lastModifiedDateTime', 'statusDetail', 'lastRemoteActionResult']);
/**
 * Returned only when $select names them: Graph's "Get cloudPC" page selects
 * lastRemoteActionResult explicitly to show it (learn.microsoft.com/graph/api/cloudpc-get?view=graph-rest-beta,
 * example 2); the docs do not say it comes by default, so this server assumes it does not.
 */
const SELECT_ONLY = new Set(['lastRemoteActionResult']);
// The tenant's list takes $select too (learn.microsoft.com/graph/api/virtualendpoint-list-cloudpcs),
// so the same projection serves it.

function resolveProperty(name: string, version: GraphVersion): string {
	const properties = version === 'beta' ? BETA_PROPERTIES : V1_PROPERTIES;
	const found = properties.find((p) => p.toLowerCase() === name.toLowerCase());
	if (!found) {
		throw badRequest(
			`Could not find a property named '${name}' on type 'microsoft.graph.cloudPC'.`,
		);
	}
	return found;
}

function badRequest(message: string): GraphError {
	return new GraphError(400, 'BadRequest', message);
}

/**
 * Unset properties are present as null, as Graph serializes them. `lastRemoteAction` is the
 * beta `lastRemoteActionResult` (a cloudPcRemoteActionResult).
 */
export function toGraphObject(
	pc: CloudPcState,
	version: GraphVersion,
	lastRemoteAction: unknown = null,
): GraphObject {
	const object: GraphObject = {
		id: pc.id,
		displayName: pc.displayName,
		imageDisplayName: pc.imageDisplayName ?? null,
		managedDeviceName: pc.managedDeviceName ?? null,
		provisioningPolicyId: pc.provisioningPolicyId ?? null,
		servicePlanName: pc.servicePlanName ?? null,
		userPrincipalName: pc.userPrincipalName,
		lastModifiedDateTime: pc.lastModifiedDateTime ?? null,
	};
	if (version === 'beta') {
		object.status = pc.status;
		object.statusDetail =
			pc.status === 'failed'
				? {
						code: 'internalServerError',
						message: 'Provisioning failed. Reprovision the Cloud PC to try again.',
						additionalInformation: [],
					}
				: null;
		object.lastRemoteActionResult = lastRemoteAction;
	}
	return object;
}

/** Graph always keeps `id` in a $select projection. */
export function project(object: GraphObject, select: readonly string[] | undefined): GraphObject {
	if (!select) {
		return Object.fromEntries(Object.entries(object).filter(([key]) => !SELECT_ONLY.has(key)));
	}
	return Object.fromEntries(
		Object.entries(object).filter(([key]) => key === 'id' || select.includes(key)),
	);
}

// ---- query options ----------------------------------------------------------------

/** OData's own names, which its error messages use. */
const OPTION_NAMES: Record<string, string> = {
	$select: 'Select',
	$filter: 'Filter',
	$top: 'Top',
	$count: 'Count',
	$skiptoken: 'SkipToken',
	$skip: 'Skip',
	$orderby: 'OrderBy',
	$expand: 'Expand',
	$search: 'Search',
	$format: 'Format',
};
const COLLECTION_OPTIONS = ['$select', '$filter', '$top', '$count', '$skiptoken'];
const ITEM_OPTIONS = ['$select'];
const MAX_TOP = 999;

/** System query options by lower-cased name; other parameters are ignored, as Graph does. */
function systemOptions(query: URLSearchParams, allowed: readonly string[]): Map<string, string> {
	const values = new Map<string, string[]>();
	for (const [name, value] of query) {
		if (!name.startsWith('$')) continue;
		const key = name.toLowerCase();
		values.set(key, [...(values.get(key) ?? []), value]);
	}
	const options = new Map<string, string>();
	for (const [key, list] of values) {
		const display = OPTION_NAMES[key];
		if (!display) throw badRequest(`The query parameter '${key}' is not supported.`);
		if (!allowed.includes(key)) {
			throw badRequest(
				`Query option '${display}' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.`,
			);
		}
		if (list.length > 1) {
			throw badRequest(
				`Query option '${display}' was specified more than once, but it must be specified at most once.`,
			);
		}
		options.set(key, list[0]);
	}
	return options;
}

function parseSelect(raw: string | undefined, version: GraphVersion): string[] | undefined {
	if (raw === undefined || raw.trim() === '*') return undefined;
	const names = raw.split(',').map((name) => name.trim());
	if (names.some((name) => name === ''))
		throw badRequest(`'${raw}' is not a valid $select clause.`);
	return [...new Set(names.map((name) => resolveProperty(name, version)))];
}

function parseTop(raw: string | undefined): number | undefined {
	if (raw === undefined) return undefined;
	if (!/^\d+$/.test(raw) || Number(raw) < 1) {
		throw badRequest(
			`Invalid value '${raw}' for $top query option found. The $top query option requires an integer between 1 and ${MAX_TOP}.`,
		);
	}
	if (Number(raw) > MAX_TOP) {
		throw badRequest(
			`The limit of '${MAX_TOP}' for Top query has been exceeded. The value from the incoming request is '${raw}'.`,
		);
	}
	return Number(raw);
}

function parseCount(raw: string | undefined): boolean {
	if (raw === undefined || raw.toLowerCase() === 'false') return false;
	if (raw.toLowerCase() === 'true') return true;
	throw badRequest(`'${raw}' is not a valid count option.`);
}

/** For functions and actions, which take no system query options. */
export function forbidQueryOptions(query: URLSearchParams): void {
	systemOptions(query, []);
}

export function readItemSelect(
	query: URLSearchParams,
	version: GraphVersion,
): string[] | undefined {
	return parseSelect(systemOptions(query, ITEM_OPTIONS).get('$select'), version);
}

// ---- $filter ----------------------------------------------------------------------

const STRING_LITERAL = String.raw`'((?:[^']|'')*)'`;
const EQ_CLAUSE = new RegExp(String.raw`^([A-Za-z]\w*)\s+eq\s+${STRING_LITERAL}`);
const STARTSWITH_CLAUSE = new RegExp(
	String.raw`^startswith\(\s*([A-Za-z]\w*)\s*,\s*${STRING_LITERAL}\s*\)`,
);
const AND = /^\s+and\s+/;

function invalidFilter(raw: string): GraphError {
	return badRequest(`Invalid filter clause: '${raw}'.`);
}

/**
 * Supports `prop eq 'x'` and `startswith(prop,'x')` on string properties, joined by `and`.
 * Comparisons ignore case, like the SQL collation behind Intune's store.
 */
export function compileFilter(raw: string | undefined, version: GraphVersion): Predicate {
	if (raw === undefined) return () => true;
	const clauses: Predicate[] = [];
	let rest = raw.trim();
	while (true) {
		const eq = EQ_CLAUSE.exec(rest);
		const startswith = eq ? null : STARTSWITH_CLAUSE.exec(rest);
		const clause = eq ?? startswith;
		if (!clause) throw invalidFilter(raw);
		const property = resolveProperty(clause[1], version);
		if (NOT_STRINGS.has(property)) throw invalidFilter(raw);
		const literal = clause[2].replace(/''/g, "'").toLowerCase();
		const compare = eq
			? (value: string) => value === literal
			: (value: string) => value.startsWith(literal);
		clauses.push((pc) => {
			const value = pc[property];
			return typeof value === 'string' && compare(value.toLowerCase());
		});
		rest = rest.slice(clause[0].length);
		if (rest.trim() === '') break;
		const and = AND.exec(rest);
		if (!and) throw invalidFilter(raw);
		rest = rest.slice(and[0].length);
	}
	return (pc) => clauses.every((matches) => matches(pc));
}

// ---- paging -----------------------------------------------------------------------

/**
 * Everything needed to produce one page. The skip token carries it whole, so a client
 * that follows @odata.nextLink verbatim keeps its filter, projection and page size.
 */
export interface Cursor {
	/** The collection the token belongs to: a token is only valid there. */
	collection: string;
	offset: number;
	filter?: string;
	select?: string[];
	top?: number;
	count: boolean;
}

export function encodeSkipToken(cursor: Cursor): string {
	return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeSkipToken(token: string, collection: string): Cursor {
	let cursor: Partial<Cursor> | undefined;
	try {
		cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Cursor>;
	} catch {
		cursor = undefined;
	}
	if (cursor?.collection !== collection || !Number.isInteger(cursor.offset)) {
		throw badRequest(`The $skiptoken value '${token}' is not valid.`);
	}
	return cursor as Cursor;
}

/**
 * Where a function's paged answer goes on: the offset in the $skiptoken of a nextLink this server
 * gave, 0 without one. A function takes no other query options.
 */
export function readFunctionOffset(query: URLSearchParams, collection: string): number {
	const token = systemOptions(query, ['$skiptoken']).get('$skiptoken');
	return token === undefined ? 0 : decodeSkipToken(token, collection).offset;
}

/** With a $skiptoken the token's state wins; the other options of that request are not consulted. */
export function readCursor(
	query: URLSearchParams,
	version: GraphVersion,
	collection: string,
): Cursor {
	const options = systemOptions(query, COLLECTION_OPTIONS);
	const token = options.get('$skiptoken');
	if (token !== undefined) return decodeSkipToken(token, collection);
	return {
		collection,
		offset: 0,
		filter: options.get('$filter'),
		select: parseSelect(options.get('$select'), version),
		top: parseTop(options.get('$top')),
		count: parseCount(options.get('$count')),
	};
}
