import {
	answeringGraphErrors,
	GraphError,
	jsonReply,
	mediaType,
	type IncomingRequest,
	type Reply,
} from './http';
import {
	compileFilter,
	encodeSkipToken,
	forbidQueryOptions,
	isGraphVersion,
	project,
	readCursor,
	readFunctionOffset,
	readItemSelect,
	toGraphObject,
	type GraphVersion,
} from './odata';
import {
	REMOTE_ACTIONS,
	UNIMPLEMENTED_BULK_TYPES,
	type ActionField,
	type RemoteActionSpec,
} from './actions';
import {
	BULK_REPROVISION_TYPE,
	type ActionRefusal,
	type CloudPcStore,
	type DirectoryUser,
	type ReprovisionParams,
} from './state';
import type { CloudPcState, TokenGrant } from './types';

export interface GraphContext {
	store: CloudPcStore;
	tokens: ReadonlyMap<string, TokenGrant>;
	pageSize: number;
	/** remote action results per page; all on one page without it */
	remoteActionPageSize?: number;
	baseUrl: string;
}

type Scope = 'admin' | 'me' | 'users';
type Target = 'collection' | 'item';
type AdminTarget =
	| 'remoteActionResults'
	| 'bulkActions'
	| 'listBulkActions'
	| 'snapshots'
	| 'supportedActions'
	| 'connectivityHistory';

interface Route {
	scope: Scope;
	target: Target | AdminTarget | 'action';
	/** The remote action of an 'action' route. */
	action?: RemoteActionSpec;
	method: 'GET' | 'POST';
	/** Static segments compare case-insensitively, as Graph's do; ':name' captures. */
	pattern: string[];
	/** Only in beta: v1.0 does not know the route's last segment. */
	betaOnly?: boolean;
}

const SCOPE_PATTERNS: Record<Scope, string[]> = {
	admin: ['deviceManagement', 'virtualEndpoint', 'cloudPCs'],
	me: ['me', 'cloudPCs'],
	users: ['users', ':user', 'cloudPCs'],
};

const TARGET_PATTERNS: Record<Target, { method: Route['method']; segments: string[] }> = {
	collection: { method: 'GET', segments: [] },
	item: { method: 'GET', segments: [':id'] },
};

/** Beta-only admin routes: remote action progress and bulk actions. */
const ADMIN_ROUTES: Route[] = [
	{
		scope: 'admin',
		target: 'remoteActionResults',
		method: 'GET',
		pattern: [...SCOPE_PATTERNS.admin, ':id', 'retrieveCloudPcRemoteActionResults'],
		betaOnly: true,
	},
	{
		scope: 'admin',
		target: 'bulkActions',
		method: 'POST',
		pattern: ['deviceManagement', 'virtualEndpoint', 'bulkActions'],
		betaOnly: true,
	},
	// learn.microsoft.com/graph/api/virtualendpoint-list-bulkactions?view=graph-rest-beta
	{
		scope: 'admin',
		target: 'listBulkActions',
		method: 'GET',
		pattern: ['deviceManagement', 'virtualEndpoint', 'bulkActions'],
		betaOnly: true,
	},
	// learn.microsoft.com/graph/api/cloudpc-retrievesnapshots?view=graph-rest-beta (admin path only)
	{
		scope: 'admin',
		target: 'snapshots',
		method: 'GET',
		pattern: [...SCOPE_PATTERNS.admin, ':id', 'retrieveSnapshots'],
		betaOnly: true,
	},
	// learn.microsoft.com/graph/api/cloudpc-getsupportedcloudpcremoteactions?view=graph-rest-beta
	{
		scope: 'admin',
		target: 'supportedActions',
		method: 'GET',
		pattern: [...SCOPE_PATTERNS.admin, ':id', 'getSupportedCloudPcRemoteActions'],
		betaOnly: true,
	},
	// learn.microsoft.com/graph/api/cloudpc-getcloudpcconnectivityhistory?view=graph-rest-beta
	{
		scope: 'admin',
		target: 'connectivityHistory',
		method: 'GET',
		pattern: [...SCOPE_PATTERNS.admin, ':id', 'getCloudPcConnectivityHistory'],
		betaOnly: true,
	},
];

