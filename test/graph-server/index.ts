import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

import { handleBatch, isBatchPath } from './batch';
import { FaultQueue, faultReply, injectedReply } from './faults';
import {
	correlationHeaders,
	graphErrorReply,
	mediaType,
	requestFor,
	type GraphError,
	type IncomingRequest,
	type Reply,
	readBody,
} from './http';
import { handleLogin, isLoginPath, readForm, type LoginContext } from './oauth';
import {
	actionSegment,
	bearerToken,
	handleGraph,
	isReprovision,
	type GraphContext,
} from './routes';
import { CloudPcStore, SAMPLE_CLOUD_PCS } from './state';
import { actionBySegment } from './actions';
import { SlidingWindow } from './throttle';
import type {
	GraphServer,
	GraphServerOptions,
	GraphServerStats,
	LoggedRequest,
	SeedCloudPc,
	TokenGrant,
} from './types';

export * from './types';
export { defaultSnapshots, manyCloudPcs, SAMPLE_CLOUD_PCS, SAMPLE_USERS } from './state';
export {
	actionBySegment,
	findAction,
	REMOTE_ACTIONS,
	UNIMPLEMENTED_BULK_TYPES,
	type ActionField,
	type ActionScope,
	type ActionVersion,
	type RemoteActionSpec,
} from './actions';

const DEFAULT_PAGE_SIZE = 100;

/**
 * A local, strict stand-in for Microsoft Graph's Cloud PC API and the Entra ID token
 * endpoint, on 127.0.0.1 and an ephemeral port. It never writes to the console.
 */
