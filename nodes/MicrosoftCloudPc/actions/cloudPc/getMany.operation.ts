import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	updateDisplayOptions,
} from 'n8n-workflow';

import { GraphFailure, toNodeApiError } from '../../transport/graphErrors';
import { sendDirect } from '../../transport/direct';
import type { GraphClient, GraphRequest, GraphVersion } from '../../transport/graph';
import {
	displayNamePrefixFilter,
	numberTypeOptions,
	readOptionsCollection,
	scopeProperty,
	statusOptions,
	userPrincipalNameFilter,
	userProperty,
} from '../../shared/descriptions';
import { readParameter } from '../parameters';
import { readThroughput } from '../throughput';
import {
	checkNumber,
	checkText,
	checkUpn,
	invalid,
	readCollection,
	readScope,
	readUser,
} from '../validate';
import { ItemPlanner } from './itemPlanner';
import { cloudPcFields, failureFields } from '../../shared/outputFields';
import { followPages, type EndlessList } from '../../shared/paging';
import { readsStatus, readSelect, readVersionFor, selectQuery } from './selectFields';
import type { ItemResult, NumberBounds } from '../../shared/types';
import { MAX_TOP, cloudPcPath, type Scope } from '../../model';

const displayOptions = { show: { resource: ['cloudPc'], operation: ['getMany'] } };

/**
 * Pages one input item may read. Far beyond any tenant at Graph's page sizes; it is there so a
 * Graph that never stops paging cannot hold the execution for ever.
 */
export const MAX_PAGES = 1000;

export const LIMIT: NumberBounds = {
	displayName: 'Limit',
	min: 1,
	max: 100_000,
	default: 50,
	integer: true,
};

/** Cloud PC display names are short; longer text cannot match and would only bloat the query. */
const MAX_PREFIX_LENGTH = 256;
/** The longest documented status is 21 letters; room for newer ones, none for a payload. */
const MAX_STATUS_LENGTH = 64;

const FILTERS = ['userPrincipalName', 'status', 'displayNamePrefix'];

const properties: INodeProperties[] = [
	scopeProperty,
	userProperty,
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		hint: `Stops with an error past ${MAX_PAGES.toLocaleString('en-US')} pages of Cloud PCs per input item, far beyond any tenant`,
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { ...numberTypeOptions(LIMIT) },
		// n8n's lint wants Limit's default written out; a test holds it equal to LIMIT.default
		default: 50,
		displayOptions: { show: { returnAll: [false] } },
		description: 'Max number of results to return',
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show: { scope: ['organization'] } },
		description: 'Graph filters these ($filter); all that are set must match',
		options: [
			displayNamePrefixFilter,
			{
				displayName: 'Status (Beta)',
				name: 'status',
				type: 'options',
				options: statusOptions,
				default: 'failed',
				description:
					'Only Cloud PCs in this state; read through the beta API, whatever the API Version says (v1.0 has no status)',
			},
			userPrincipalNameFilter,
		],
	},
	readOptionsCollection,
];

export const description = updateDisplayOptions(displayOptions, properties);

interface ListPlan {
	scope: Scope;
	user: string | null;
	version: GraphVersion;
	/** the first page's request, path and query built while validating */
	request: GraphRequest;
	/** undefined: Return All */
	limit?: number;
}

/** An OData string literal: quotes doubled. */
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

function readFilter(
	ctx: IExecuteFunctions,
	itemIndex: number,
	scope: Scope,
): { filter?: string; needsBeta: boolean } {
	const filters = readCollection(ctx, itemIndex, 'filters', 'Filters', FILTERS);
	const set = FILTERS.filter((key) => filters[key] !== undefined && filters[key] !== '');
	if (set.length === 0) return { needsBeta: false };
	if (scope !== 'organization') {
		throw invalid(
			ctx,
			itemIndex,
			'Filters',
			'can only be used on the Organization (Admin) scope; Graph filters Cloud PCs only on the admin route',
		);
	}
	const filterText = (key: string, label: string, maxLength: number) =>
		checkText(ctx, itemIndex, `Filters › ${label}`, filters[key], maxLength);
	const clauses: string[] = [];
	if (set.includes('userPrincipalName')) {
		const upn = checkUpn(
			ctx,
			itemIndex,
			'Filters › User Principal Name',
			filters.userPrincipalName,
		);
		clauses.push(`userPrincipalName eq ${literal(upn)}`);
	}
	if (set.includes('status')) {
		const status = filterText('status', 'Status', MAX_STATUS_LENGTH).trim();
		// any word passes (a status newer than this node), nothing that could change the query
		if (!/^[A-Za-z]+$/.test(status)) {
			throw invalid(
				ctx,
				itemIndex,
				'Filters › Status',
				`must be a Cloud PC status such as failed or provisioned; got ${JSON.stringify(status)}`,
			);
		}
		clauses.push(`status eq ${literal(status)}`);
	}
	if (set.includes('displayNamePrefix')) {
		const prefix = filterText('displayNamePrefix', 'Display Name Starts With', MAX_PREFIX_LENGTH);
		clauses.push(`startswith(displayName,${literal(prefix)})`);
	}
	return { filter: clauses.join(' and '), needsBeta: set.includes('status') };
}

