import {
	answeringGraphErrors,
	correlationHeaders,
	GraphError,
	jsonReply,
	mediaType,
	requestFor,
	type IncomingRequest,
	type Reply,
} from './http';
import type { GraphVersion } from './odata';
import { admitBatch, readJsonObject, type GraphContext } from './routes';

/*
 * Microsoft Graph JSON batching, as documented: learn.microsoft.com/graph/json-batching
 * (request and response format, dependsOn, size limit). Every rule below cites its source; a
 * payload that breaks one fails the whole batch with 400 before anything in it runs, as Graph
 * validates the payload first.
 */

/** "JSON batch requests are currently limited to 20 individual requests" (json-batching, Batch size limitations). */
export const MAX_BATCH_REQUESTS = 20;

/** Writes: Graph reads their Content-Type and body before anything runs. */
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export interface BatchContext {
	graph: GraphContext;
	/**
	 * Answers one inner request through the same handling as a direct request; with a refusal
	 * (a fault of the inner request itself, found by the batch layer) it answers that instead.
	 */
	run(req: IncomingRequest, refusal: GraphError | undefined): Reply;
	shuffle: boolean;
	random: () => number;
}

interface Step {
	id: string;
	method: string;
	url: string;
	/** Lower-cased names. */
	headers: Record<string, string>;
	body?: unknown;
	dependsOn: string[];
}

interface InnerResponse {
	id: string;
	status: number;
	headers: Record<string, string>;
	body?: unknown;
}

/** A scheme ('https:') or a network-path reference ('//host'). */
const ABSOLUTE_URL = /^([a-z][a-z\d+.-]*:|\/\/)/i;

/** Clients send the `$` raw or percent-encoded; OData segments ignore case. */
export function isBatchPath(segments: readonly string[]): boolean {
	return segments.length === 2 && /^(\$|%24)batch$/i.test(segments[1]);
}

export function handleBatch(req: IncomingRequest, ctx: BatchContext): Reply {
	return answeringGraphErrors(req, () => runBatch(req, ctx));
}

/**
 * The envelope is checked like any Graph call, then as a whole; only then does anything run.
 * Inner requests run one after another here, but nothing waits between them, so for timing
 * they are concurrent: the envelope is as late as its slowest inner answer.
 */
function runBatch(req: IncomingRequest, ctx: BatchContext): Reply {
	const version = admitBatch(req, ctx.graph);
	const steps = readSteps(readJsonObject(req));
	const answered = new Map<string, InnerResponse>();
	let delayMs = 0;
	let dropAfterMs: number | undefined;
	const omittedOrRepeated = new Map<string, Reply['batchAnswer']>();
	for (const step of executionOrder(steps)) {
		const inner = innerRequest(req, version, step);
		const reply = ctx.run(inner, refusal(step, answered));
		answered.set(step.id, innerResponse(step.id, inner, reply));
		if (reply.batchAnswer) omittedOrRepeated.set(step.id, reply.batchAnswer);
		delayMs = Math.max(delayMs, reply.delayMs ?? 0);
		if (reply.dropAfterMs !== undefined)
			dropAfterMs = Math.max(dropAfterMs ?? 0, reply.dropAfterMs);
	}
	const responses = steps.flatMap((step) => {
		const inner = answered.get(step.id) as InnerResponse;
		const batchAnswer = omittedOrRepeated.get(step.id);
		return batchAnswer === 'omitted' ? [] : batchAnswer === 'repeated' ? [inner, inner] : [inner];
	});
	if (ctx.shuffle) shuffle(responses, ctx.random);
	return { ...jsonReply(200, { responses }), delayMs, dropAfterMs };
}