/**
 * POST .../cloudPCs/{id}/<segment> for every remote action, on the scopes its pages list per
 * version (REMOTE_ACTIONS). A scope listed only in beta answers v1.0 as a beta-only segment does;
 * a scope no version lists has no route at all (404, as for any unknown segment).
 */
const ACTION_ROUTES: Route[] = REMOTE_ACTIONS.flatMap((action) =>
	(['admin', 'me', 'users'] as const)
		.filter((scope) => action.routes.beta.includes(scope) || action.routes['v1.0'].includes(scope))
		.map((scope) => ({
			scope,
			target: 'action' as const,
			action,
			method: 'POST' as const,
			pattern: [...SCOPE_PATTERNS[scope], ':id', action.segment],
			betaOnly: !action.routes['v1.0'].includes(scope),
		})),
);

const ROUTES: Route[] = [
	...(Object.keys(SCOPE_PATTERNS) as Scope[]).flatMap((scope) =>
		(Object.keys(TARGET_PATTERNS) as Target[]).map((target) => ({
			scope,
			target,
			method: TARGET_PATTERNS[target].method,
			pattern: [...SCOPE_PATTERNS[scope], ...TARGET_PATTERNS[target].segments],
		})),
	),
	...ADMIN_ROUTES,
	...ACTION_ROUTES,
];

const READ_SCOPES = ['CloudPC.Read.All', 'CloudPC.ReadWrite.All'];
const WRITE_SCOPES = ['CloudPC.ReadWrite.All'];

const REPROVISION_PARAMETERS = new Map<keyof ReprovisionParams, readonly string[]>([
	['osVersion', ['windows10', 'windows11', 'unknownFutureValue']],
	['userAccountType', ['standardUser', 'administrator', 'unknownFutureValue']],
]);

/** Graph's own first-party app id, which its 401 challenge names. */
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

interface Call {
	req: IncomingRequest;
	ctx: GraphContext;
	version: GraphVersion;
	route: Route;
	/** The user whose Cloud PCs the route addresses; undefined on the admin routes. */
	owner?: DirectoryUser;
	id?: string;
}

export function handleGraph(req: IncomingRequest, ctx: GraphContext): Reply {
	return answeringGraphErrors(req, () => dispatch(req, ctx));
}

/** A $batch envelope passes the same gate as any Graph call, in the same order; it needs no scope. */
export function admitBatch(req: IncomingRequest, ctx: GraphContext): GraphVersion {
	const version = readVersion(req);
	authenticate(req, ctx);
	if (req.method !== 'POST') throw methodNotAllowed(req.method, ['POST']);
	requireUserAgent(req);
	return version;
}

/** Counts attempts by the route's shape, before (and whatever) the answer. */
export function isReprovision(req: IncomingRequest): boolean {
	return actionSegment(req) === 'reprovision';
}

/**
 * The remote action a request addresses by its route's shape ('reboot', 'reprovision', …),
 * before (and whatever) the answer; undefined for anything else.
 */
export function actionSegment(req: IncomingRequest): string | undefined {
	if (req.method !== 'POST') return undefined;
	try {
		return matchRoute(req.method, decodeSegments(req.segments.slice(1))).route.action?.segment;
	} catch {
		return undefined;
	}
}

/** Throttling is per app; the token stands for it. */
export function bearerToken(req: IncomingRequest): string | undefined {
	return /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
}