function readLimit(ctx: IExecuteFunctions, itemIndex: number): number | undefined {
	const returnAll = readParameter(ctx, 'returnAll', itemIndex, false);
	if (typeof returnAll !== 'boolean') {
		throw invalid(ctx, itemIndex, 'Return All', 'must be true or false');
	}
	if (returnAll) return undefined;
	return checkNumber(ctx, itemIndex, readParameter(ctx, 'limit', itemIndex, LIMIT.default), LIMIT);
}

function plan(ctx: IExecuteFunctions, itemIndex: number, graph: GraphClient): ListPlan {
	const scope = readScope(ctx, itemIndex, graph.authentication);
	const user = scope === 'user' ? readUser(ctx, itemIndex) : null;
	const limit = readLimit(ctx, itemIndex);
	const { filter, needsBeta } = readFilter(ctx, itemIndex, scope);
	const { fields } = readSelect(ctx, itemIndex);
	const version = readVersionFor(ctx, itemIndex, needsBeta || readsStatus(fields));
	const request: GraphRequest = {
		method: 'GET',
		version,
		path: cloudPcPath(scope, user ?? undefined),
		qs: {
			...selectQuery(fields),
			...(filter ? { $filter: filter } : {}),
			// Graph documents $top on the admin list only; the user lists stop client-side
			...(limit !== undefined && scope === 'organization'
				? { $top: Math.min(limit, MAX_TOP) }
				: {}),
		},
	};
	return { scope, user, version, request, limit };
}

const known = (p: ListPlan): IDataObject => ({
	scope: p.scope,
	user: p.user,
	apiVersion: p.version,
});

/**
 * One output item per Cloud PC: page after page through `@odata.nextLink`, or up to Limit. A
 * link already followed for this item, or more than MAX_PAGES pages, ends it with an error.
 */
async function list(
	ctx: IExecuteFunctions,
	graph: GraphClient,
	p: ListPlan,
): Promise<ItemResult[]> {
	const found: ItemResult[] = [];
	const throughput = readThroughput(ctx);
	const full = () => p.limit !== undefined && found.length >= p.limit;
	const pages = followPages(
		async (request) => await sendDirect<unknown>(graph, request, throughput),
		p.request,
		{ maxPages: MAX_PAGES, message: endlessList },
	);
	for await (const { page, response } of pages) {
		for (const pc of page.value) {
			if (full()) break;
			found.push({
				json: { ...cloudPcFields(pc), ...known(p), requestId: response.requestId ?? null },
			});
		}
		if (full() || throughput.signal?.aborted) break;
	}
	return found;
}

const endlessList = (why: EndlessList, pages: number) =>
	why === 'RepeatedNextLink'
		? `Graph's "@odata.nextLink" points to a page already read for this item (after ${pages} pages); stopped instead of reading it again`
		: `Graph still had more pages after ${MAX_PAGES.toLocaleString('en-US')}; use Limit or Filters to read fewer Cloud PCs per item`;

/**
 * Lists Cloud PCs once per input item: each found Cloud PC is an output item paired with the
 * input item that asked; an input item that finds none gives none.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	graph: GraphClient,
): Promise<ItemResult[][]> {
	const planner = new ItemPlanner(this, items.length, (itemIndex) => plan(this, itemIndex, graph));
	// Bad input anywhere stops the run before the first request, unless "Continue On Fail".
	if (planner.stopOnError) await planner.planAll();

	const results: ItemResult[][] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const p = planner.plan(itemIndex);
		if (p === undefined) {
			results.push([planner.failure(itemIndex) as ItemResult]);
			continue;
		}
		let error: unknown;
		try {
			results.push(await list(this, graph, p));
			continue;
		} catch (thrown) {
			error = thrown;
		}
		if (!(error instanceof GraphFailure)) throw error;
		const failure = toNodeApiError(this.getNode(), error, itemIndex);
		if (planner.stopOnError) throw failure;
		results.push([{ error: failure, json: { ...known(p), ...failureFields(error) } }]);
	}
	return results;
}
