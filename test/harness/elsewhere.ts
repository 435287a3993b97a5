import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request that reached the other origin; `authorization` says whether a token came along. */
export interface ElsewhereRequest {
	method: string;
	url: string;
	authorization?: string;
}

export interface Elsewhere {
	/** 'http://127.0.0.1:PORT': another origin than the Graph server's */
	url: string;
	host: string;
	requests: ElsewhereRequest[];
	close(): Promise<void>;
}

/**
 * "Another origin" for redirect tests: a plain local HTTP server that records every request
 * and answers 200 with an empty Graph page, so a client that followed a redirect here would
 * carry on as if nothing happened.
 */
export async function startElsewhere(): Promise<Elsewhere> {
	const requests: ElsewhereRequest[] = [];
	const server = createServer((req, res) => {
		requests.push({
			method: req.method ?? '',
			url: req.url ?? '',
			authorization: req.headers.authorization,
		});
		req.resume();
		res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"value":[],"responses":[]}');
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		host: `127.0.0.1:${port}`,
		requests,
		close: () =>
			new Promise<void>((resolve, reject) => {
				server.closeAllConnections();
				server.close((error) => (error ? reject(error) : resolve()));
			}),
	};
}
