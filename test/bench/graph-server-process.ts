/**
 * The benchmark's Graph server in a process of its own: Graph is another machine, so its CPU
 * must not be billed to the node under test. Driven over the fork IPC channel.
 */
import { manyCloudPcs, startGraphServer, type GraphServerOptions } from '../graph-server';

export interface ServerRequest {
	n: number;
	options: Omit<GraphServerOptions, 'cloudPcs'>;
}

export interface ServerReport {
	url?: string;
	stats?: ReturnType<Awaited<ReturnType<typeof startGraphServer>>['stats']>;
	lostAndDuplicated?: { lost: number; duplicated: number };
}

process.once('message', async ({ n, options }: ServerRequest) => {
	const fleet = manyCloudPcs(n);
	const server = await startGraphServer({ ...options, cloudPcs: fleet });
	process.send!({ url: server.url } satisfies ServerReport);
	process.once('message', async () => {
		const report: ServerReport = {
			stats: server.stats(),
			lostAndDuplicated: server.lostAndDuplicated(fleet.map((pc) => pc.id)),
		};
		await server.close();
		process.send!(report, () => process.exit(0));
	});
});