function invalidBatch(message: string): GraphError {
	return new GraphError(400, 'BadRequest', message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Any malformed entry fails the whole batch, as Graph validates the payload before running it. */
function readSteps(payload: Record<string, unknown>): Step[] {
	const { requests } = payload;
	if (!Array.isArray(requests) || requests.length === 0)
		throw invalidBatch('Invalid batch payload format.');
	if (requests.length > MAX_BATCH_REQUESTS) {
		throw invalidBatch(
			`Batch request exceeds the maximum of ${MAX_BATCH_REQUESTS} requests (it has ${requests.length}).`,
		);
	}
	const steps = requests.map(readStep);
	// json-batching, Request format: "The id property ... must be unique within the batch".
	const ids = new Set<string>();
	for (const { id } of steps) {
		if (ids.has(id)) throw invalidBatch(`Batch request contains duplicate request id '${id}'.`);
		ids.add(id);
	}
	for (const step of steps) checkStep(step, ids);
	return steps;
}

/** The per-request rules of the payload, each with its source. */
function checkStep(step: Step, ids: ReadonlySet<string>): void {
	// json-batching, Request format: "url ... the relative resource URL the individual request
	// would typically be sent to" (after the version).
	if (ABSOLUTE_URL.test(step.url)) {
		throw invalidBatch(
			`Invalid request URL '${step.url}': a batch request's url is relative to the version, such as '/me/cloudPCs'.`,
		);
	}
	// Graph refuses a write without body or Content-Type: the error text reported in
	// microsoftgraph/msgraph-sdk-dotnet issue 2628; json-batching: "If a body is included with
	// the request, the headers object must contain a value for Content-Type".
	const hasType = step.headers['content-type'] !== undefined;
	if (
		(WRITE_METHODS.has(step.method) && step.body === undefined) ||
		(step.body !== undefined && !hasType)
	) {
		throw invalidBatch(
			`Write request id : ${step.id} does not contain Content-Type header or body.`,
		);
	}
	// json-batching, Sequencing requests with the dependsOn property: ids of this batch only.
	const unknown = step.dependsOn.find((id) => !ids.has(id));
	if (unknown !== undefined) {
		throw invalidBatch(
			`Request '${step.id}' depends on request '${unknown}', which is not in the batch.`,
		);
	}
}

function readStep(raw: unknown, index: number): Step {
	const invalid = (what: string) =>
		invalidBatch(`Invalid batch payload format: requests[${index}] ${what}.`);
	if (!isRecord(raw)) throw invalid('is not an object');
	const { id, method, url, headers = {}, body, dependsOn = [] } = raw;
	if (typeof id !== 'string' || id === '') throw invalid("has no 'id' string");
	if (typeof method !== 'string' || method === '') throw invalid("has no 'method' string");
	if (typeof url !== 'string' || url === '') throw invalid("has no 'url' string");
	if (!isRecord(headers) || Object.values(headers).some((value) => typeof value !== 'string'))
		throw invalid("has 'headers' that are not an object of strings");
	if (!Array.isArray(dependsOn) || dependsOn.some((value) => typeof value !== 'string'))
		throw invalid("has a 'dependsOn' that is not an array of ids");
	return {
		id,
		method: method.toUpperCase(),
		url,
		headers: Object.fromEntries(
			Object.entries(headers as Record<string, string>).map(([name, value]) => [
				name.toLowerCase(),
				value,
			]),
		),
		body: body ?? undefined,
		dependsOn: dependsOn as string[],
	};
}

/** Array order, except that a request runs after those it depends on; a cycle could never run. */
function executionOrder(steps: readonly Step[]): Step[] {
	const byId = new Map(steps.map((step) => [step.id, step]));
	const state = new Map<string, 'visiting' | 'done'>();
	const order: Step[] = [];
	const visit = (step: Step) => {
		if (state.get(step.id) === 'done') return;
		if (state.get(step.id) === 'visiting')
			throw invalidBatch(`Batch request has a circular dependsOn through request '${step.id}'.`);
		state.set(step.id, 'visiting');
		for (const id of step.dependsOn) visit(byId.get(id) as Step);
		state.set(step.id, 'done');
		order.push(step);
	};
	steps.forEach(visit);
	return order;
}

/**
 * The inner request as a direct one would arrive: the version in front of its url, its own
 * headers, and the envelope's credentials and User-Agent (the envelope's win over inner ones).
 */
function innerRequest(
	envelope: IncomingRequest,
	version: GraphVersion,
	step: Step,
): IncomingRequest {
	const target = ABSOLUTE_URL.test(step.url)
		? step.url
		: `/${version}${step.url.startsWith('/') ? '' : '/'}${step.url}`;
	const headers = { ...step.headers };
	for (const name of ['authorization', 'user-agent']) {
		const value = envelope.headers[name];
		if (value !== undefined) headers[name] = value;
	}
	return requestFor(step.method, target, headers, innerBody(step));
}

/** A JSON body is inline JSON; any other content type arrives base64-encoded, as Graph expects. */
function innerBody(step: Step): string {
	if (step.body === undefined) return '';
	if (typeof step.body === 'string' && mediaType(step) !== 'application/json')
		return Buffer.from(step.body, 'base64').toString('utf8');
	return JSON.stringify(step.body);
}

/**
 * What the batch layer itself answers for a request: 424 when a request it depends on failed
 * (json-batching, "If an individual request fails, any request that depends on that request
 * fails with status code 424 (Failed Dependency)").
 */
function refusal(step: Step, answered: ReadonlyMap<string, InnerResponse>): GraphError | undefined {
	const failed = step.dependsOn.find((id) => !isSuccess(answered.get(id)?.status ?? 0));
	if (failed === undefined) return undefined;
	return new GraphError(
		424,
		'FailedDependency',
		`Request '${step.id}' depends on request '${failed}', which failed.`,
	);
}

function isSuccess(status: number): boolean {
	return status >= 200 && status < 300;
}

/** Each inner answer carries its own ids, as a direct answer would in its HTTP headers. */
function innerResponse(id: string, req: IncomingRequest, reply: Reply): InnerResponse {
	const headers = { ...reply.headers, ...correlationHeaders(req, false) };
	if (reply.body === undefined) return { id, status: reply.status, headers };
	let body: unknown;
	try {
		body = JSON.parse(reply.body);
	} catch {
		body = reply.body;
	}
	return { id, status: reply.status, headers, body };
}

/** Fisher–Yates, with the server's (injectable) randomness. */
function shuffle<T>(items: T[], random: () => number): void {
	for (let i = items.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[items[i], items[j]] = [items[j], items[i]];
	}
}
