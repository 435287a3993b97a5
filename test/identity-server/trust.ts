import { runInThisContext } from 'node:vm';

/** Where Node's fetch (undici) keeps the dispatcher that `setGlobalDispatcher` sets. */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

interface Dispatcher {
	dispatch(options: { origin?: string | URL }, handler: { onError(error: Error): void }): boolean;
	close(): Promise<void>;
}
type DispatcherClass = new (options: { connect: { ca: string[] } }) => Dispatcher;

/**
 * Makes Node's fetch, which msal-node 7 uses, trust `caPem` (only: every origin allowed is a
 * local test server, and parsing the public roots for each connection costs 50 ms), and refuse
 * any origin but loopback (so no test can reach 169.254.169.254 or the internet). It installs an
 * undici Agent with that CA as fetch's global dispatcher, behind a loopback check. Jest runs tests
 * in a vm context while fetch belongs to the main one, so the main context's slot is the one to
 * set; the Agent class is taken from Node's own dispatcher. Returns a function that undoes it.
 */
export function useLocalFetch(caPem: string): () => Promise<void> {
	const main = runInThisContext('globalThis') as Record<symbol, Dispatcher | undefined> & {
		Headers: unknown;
	};
	void main.Headers; // loads Node's undici, which installs its default dispatcher
	const previous = main[GLOBAL_DISPATCHER];
	if (!previous) throw new Error('useLocalFetch: Node did not install a fetch dispatcher');
	const Agent = previous.constructor as DispatcherClass;
	const trusting = new Agent({ connect: { ca: [caPem] } });
	const local: Dispatcher = {
		dispatch(options, handler) {
			const { hostname } = new URL(String(options.origin));
			if (LOOPBACK.has(hostname)) return trusting.dispatch(options, handler);
			handler.onError(
				new Error(`Test guard: refused a request to ${hostname}; tests stay on loopback`),
			);
			return true;
		},
		close: async () => await trusting.close(),
	};
	main[GLOBAL_DISPATCHER] = local;
	return async () => {
		main[GLOBAL_DISPATCHER] = previous;
		await trusting.close();
	};
}