/** Checks run in Graph's order: version, token, route, headers, permission, resource. */
function dispatch(req: IncomingRequest, ctx: GraphContext): Reply {
	const version = readVersion(req);
	const grant = authenticate(req, ctx);
	const { route, params } = matchRoute(req.method, decodeSegments(req.segments.slice(1)));
	if (route.betaOnly && version !== 'beta') {
		// v1.0's model has no such segment; Graph's OData parser answers 400 naming it.
		throw new GraphError(
			400,
			'BadRequest',
			`Resource not found for the segment '${route.pattern[route.pattern.length - 1]}'.`,
		);
	}
	requireUserAgent(req);
	const appOnly = grant.appOnly === true || !grant.userId;
	if (route.scope === 'me' && appOnly) {
		throw new GraphError(
			400,
			'BadRequest',
			'/me request is only valid with delegated authentication flow.',
		);
	}
	authorize(grant, requiredScopes(route, appOnly));
	const call: Call = {
		req,
		ctx,
		version,
		route,
		owner: resolveOwner(route, params, grant, ctx.store),
		id: params.id,
	};
	switch (route.target) {
		case 'collection':
			return listCloudPcs(call);
		case 'item':
			return getCloudPc(call);
		case 'action':
			return call.route.action?.segment === 'reprovision' ? reprovision(call) : runAction(call);
		case 'snapshots':
			return retrieveSnapshots(call);
		case 'supportedActions':
			return supportedActions(call);
		case 'connectivityHistory':
			return connectivityHistory(call);
		case 'remoteActionResults':
			return remoteActionResults(call);
		case 'bulkActions':
			return createBulkAction(call, grant);
		case 'listBulkActions':
			return listBulkActions(call);
	}
}

/** Each page's permissions table; an action whose page says "Application: Not supported" is 403 app-only. */
function requiredScopes(route: Route, appOnly: boolean): readonly string[] {
	if (route.action) {
		if (appOnly && !route.action.appOnly) {
			throw new GraphError(
				403,
				'Forbidden',
				`The operation '${route.action.segment}' is not supported with application permissions.`,
			);
		}
		return route.action.permissions;
	}
	switch (route.target) {
		// retrieveSnapshots: CloudPC.ReadWrite.All only (delegated and application).
		case 'snapshots':
			return WRITE_SCOPES;
		// getSupportedCloudPcRemoteActions: delegated CloudPC.Read.All, application CloudPC.ReadWrite.All.
		case 'supportedActions':
			return appOnly ? WRITE_SCOPES : READ_SCOPES;
		default:
			return route.method === 'POST' ? WRITE_SCOPES : READ_SCOPES;
	}
}

function readVersion(req: IncomingRequest): GraphVersion {
	const version = req.segments[0];
	if (!isGraphVersion(version))
		throw new GraphError(400, 'BadRequest', `Invalid version: ${version ?? ''}`);
	return version;
}

function requireUserAgent(req: IncomingRequest): void {
	if (!req.headers['user-agent']) {
		throw new GraphError(
			400,
			'BadRequest',
			'The request is missing the required User-Agent header.',
		);
	}
}

function methodNotAllowed(method: string, allowed: readonly string[]): GraphError {
	return new GraphError(
		405,
		'MethodNotAllowed',
		`The HTTP method '${method}' is not allowed for this resource.`,
		{ Allow: allowed.join(', ') },
	);
}

function authenticate(req: IncomingRequest, ctx: GraphContext): TokenGrant {
	const challenge = {
		'WWW-Authenticate': `Bearer realm="", authorization_uri="${ctx.baseUrl}/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`,
	};
	const token = bearerToken(req);
	if (!token)
		throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty.', challenge);
	const grant = ctx.tokens.get(token);
	if (!grant) {
		throw new GraphError(
			401,
			'InvalidAuthenticationToken',
			'Access token validation failure. Invalid audience.',
			challenge,
		);
	}
	return grant;
}

function authorize(grant: TokenGrant, accepted: readonly string[]): void {
	const held = new Set(grant.scopes.map((scope) => scope.toLowerCase()));
	if (!accepted.some((scope) => held.has(scope.toLowerCase()))) {
		throw new GraphError(
			403,
			'Forbidden',
			`Application is not authorized to perform this operation. Application must have one of the following scopes: ${accepted.join(', ')}`,
		);
	}
}

function decodeSegments(segments: string[]): string[] {
	try {
		return segments.map((segment) => decodeURIComponent(segment));
	} catch {
		throw new GraphError(400, 'BadRequest', 'The request URI is not valid.');
	}
}

