/**
 * The benchmark's Graph server and sign-in endpoint in a process of their own: Graph and Entra ID
 * are other machines, so their CPU must not be billed to the node under test. Driven over the
 * fork IPC channel: the first message starts them, 'report' answers with what they saw and
 * starts the fleet afresh for the next run, 'close' ends the process.
 */
import { GRAPH_RESOURCE } from '../../nodes/MicrosoftCloudPc/environments';
import {
	manyCloudPcs,
	startGraphServer,
	type GraphServerOptions,
	type LoggedRequest,
} from '../graph-server';
import { startIdentityServer, type IdentityApp } from '../identity-server';

export interface ServerRequest {
	n: number;
	options: Omit<GraphServerOptions, 'cloudPcs'>;
	/** also start an Entra ID token endpoint that issues `accessTokens`, for app-only runs */
	identity?: { tls: { key: string; cert: string }; apps: IdentityApp[]; accessTokens: string[] };
	/** lost and duplicated are counted per consecutive part of the fleet (default 1) */
	groups?: number;
}

export interface ServerReport {
	url?: string;
	loginBaseUrl?: string;
	stats?: ReturnType<Awaited<ReturnType<typeof startGraphServer>>['stats']>;
	/** token requests at the sign-in endpoint since the last report, when there is one */
	identityTokenRequests?: number;
	/** one per group, in fleet order */
	lostAndDuplicated?: Array<{ lost: number; duplicated: number }>;
	/** Wait for Completion's polls (with logRequests): list pages and action result reads of each */
	polls?: Array<{ lists: number; reads: number }>;
}

/** Polls are bursts of list pages and action result reads, more than a second apart. */
function pollsIn(requests: LoggedRequest[]): ServerReport['polls'] {
	const polls: Array<{ lists: number; reads: number; last: number }> = [];
	for (const r of requests) {
		const list =
			r.method === 'GET' && r.path.endsWith('/deviceManagement/virtualEndpoint/cloudPCs');
		const read =
			r.batchRequestId !== undefined && r.path.endsWith('/retrieveCloudPcRemoteActionResults');
		if (!list && !read) continue;
		let poll = polls[polls.length - 1];
		if (!poll || r.at - poll.last > 1000) polls.push((poll = { lists: 0, reads: 0, last: r.at }));
		poll.last = r.at;
		if (list) poll.lists++;
		else poll.reads++;
	}
	return polls.map(({ lists, reads }) => ({ lists, reads }));
}

export type ServerMessage = ServerRequest | 'report' | 'close';

process.once('message', async ({ n, options, identity, groups = 1 }: ServerRequest) => {
	const fleet = manyCloudPcs(n);
	const server = await startGraphServer({ ...options, cloudPcs: fleet });
	const login = identity
		? // Entra ID issues tokens for Microsoft Graph, whatever URL the requests then go to.
			await startIdentityServer({ ...identity, graphResource: GRAPH_RESOURCE })
		: undefined;
	let tokensBefore = 0;
	process.send!({ url: server.url, loginBaseUrl: login?.loginBaseUrl } satisfies ServerReport);
	process.on('message', async (message: ServerMessage) => {
		if (message === 'close') {
			await Promise.all([server.close(), login?.close()]);
			process.exit(0);
		}
		const size = Math.ceil(n / groups);
		const tokens = login?.tokenRequests();
		const report: ServerReport = {
			stats: server.stats(),
			identityTokenRequests: tokens === undefined ? undefined : tokens - tokensBefore,
			lostAndDuplicated: Array.from({ length: groups }, (_, k) =>
				server.lostAndDuplicated(fleet.slice(k * size, (k + 1) * size).map((pc) => pc.id)),
			),
			polls: pollsIn(server.requests),
		};
		tokensBefore = tokens ?? 0;
		server.reset();
		process.send!(report);
	});
});
