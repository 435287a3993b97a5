import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

import { FaultQueue, faultReply } from './faults';
import { graphErrorReply, mediaType, type IncomingRequest, type Reply } from './http';
import { handleLogin, isLoginPath, readForm, type LoginContext } from './oauth';
import { handleGraph, type GraphContext } from './routes';
import { CloudPcStore, SAMPLE_CLOUD_PCS } from './state';
import type {
	GraphServer,
	GraphServerOptions,
	LoggedRequest,
	SeedCloudPc,
	TokenGrant,
} from './types';

export * from './types';
export { SAMPLE_CLOUD_PCS, SAMPLE_USERS } from './state';

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

	const signedInUsers = [...tokens.values()].flatMap((grant) =>
		grant.userId ? [grant.userId] : [],
	);
	const store = new CloudPcStore(seed, signedInUsers);
	const faults = new FaultQueue();
	const requests: LoggedRequest[] = [];
	const graph: GraphContext = { store, tokens, pageSize, baseUrl: '' };
	const login: LoginContext = { tokens, refreshTokens };

	function answer(req: IncomingRequest, isLogin: boolean): Reply {
		try {
			const fault = faults.take(req.method, req.rawPath);
			if (fault) return faultReply(req, fault, isLogin);
			return isLogin ? handleLogin(req, login) : handleGraph(req, graph);
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

	const server = createServer((message, res) => {
		readBody(message)
			.then((rawBody) => {
				const req = toIncomingRequest(message, rawBody);
				const isLogin = isLoginPath(req.segments);
				const reply = answer(req, isLogin);
				const headers = { ...reply.headers, ...correlationHeaders(req, isLogin) };
				requests.push({
					method: req.method,
					path: req.rawPath,
					query: Object.fromEntries(req.query),
					headers: req.headers,
					body: loggedBody(req, isLogin),
					status: reply.status,
					requestId: req.requestId,
				});
				res.writeHead(reply.status, headers).end(reply.body);
			})
			.catch(() => res.destroy());
	});

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			server.off('error', reject);
			resolve();
		});
	});
	const { port } = server.address() as AddressInfo;
	const url = `http://127.0.0.1:${port}`;
	graph.baseUrl = url;

	return {
		url,
		port,
		requests,
		reprovisionCount: (cloudPcId) => store.reprovisionCount(cloudPcId),
		cloudPc: (id) => store.snapshot(id),
		setStatus: (id, status) => store.setStatus(id, status),
		failNext: (matcher, response, times = 1) => faults.add(matcher, response, times),
		reset: () => {
			requests.length = 0;
			faults.clear();
			store.reset();
		},
		close: () =>
			new Promise<void>((resolve, reject) => {
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

function readBody(message: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		message.on('data', (chunk: Buffer) => chunks.push(chunk));
		message.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		message.on('error', reject);
	});
}

function toIncomingRequest(message: IncomingMessage, rawBody: string): IncomingRequest {
	const target = message.url ?? '/';
	const queryStart = target.indexOf('?');
	const rawPath = queryStart === -1 ? target : target.slice(0, queryStart);
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(message.headers)) {
		if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
	}
	return {
		method: message.method ?? 'GET',
		rawPath,
		segments: rawPath.split('/').filter((segment) => segment.length > 0),
		query: new URLSearchParams(queryStart === -1 ? '' : target.slice(queryStart + 1)),
		headers,
		rawBody,
		requestId: randomUUID(),
		clientRequestId: headers['client-request-id'] || randomUUID(),
	};
}

/** Graph always answers both ids; Entra ID names its own x-ms-request-id and echoes only a sent client id. */
function correlationHeaders(req: IncomingRequest, isLogin: boolean): Record<string, string> {
	if (!isLogin) return { 'request-id': req.requestId, 'client-request-id': req.clientRequestId };
	const echoed = req.headers['client-request-id'];
	return { 'x-ms-request-id': req.requestId, ...(echoed ? { 'client-request-id': echoed } : {}) };
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