function segmentMatches(pattern: string, segment: string): boolean {
	return pattern.startsWith(':') || pattern.toLowerCase() === segment.toLowerCase();
}

function matchedPrefix(pattern: string[], segments: string[]): number {
	let i = 0;
	while (i < Math.min(pattern.length, segments.length) && segmentMatches(pattern[i], segments[i]))
		i++;
	return i;
}

function matchRoute(
	method: string,
	segments: string[],
): { route: Route; params: Record<string, string> } {
	const shapes = ROUTES.filter(
		(route) =>
			route.pattern.length === segments.length &&
			matchedPrefix(route.pattern, segments) === segments.length,
	);
	if (shapes.length === 0) {
		// Name the first segment no route explains, as Graph's OData parser does.
		const known = Math.max(...ROUTES.map((route) => matchedPrefix(route.pattern, segments)));
		const segment = segments[Math.min(known, segments.length - 1)] ?? '';
		throw new GraphError(404, 'UnknownError', `Resource not found for the segment '${segment}'.`);
	}
	const route = shapes.find((shape) => shape.method === method);
	if (!route)
		throw methodNotAllowed(
			method,
			shapes.map((shape) => shape.method),
		);
	const params: Record<string, string> = {};
	route.pattern.forEach((part, i) => {
		if (part.startsWith(':')) params[part.slice(1)] = segments[i];
	});
	return { route, params };
}

function resolveOwner(
	route: Route,
	params: Record<string, string>,
	grant: TokenGrant,
	store: CloudPcStore,
): DirectoryUser | undefined {
	if (route.scope === 'admin') return undefined;
	if (route.scope === 'me') return { id: grant.userId ?? '' };
	const user = store.findUser(params.user);
	if (!user) {
		throw new GraphError(
			404,
			'Request_ResourceNotFound',
			`Resource '${params.user}' does not exist or one of its queried reference-property objects are not present.`,
		);
	}
	return user;
}

function contextUrl(call: Call, select: readonly string[] | undefined, entity: boolean): string {
	const set = call.owner
		? `users('${call.owner.id}')/cloudPCs`
		: 'deviceManagement/virtualEndpoint/cloudPCs';
	const projection = select ? `(${select.join(',')})` : '';
	return `${call.ctx.baseUrl}/${call.version}/$metadata#${set}${projection}${entity ? '/$entity' : ''}`;
}

function visibleCloudPcs(call: Call): CloudPcState[] {
	return call.ctx.store.list().filter((pc) => !call.owner || pc.userId === call.owner.id);
}

/** Another user's Cloud PC is as unknown as a missing one. */
function findCloudPc(call: Call): CloudPcState {
	const pc = call.id === undefined ? undefined : call.ctx.store.get(call.id);
	if (!pc || (call.owner && pc.userId !== call.owner.id)) {
		throw new GraphError(404, 'ResourceNotFound', 'The requested resource does not exist.');
	}
	return pc;
}

function listCloudPcs(call: Call): Reply {
	const { req, ctx, version } = call;
	const cursor = readCursor(
		req.query,
		version,
		[version, call.route.scope, call.owner?.id ?? ''].join('|'),
	);
	const matches = compileFilter(cursor.filter, version);
	const items = visibleCloudPcs(call)
		.map((pc) => toGraphObject(pc, version, ctx.store.lastRemoteAction(pc.id)))
		.filter(matches);
	const end = cursor.offset + Math.min(cursor.top ?? ctx.pageSize, ctx.pageSize);

	const body: Record<string, unknown> = {
		'@odata.context': contextUrl(call, cursor.select, false),
	};
	if (cursor.count && req.headers.consistencylevel?.toLowerCase() === 'eventual') {
		body['@odata.count'] = items.length;
	}
	if (end < items.length) {
		body['@odata.nextLink'] =
			`${ctx.baseUrl}${req.rawPath}?$skiptoken=${encodeSkipToken({ ...cursor, offset: end })}`;
	}
	body.value = items.slice(cursor.offset, end).map((item) => project(item, cursor.select));
	return jsonReply(200, body);
}

