import { STATUS_CODES } from 'node:http';

import { graphErrorReply, jsonReply, type IncomingRequest, type Reply } from './http';
import { aadErrorReply } from './oauth';
import type { FaultMatcher, FaultResponse } from './types';

const GRAPH_CODES: Record<number, string> = {
	400: 'BadRequest',
	401: 'InvalidAuthenticationToken',
	403: 'Forbidden',
	404: 'ResourceNotFound',
	409: 'Conflict',
	429: 'TooManyRequests',
	500: 'InternalServerError',
	502: 'BadGateway',
	503: 'ServiceUnavailable',
	504: 'GatewayTimeout',
};

interface Fault {
	matcher: FaultMatcher;
	/** matching requests still to let through */
	skip: number;
	response: FaultResponse;
	remaining: number;
}

export class FaultQueue {
	private faults: Fault[] = [];

	add(matcher: FaultMatcher, response: FaultResponse, times: number): void {
		if (!Number.isInteger(times) || times < 1)
			throw new Error(`graph-server: failNext times must be >= 1, got ${times}`);
		for (const name of ['delayMs', 'hangMs', 'landsAfterMs'] as const) {
			const ms = response[name];
			if (ms !== undefined && !(Number.isFinite(ms) && ms >= 0))
				throw new Error(`graph-server: failNext ${name} must be a number >= 0, got ${ms}`);
		}
		this.faults.push({ matcher, response, remaining: times, skip: matcher.skip ?? 0 });
	}

	/** The oldest matching fault answers; each answer uses up one of its shots. */
	take(method: string, rawPath: string, query?: URLSearchParams): FaultResponse | undefined {
		const fault = this.faults.find(
			({ matcher }) =>
				(!matcher.method || matcher.method.toUpperCase() === method) &&
				(!matcher.pathIncludes || rawPath.includes(matcher.pathIncludes)) &&
				(!matcher.queryHas || query?.has(matcher.queryHas) === true),
		);
		if (!fault) return undefined;
		if (fault.skip > 0) {
			fault.skip -= 1;
			return undefined;
		}
		fault.remaining -= 1;
		if (fault.remaining === 0) this.faults.splice(this.faults.indexOf(fault), 1);
		return fault.response;
	}

	clear(): void {
		this.faults = [];
	}
}

/**
 * The answer to a request that matched failNext. `handle` is the real handling, which runs
 * only for `afterEffect` (now) or `landsAfterMs` (through `later`): its side effect happens,
 * its answer is lost.
 */
export function injectedReply(
	req: IncomingRequest,
	fault: FaultResponse,
	login: boolean,
	handle: () => Reply,
	later: (ms: number, run: () => void) => void,
): Reply {
	if (fault.afterEffect) handle();
	else if (fault.landsAfterMs !== undefined) later(fault.landsAfterMs, () => void handle());
	return {
		...faultReply(req, fault, login),
		delayMs: fault.delayMs,
		dropAfterMs: fault.hangMs,
		batchAnswer: fault.batchAnswer,
	};
}

/** Without an explicit body, an error looks like the real one of that host (Graph or Entra ID). */
export function faultReply(req: IncomingRequest, fault: FaultResponse, login: boolean): Reply {
	const headers = fault.headers ?? {};
	if (typeof fault.body === 'string') return { status: fault.status, headers, body: fault.body };
	if (fault.body !== undefined)
		return jsonReply(fault.status, fault.body, headers, 'application/json');
	if (fault.status < 400) return { status: fault.status, headers };
	const message = fault.message ?? STATUS_CODES[fault.status] ?? 'Injected failure';
	return login
		? aadErrorReply(req, fault.status, fault.code ?? 'temporarily_unavailable', message, headers)
		: graphErrorReply(
				req,
				fault.status,
				fault.code ?? GRAPH_CODES[fault.status] ?? 'UnknownError',
				message,
				headers,
			);
}
