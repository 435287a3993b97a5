import type { INodeParameters } from 'n8n-workflow';

import { cloudPcs, delegatedCredential, serverOptions, startFleetServer } from '../fixtures';
import { manyCloudPcs, startGraphServer, type GraphServer } from '../graph-server';
import { runCloudPcNode, type RunOptions, type RunResult } from './run-workflow';

/**
 * One local Graph server for the test file (or describe block) that calls this: started before
 * its tests, reset before each, closed after them. What comes back stands for that server, so
 * tests read `graph.url` and `graph.requests` as if they had started it themselves.
 */
export function useGraphServer(start: () => Promise<GraphServer>): GraphServer {
	let server: GraphServer | undefined;
	beforeAll(async () => {
		server = await start();
	});
	afterAll(async () => await server?.close());
	beforeEach(() => server?.reset());
	return new Proxy({} as GraphServer, {
		get(_, key) {
			if (!server) throw new Error('The Graph server starts in beforeAll; read it inside a test.');
			const value = Reflect.get(server, key) as unknown;
			return typeof value === 'function' ? value.bind(server) : value;
		},
	});
}

type Run = (options: Partial<RunOptions> & Pick<RunOptions, 'parameters'>) => Promise<RunResult>;

/** Runs the node with the delegated credential, pointed at `graph`. */
export function delegatedRun(graph: GraphServer): Run {
	return async (options) =>
		await runCloudPcNode({ credentials: delegatedCredential(graph.url), ...options });
}

/** 4 fixture Cloud PCs + 7 of a fleet = 11, two to a page: 6 pages for "Return All". */
export const fleet = manyCloudPcs(7);
export const ALL_IDS = [...cloudPcs, ...fleet].map((pc) => pc.id);
export const UNKNOWN = '99999999-9999-4999-8999-999999999999';
export const BULK_TYPE = '#microsoft.graph.cloudPcBulkReprovision';

/** The parameters of a Cloud PC operation, reading the Cloud PC ID from the item. */
export const parameters = (
	operation: string,
	overrides: INodeParameters = {},
): INodeParameters => ({
	authentication: 'oAuth2',
	resource: 'cloudPc',
	operation,
	...(operation === 'getMany'
		? {}
		: { cloudPcId: { __rl: true, mode: 'id', value: '={{ $json.cloudPcId }}' } }),
	...overrides,
});

/**
 * The server the tests of Get, Get Many, Get Reprovision Status and Bulk Reprovision share:
 * the sample tenant plus `fleet`, two Cloud PCs to a page.
 */
export function useOperationsServer() {
	const graph = useGraphServer(async () => await startFleetServer(fleet, { pageSize: 2 }));
	/** Graph operations: direct requests and the inner requests of batches, not envelopes. */
	const operations = () => graph.requests.filter((r) => !r.path.endsWith('$batch'));
	const listCalls = () => operations().filter((r) => r.path.endsWith('/cloudPCs'));
	return { graph, run: delegatedRun(graph), operations, listCalls };
}

/** The sample tenant, for Reprovision's requests and errors. */
export function useReprovisionServer() {
	const graph = useGraphServer(async () => await startGraphServer(serverOptions()));
	const reprovisionCalls = () => graph.requests.filter((r) => r.path.endsWith('/reprovision'));
	return { graph, run: delegatedRun(graph), reprovisionCalls };
}