function getCloudPc(call: Call): Reply {
	const select = readItemSelect(call.req.query, call.version);
	const pc = findCloudPc(call);
	return jsonReply(200, {
		'@odata.context': contextUrl(call, select, true),
		...project(toGraphObject(pc, call.version, call.ctx.store.lastRemoteAction(pc.id)), select),
	});
}

/** The payload is deserialized before the action runs, so its errors come before a 404. */
function reprovision(call: Call): Reply {
	const params = reprovisionParams(readJsonObject(call.req), call.route.scope === 'admin');
	const pc = findCloudPc(call);
	refuseDisabled(call, pc.id);
	const blockingStatus = call.ctx.store.reprovision(pc.id, params);
	if (blockingStatus !== undefined) {
		throw new GraphError(
			400,
			'BadRequest',
			`Cloud PC ${pc.id} cannot be reprovisioned because its status is ${blockingStatus}.`,
		);
	}
	return { status: 204, headers: {} };
}

export function readJsonObject(req: IncomingRequest): Record<string, unknown> {
	if (req.rawBody.length === 0) return {};
	if (mediaType(req) !== 'application/json') {
		const sent = req.headers['content-type'];
		throw new GraphError(
			415,
			'UnsupportedMediaType',
			`${sent ? `The content type '${sent}' is not supported` : 'The request body has no Content-Type'}; send it as 'application/json'.`,
		);
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(req.rawBody);
	} catch {
		parsed = undefined;
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new GraphError(
			400,
			'BadRequest',
			'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
		);
	}
	return parsed as Record<string, unknown>;
}

/** `{}` is an empty parameter set (OData); any named parameter outside the admin route is rejected. */
function reprovisionParams(
	body: Record<string, unknown>,
	acceptsParameters: boolean,
): ReprovisionParams {
	const params: ReprovisionParams = {};
	for (const [name, value] of Object.entries(body)) {
		const allowed = acceptsParameters
			? REPROVISION_PARAMETERS.get(name as keyof ReprovisionParams)
			: undefined;
		if (!allowed) {
			throw new GraphError(
				400,
				'BadRequest',
				`The parameter '${name}' in the request payload is not a valid parameter for the operation 'reprovision'.`,
			);
		}
		if (value === null) continue;
		if (typeof value !== 'string' || !allowed.includes(value)) {
			throw new GraphError(
				400,
				'BadRequest',
				`Invalid value ${JSON.stringify(value)} for parameter '${name}'. Expected one of: ${allowed.join(', ')}.`,
			);
		}
		params[name as keyof ReprovisionParams] = value;
	}
	return params;
}

/**
 * beta `retrieveCloudPcRemoteActionResults`: a function, so it takes no query options but the
 * $skiptoken of its own nextLink. Its documented answer has no nextLink, but Graph may page any
 * collection on the server side (learn.microsoft.com/graph/paging, "Server-side paging"); with
 * `remoteActionPageSize` this one is paged, oldest first, so the latest action is on the last
 * page: the worst case for a client that reads only the first.
 */
function remoteActionResults(call: Call): Reply {
	const collection = `remoteActionResults|${call.id ?? ''}`;
	const offset = readFunctionOffset(call.req.query, collection);
	const pc = findCloudPc(call);
	const actions = call.ctx.store.readRemoteActions(pc.id);
	const end = offset + (call.ctx.remoteActionPageSize ?? actions.length);
	const body: Record<string, unknown> = {
		'@odata.context': `${call.ctx.baseUrl}/${call.version}/$metadata#Collection(microsoft.graph.cloudPcRemoteActionResult)`,
		value: actions.slice(offset, end),
	};
	if (end < actions.length) {
		const token = encodeSkipToken({ collection, offset: end, count: false });
		body['@odata.nextLink'] = `${call.ctx.baseUrl}${call.req.rawPath}?$skiptoken=${token}`;
	}
	return jsonReply(200, body);
}

const BULK_ACTION_PROPERTIES = [
	'@odata.type',
	'displayName',
	'cloudPcIds',
	'scheduledDuringMaintenanceWindow',
];
/** Bulk subtypes this server runs, each through its single action (REMOTE_ACTIONS). */
const BULK_ACTIONS = new Map(
	REMOTE_ACTIONS.filter((action) => action.bulkType !== undefined).map((action) => [
		action.bulkType as string,
		action,
	]),
);