export async function startGraphServer(options: GraphServerOptions = {}): Promise<GraphServer> {
	const seed = (options.cloudPcs ?? SAMPLE_CLOUD_PCS).map((pc) => ({ ...pc }));
	const tokens = new Map(Object.entries(options.tokens ?? {}));
	const refreshTokens = new Map(Object.entries(options.refreshTokens ?? {}));
	const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
	validateOptions(seed, tokens, refreshTokens, pageSize);
	validateBehaviour(options);
	const {
		latencyMs = 0,
		faultRate = 0,
		faultRetryAfterSeconds,
		random = Math.random,
		logRequests = true,
	} = options;

	const signedInUsers = [...tokens.values()].flatMap((grant) =>
		grant.userId ? [grant.userId] : [],
	);
	const store = new CloudPcStore(seed, signedInUsers, {
		completesAfterPolls: options.reprovisionCompletesAfterPolls,
		statusLagMs: options.statusLagMs ?? 0,
		durationMs: options.reprovisionDurationMs,
		timings: options.actionTimings,
		snapshots: options.snapshots,
	});
	const faults = new FaultQueue();
	const throttleWindow = options.throttle
		? new SlidingWindow(options.throttle.limit, options.throttle.windowMs)
		: undefined;
	const requests: LoggedRequest[] = [];
	const counters = zeroStats();
	/** Answers still waiting on latency, delayMs or hangMs; close() must not wait for them. */
	const timers = new Set<ReturnType<typeof setTimeout>>();
	const graph: GraphContext = {
		store,
		tokens,
		pageSize,
		remoteActionPageSize: options.remoteActionPageSize,
		baseUrl: '',
	};
	const login: LoginContext = { tokens, refreshTokens };

	/** Entries are made on arrival, so an envelope's entry comes before its inner requests'. */
	function record(
		req: IncomingRequest,
		isLogin: boolean,
		batchRequestId?: string,
	): LoggedRequest | undefined {
		if (!logRequests) return undefined;
		const entry: LoggedRequest = {
			method: req.method,
			path: req.rawPath,
			query: Object.fromEntries(req.query),
			headers: req.headers,
			body: loggedBody(req, isLogin),
			status: 0,
			requestId: req.requestId,
			at: Date.now(),
			...(batchRequestId === undefined ? {} : { batchRequestId }),
		};
		requests.push(entry);
		return entry;
	}

	/** failNext is checked before anything else; `admit` (throttling, random faults) comes next. */
	function withInjected(
		req: IncomingRequest,
		isLogin: boolean,
		handle: () => Reply,
		admit: () => Reply | undefined = () => undefined,
	): Reply {
		const fault = faults.take(req.method, req.rawPath, req.query);
		if (fault) return injectedReply(req, fault, isLogin, handle, after);
		return admit() ?? handle();
	}

	/** Graph refuses these before the operation runs, so they have no side effect. */
	function refuseOverLimit(req: IncomingRequest): Reply | undefined {
		const key = options.throttle?.perTenant ? 'tenant' : (bearerToken(req) ?? '');
		const retryAfter = throttleWindow?.admit(key);
		if (retryAfter !== undefined) {
			counters.throttled += 1;
			const headers = { 'Retry-After': String(retryAfter) };
			return faultReply(req, { status: 429, message: 'Too many requests', headers }, false);
		}
		// Draw only when faults are on, so a seeded `random` is not consumed by other options.
		if (faultRate > 0 && random() < faultRate) {
			counters.faulted += 1;
			const headers: Record<string, string> =
				faultRetryAfterSeconds === undefined
					? {}
					: { 'Retry-After': String(faultRetryAfterSeconds) };
			return faultReply(req, { status: 503, headers }, false);
		}
		return undefined;
	}

	/** One Graph operation: a direct request, or an inner request of a batch (then logged here). */
	function operate(
		req: IncomingRequest,
		inner?: { batchRequestId: string; refusal?: GraphError },
	): Reply {
		counters.graphOperations += 1;
		if (isReprovision(req)) counters.reprovisionAttempts += 1;
		const segment = actionSegment(req);
		if (segment !== undefined)
			counters.actionAttempts[segment] = (counters.actionAttempts[segment] ?? 0) + 1;
		const entry = inner && record(req, false, inner.batchRequestId);
		const reply = inner?.refusal
			? graphErrorReply(req, inner.refusal.status, inner.refusal.code, inner.refusal.message)
			: withInjected(
					req,
					false,
					() => handleGraph(req, graph),
					() => refuseOverLimit(req),
				);
		if (entry) entry.status = loggedStatus(reply);
		return reply;
	}

	function answer(req: IncomingRequest, isLogin: boolean): Reply {
		try {
			if (isLogin) return withInjected(req, true, () => handleLogin(req, login));
			if (!isBatchPath(req.segments)) return operate(req);
			return withInjected(req, false, () =>
				handleBatch(req, {
					graph,
					run: (inner, refusal) => operate(inner, { batchRequestId: req.requestId, refusal }),
					shuffle: options.shuffleBatchResponses === true,
					random,
				}),
			);
		} catch {
			// A bug in this server must surface as a failed request, never as a hung one.
			return graphErrorReply(
				req,
				500,
				'InternalServerError',
				'The test Graph server failed unexpectedly.',
			);
		}
	}

	/** Runs now when there is nothing to wait for, so a server without latency answers as before. */
	function after(ms: number, run: () => void): void {
		if (ms <= 0) return run();
		const timer = setTimeout(() => {
			timers.delete(timer);
			run();
		}, ms);
		timers.add(timer);
	}

	function deliver(
		res: ServerResponse,
		req: IncomingRequest,
		reply: Reply,
		isLogin: boolean,
		arrivedAt: number,
	) {
		if (reply.dropAfterMs !== undefined) return after(reply.dropAfterMs, () => res.destroy());
		const headers = { ...reply.headers, ...correlationHeaders(req, isLogin) };
		// Latency runs from the request's arrival, so this server's own work is part of it, as
		// Graph's is part of what a client measures.
		const latency = isLogin ? 0 : Math.max(0, latencyMs - (performance.now() - arrivedAt));
		after(latency + (reply.delayMs ?? 0), () => {
			// The client may have given up (its timeout) while the answer waited.
			if (!res.destroyed) res.writeHead(reply.status, headers).end(reply.body);
		});
	}

	/** Graph requests received and not yet answered (or dropped), for `peakConcurrent`. */
	let open = 0;
	function countOpen(res: ServerResponse) {
		open += 1;
		counters.peakConcurrent = Math.max(counters.peakConcurrent, open);
		res.once('close', () => (open -= 1));
	}

	const onRequest = (message: IncomingMessage, res: ServerResponse) => {
		const arrivedAt = performance.now();
		readBody(message)
			.then((rawBody) => {
				const req = toIncomingRequest(message, rawBody);
				const isLogin = isLoginPath(req.segments);
				counters.httpRequests += 1;
				if (isLogin) counters.tokenRequests += 1;
				else countOpen(res);
				const entry = record(req, isLogin);
				const reply = answer(req, isLogin);
				if (entry) entry.status = loggedStatus(reply);
				deliver(res, req, reply, isLogin, arrivedAt);
			})
			.catch(() => res.destroy());
	};
	// Graph is only reachable over HTTPS; the default plain HTTP keeps the tests' setup small.
	const server = options.tls ? createTlsServer(options.tls, onRequest) : createServer(onRequest);
	server.on('connection', () => (counters.connections += 1));

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			server.off('error', reject);
			resolve();
		});
	});
	const { port } = server.address() as AddressInfo;
	const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
	graph.baseUrl = url;

	return {
		url,
		port,
		requests,
		reprovisionCount: (cloudPcId) => store.reprovisionCount(cloudPcId),
		actionCount: (cloudPcId, segment) =>
			store.actionCount(cloudPcId, actionBySegment(segment).segment),
		disableAction: (cloudPcId, segment) => store.setDisabled(cloudPcId, segment, true),
		enableAction: (cloudPcId, segment) => store.setDisabled(cloudPcId, segment, false),
		snapshots: (cloudPcId) => store.snapshots(cloudPcId),
		addSnapshot: (snapshot) => store.addSnapshot(snapshot),
		addConnectivityEvent: (cloudPcId, event) => store.addConnectivityEvent(cloudPcId, event),
		runMaintenanceWindow: () => store.runMaintenanceWindow(),
		cloudPc: (id) => store.snapshot(id),
		setStatus: (id, status) => store.setStatus(id, status),
		setStatusLag: (ms) => {
			validateBehaviour({ statusLagMs: ms });
			store.setStatusLag(ms);
		},
		addCloudPc: (pc) => store.add(pc),
		removeCloudPc: (id) => store.remove(id),
		completeRemoteAction: (id, state, segment) => store.completeRemoteAction(id, state, segment),
		addRemoteAction: (id, action) => store.addRemoteAction(id, action),
		remoteActions: (id) => store.remoteActions(id),
		bulkActions: () => store.bulkActions(),
		failNext: (matcher, response, times = 1) => faults.add(matcher, response, times),
		stats: () => ({ ...counters, actionAttempts: { ...counters.actionAttempts } }),
		lostAndDuplicated: (expectedIds, segment = 'reprovision') => {
			const action = actionBySegment(segment).segment;
			let lost = 0;
			let duplicated = 0;
			for (const id of new Set(expectedIds)) {
				const count =
					action === 'reprovision' ? store.reprovisionCount(id) : store.actionCount(id, action);
				if (count === 0) lost += 1;
				duplicated += Math.max(0, count - 1);
			}
			return { lost, duplicated };
		},
		reset: () => {
			requests.length = 0;
			faults.clear();
			store.reset();
			store.setStatusLag(options.statusLagMs ?? 0);
			throttleWindow?.clear();
			Object.assign(counters, zeroStats());
		},
		close: () =>
			new Promise<void>((resolve, reject) => {
				for (const timer of timers) clearTimeout(timer);
				timers.clear();
				// Keep-alive sockets from fetch would otherwise hold close() open.
				server.closeAllConnections();
				server.close((err) => (err ? reject(err) : resolve()));
			}),
	};
}