/**
 * beta `GET bulkActions`: every bulk action of the tenant, oldest first, in one page, each with
 * `@odata.type`, `cloudPcIds` and `createdDateTime` as the cloudPcBulkAction page lists them
 * (learn.microsoft.com/graph/api/resources/cloudpcbulkaction?view=graph-rest-beta).
 */
function listBulkActions(call: Call): Reply {
	forbidQueryOptions(call.req.query);
	return jsonReply(200, {
		'@odata.context': `${call.ctx.baseUrl}/${call.version}/$metadata#deviceManagement/virtualEndpoint/bulkActions`,
		value: call.ctx.store.bulkActions(),
	});
}

/**
 * beta `POST bulkActions` (learn.microsoft.com/graph/api/virtualendpoint-post-bulkactions?view=graph-rest-beta):
 * every subtype in REMOTE_ACTIONS (bulkType, bulkBody); the payload is checked whole first.
 */
function createBulkAction(call: Call, grant: TokenGrant): Reply {
	const body = readJsonObject(call.req);
	const type = body['@odata.type'];
	if (type === undefined) {
		throw new GraphError(
			400,
			'BadRequest',
			"Cannot create an instance of the abstract type 'microsoft.graph.cloudPcBulkAction'; specify '@odata.type'.",
		);
	}
	if (
		typeof type !== 'string' ||
		(!BULK_ACTIONS.has(type) && !UNIMPLEMENTED_BULK_TYPES.includes(type))
	) {
		throw new GraphError(
			400,
			'BadRequest',
			`A type named '${String(type).replace(/^#/, '')}' could not be resolved by the model.`,
		);
	}
	const spec = BULK_ACTIONS.get(type);
	if (!spec) {
		throw new GraphError(400, 'BadRequest', `The test Graph server does not implement '${type}'.`);
	}
	const own = spec.bulkBody ?? [];
	const unknown = Object.keys(body).find(
		(name) => !BULK_ACTION_PROPERTIES.includes(name) && !own.some((field) => field.name === name),
	);
	if (unknown !== undefined) {
		throw new GraphError(
			400,
			'BadRequest',
			`The property '${unknown}' does not exist on type '${type.slice(1)}'. Make sure to only use property names that are defined by the type.`,
		);
	}
	const properties = actionParams(
		{ segment: type.slice(1) },
		Object.fromEntries(
			Object.entries(body).filter(([name]) => !BULK_ACTION_PROPERTIES.includes(name)),
		),
		own,
	);
	if (type === '#microsoft.graph.cloudPcBulkRestore') {
		if (Number.isNaN(Date.parse(String(properties.restorePointDateTime))))
			throw new GraphError(
				400,
				'BadRequest',
				"The property 'restorePointDateTime' must be a DateTimeOffset.",
			);
		properties.timeRange ??= 'before';
	}
	const { displayName, cloudPcIds, scheduledDuringMaintenanceWindow = false } = body;
	if (typeof displayName !== 'string' || displayName.trim() === '') {
		throw new GraphError(400, 'BadRequest', "The property 'displayName' is required.");
	}
	if (
		!Array.isArray(cloudPcIds) ||
		cloudPcIds.length === 0 ||
		cloudPcIds.some((id) => typeof id !== 'string')
	) {
		throw new GraphError(
			400,
			'BadRequest',
			"The property 'cloudPcIds' is required and must be a non-empty collection of strings.",
		);
	}
	if (typeof scheduledDuringMaintenanceWindow !== 'boolean') {
		throw new GraphError(
			400,
			'BadRequest',
			"The property 'scheduledDuringMaintenanceWindow' must be a boolean.",
		);
	}
	const ids = cloudPcIds as string[];
	const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
	if (duplicate !== undefined) {
		throw new GraphError(
			400,
			'BadRequest',
			`The Cloud PC ID '${duplicate}' is listed more than once.`,
		);
	}
	const missing = ids.filter((id) => !call.ctx.store.get(id));
	if (missing.length) {
		throw new GraphError(
			400,
			'BadRequest',
			`Cloud PCs not found: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}.`,
		);
	}
	const initiatedBy = grant.userId
		? (call.ctx.store.findUser(grant.userId)?.userPrincipalName ?? null)
		: null;
	const action =
		type === BULK_REPROVISION_TYPE
			? call.ctx.store.createBulkReprovision(
					displayName,
					ids,
					initiatedBy,
					scheduledDuringMaintenanceWindow,
				)
			: call.ctx.store.createBulkAction(
					type,
					displayName,
					ids,
					initiatedBy,
					scheduledDuringMaintenanceWindow,
					properties,
				);
	return jsonReply(
		201,
		{
			'@odata.context': `${call.ctx.baseUrl}/${call.version}/$metadata#deviceManagement/virtualEndpoint/bulkActions/$entity`,
			...action,
		},
		{
			Location: `${call.ctx.baseUrl}/${call.version}/deviceManagement/virtualEndpoint/bulkActions('${action.id}')`,
		},
	);
}

// ---- every other remote action ------------------------------------------------------

/**
 * Disabled for this Cloud PC (getSupportedCloudPcRemoteActions says `disabled`): the docs are
 * silent on what the action's route then answers; this server refuses it with 400, acting on
 * nothing, so a client that skips the capability check sees an error, not a silent no-op.
 */
function refuseDisabled(call: Call, id: string): void {
	const action = call.route.action;
	if (action && call.ctx.store.isDisabled(id, action.segment)) {
		throw new GraphError(
			400,
			'BadRequest',
			`The remote action '${action.capabilityName ?? action.segment}' is not supported for Cloud PC ${id}.`,
		);
	}
}

/**
 * POST .../cloudPCs/{id}/<segment> (see REMOTE_ACTIONS for each page). As for reprovision, the
 * payload is read first (its errors before a 404), then the Cloud PC, then the rules: the docs are
 * silent on what Graph answers for a status that does not allow the action or while another
 * action runs, so these answer 400 BadRequest without acting, as reprovision's status rule does.
 * Success is 204 No Content on every page.
 */
function runAction(call: Call): Reply {
	const action = call.route.action as RemoteActionSpec;
	const accepts = action.bodyScopes ? action.bodyScopes.includes(call.route.scope) : true;
	const params = actionParams(action, readJsonObject(call.req), accepts ? action.body : []);
	const pc = findCloudPc(call);
	refuseDisabled(call, pc.id);
	const refusal = call.ctx.store.startAction(pc.id, action.segment, params);
	if (refusal) throw refusalError(action, pc.id, refusal);
	return { status: 204, headers: {} };
}

function refusalError(action: RemoteActionSpec, id: string, refusal: ActionRefusal): GraphError {
	const verb = `run '${action.segment}' on Cloud PC ${id}`;
	switch (refusal.reason) {
		case 'status':
			return new GraphError(
				400,
				'BadRequest',
				`Cannot ${verb} because its status is ${refusal.detail}.`,
			);
		case 'busy':
			return new GraphError(
				400,
				'BadRequest',
				`Cannot ${verb} while its remote action ${refusal.detail} is running.`,
			);
		case 'snapshot':
			// Docs silent on an unknown snapshot id: 404 would hide which id is wrong, so 400 names it.
			return new GraphError(
				400,
				'BadRequest',
				`The snapshot '${refusal.detail}' does not exist for Cloud PC ${id}, or is not ready.`,
			);
	}
}

/**
 * An action's parameters as OData reads them: `{}` or no body is an empty set; an unknown name is
 * refused; null counts as absent; a required one missing, a wrong type or a value outside the
 * enum is 400. The messages follow reprovision's.
 */