/** Mistakes in a test's setup fail loudly at start, not as puzzling HTTP answers later. */
function validateOptions(
	seed: readonly SeedCloudPc[],
	tokens: ReadonlyMap<string, TokenGrant>,
	refreshTokens: LoginContext['refreshTokens'],
	pageSize: number,
): void {
	if (!Number.isInteger(pageSize) || pageSize < 1)
		throw new Error(`graph-server: pageSize must be a positive integer, got ${pageSize}`);
	const ids = new Set<string>();
	for (const pc of seed) {
		if (ids.has(pc.id)) throw new Error(`graph-server: duplicate Cloud PC id ${pc.id}`);
		ids.add(pc.id);
	}
	// Name the entry by position only: tokens stay out of error output.
	[...refreshTokens.values()].forEach((issued, index) => {
		if (!tokens.has(issued.accessToken)) {
			throw new Error(
				`graph-server: refreshTokens entry #${index} issues an access token missing from tokens`,
			);
		}
	});
}

/** Options a benchmark sets by hand: a typo must not silently measure something else. */
function validateBehaviour(options: GraphServerOptions): void {
	const { latencyMs, throttle, faultRate, faultRetryAfterSeconds, reprovisionCompletesAfterPolls } =
		options;
	if (
		reprovisionCompletesAfterPolls !== undefined &&
		!(Number.isInteger(reprovisionCompletesAfterPolls) && reprovisionCompletesAfterPolls >= 1)
	) {
		throw new Error(
			`graph-server: reprovisionCompletesAfterPolls must be a positive integer, got ${reprovisionCompletesAfterPolls}`,
		);
	}
	const { statusLagMs, reprovisionDurationMs } = options;
	if (
		reprovisionDurationMs !== undefined &&
		!(Number.isFinite(reprovisionDurationMs) && reprovisionDurationMs >= 0)
	) {
		throw new Error(
			`graph-server: reprovisionDurationMs must be a number >= 0, got ${reprovisionDurationMs}`,
		);
	}
	const { remoteActionPageSize: actionPage } = options;
	if (actionPage !== undefined && !(Number.isInteger(actionPage) && actionPage >= 1))
		throw new Error(
			`graph-server: remoteActionPageSize must be a positive integer, got ${actionPage}`,
		);
	if (statusLagMs !== undefined && !(Number.isFinite(statusLagMs) && statusLagMs >= 0))
		throw new Error(`graph-server: statusLagMs must be a number >= 0, got ${statusLagMs}`);
	if (latencyMs !== undefined && !(Number.isFinite(latencyMs) && latencyMs >= 0))
		throw new Error(`graph-server: latencyMs must be a number >= 0, got ${latencyMs}`);
	if (throttle && !(Number.isInteger(throttle.limit) && throttle.limit >= 1))
		throw new Error(
			`graph-server: throttle.limit must be a positive integer, got ${throttle.limit}`,
		);
	if (throttle && !(Number.isFinite(throttle.windowMs) && throttle.windowMs > 0))
		throw new Error(`graph-server: throttle.windowMs must be > 0, got ${throttle.windowMs}`);
	if (faultRate !== undefined && !(faultRate >= 0 && faultRate <= 1))
		throw new Error(`graph-server: faultRate must be between 0 and 1, got ${faultRate}`);
	if (
		faultRetryAfterSeconds !== undefined &&
		!(Number.isInteger(faultRetryAfterSeconds) && faultRetryAfterSeconds >= 0)
	) {
		throw new Error(
			`graph-server: faultRetryAfterSeconds must be a whole number >= 0, got ${faultRetryAfterSeconds}`,
		);
	}
}

function zeroStats(): GraphServerStats {
	return {
		httpRequests: 0,
		graphOperations: 0,
		reprovisionAttempts: 0,
		actionAttempts: {},
		throttled: 0,
		faulted: 0,
		tokenRequests: 0,
		peakConcurrent: 0,
		connections: 0,
	};
}

/** What the log shows: 0 for a connection dropped without an answer. */
function loggedStatus(reply: Reply): number {
	return reply.dropAfterMs === undefined ? reply.status : 0;
}

function toIncomingRequest(message: IncomingMessage, rawBody: string): IncomingRequest {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(message.headers)) {
		if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
	}
	return requestFor(message.method ?? 'GET', message.url ?? '/', headers, rawBody);
}

function loggedBody(req: IncomingRequest, isLogin: boolean): unknown {
	if (req.rawBody.length === 0) return undefined;
	const form = isLogin ? readForm(req) : undefined;
	if (form) return Object.fromEntries(form);
	if (mediaType(req) === 'application/json') {
		try {
			return JSON.parse(req.rawBody) as unknown;
		} catch {
			return req.rawBody;
		}
	}
	return req.rawBody;
}