export function actionParams(
	action: Pick<RemoteActionSpec, 'segment'>,
	body: Record<string, unknown>,
	fields: readonly ActionField[],
): Record<string, unknown> {
	const params: Record<string, unknown> = {};
	for (const [name, value] of Object.entries(body)) {
		const field = fields.find((candidate) => candidate.name === name);
		if (!field) {
			throw new GraphError(
				400,
				'BadRequest',
				`The parameter '${name}' in the request payload is not a valid parameter for the operation '${action.segment}'.`,
			);
		}
		if (value === null) continue;
		params[name] = checkValue(field, value, name);
	}
	for (const field of fields) {
		if (field.required && params[field.name] === undefined) {
			throw new GraphError(
				400,
				'BadRequest',
				`The parameter '${field.name}' is required for the operation '${action.segment}'.`,
			);
		}
	}
	return params;
}

function checkValue(field: ActionField, value: unknown, path: string): unknown {
	const invalid = (expected: string) =>
		new GraphError(
			400,
			'BadRequest',
			`Invalid value ${JSON.stringify(value)} for parameter '${path}'. Expected ${expected}.`,
		);
	switch (field.type) {
		case 'string':
			if (typeof value !== 'string' || value.trim() === '') throw invalid('a non-empty string');
			if (field.maxLength !== undefined && value.length > field.maxLength)
				throw invalid(`at most ${field.maxLength} characters`);
			return value;
		case 'boolean':
			if (typeof value !== 'boolean') throw invalid('true or false');
			return value;
		case 'enum':
			if (typeof value !== 'string' || !field.values.includes(value))
				throw invalid(`one of: ${field.values.join(', ')}`);
			return value;
		case 'object': {
			if (typeof value !== 'object' || Array.isArray(value)) throw invalid('an object');
			const object: Record<string, unknown> = {};
			for (const [name, inner] of Object.entries(value as Record<string, unknown>)) {
				if (name === '@odata.type') continue;
				const sub = field.fields.find((candidate) => candidate.name === name);
				if (!sub) {
					throw new GraphError(
						400,
						'BadRequest',
						`The property '${name}' does not exist on type '${field.odataType}'. Make sure to only use property names that are defined by the type.`,
					);
				}
				if (inner === null) continue;
				object[name] = checkValue(sub, inner, `${path}.${name}`);
			}
			for (const sub of field.fields) {
				if (sub.required && object[sub.name] === undefined) {
					throw new GraphError(
						400,
						'BadRequest',
						`The property '${sub.name}' of '${path}' is required.`,
					);
				}
			}
			return object;
		}
	}
}

/** beta `retrieveSnapshots`: a function; its page documents no query options, so none. */
function retrieveSnapshots(call: Call): Reply {
	forbidQueryOptions(call.req.query);
	const pc = findCloudPc(call);
	return jsonReply(200, {
		'@odata.context': `${call.ctx.baseUrl}/${call.version}/$metadata#Collection(microsoft.graph.cloudPcSnapshot)`,
		value: call.ctx.store.snapshots(pc.id),
	});
}

/**
 * beta `getSupportedCloudPcRemoteActions`: `{actionName, actionCapability}` per action whose name
 * cloudPcRemoteActionName documents (restart, rename, restore, resize, reprovision, troubleShoot,
 * changeUserAccountType, placeUnderReview;
 * learn.microsoft.com/graph/api/resources/cloudpcremoteactioncapability?view=graph-rest-beta).
 */
function supportedActions(call: Call): Reply {
	forbidQueryOptions(call.req.query);
	const pc = findCloudPc(call);
	return jsonReply(200, {
		'@odata.context': `${call.ctx.baseUrl}/${call.version}/$metadata#Collection(microsoft.graph.cloudPcRemoteActionCapability)`,
		value: call.ctx.store.supportedActions(pc.id),
	});
}

/** beta `getCloudPcConnectivityHistory`: cloudPcConnectivityEvent collection, oldest first. */
function connectivityHistory(call: Call): Reply {
	forbidQueryOptions(call.req.query);
	const pc = findCloudPc(call);
	return jsonReply(200, {
		'@odata.context': `${call.ctx.baseUrl}/${call.version}/$metadata#Collection(microsoft.graph.cloudPcConnectivityEvent)`,
		value: call.ctx.store.connectivityHistory(pc.id),
	});
}
