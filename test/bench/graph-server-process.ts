/**
 * The benchmark's Graph server and sign-in endpoint in a process of their own: Graph and Entra ID
 * are other machines, so their CPU must not be billed to the node under test. Driven over the
 * fork IPC channel.
 */
import { GRAPH_RESOURCE } from '../../nodes/MicrosoftCloudPc/environments';
import { manyCloudPcs, startGraphServer, type GraphServerOptions } from '../graph-server';
import { startIdentityServer, type IdentityApp } from '../identity-server';

export interface ServerRequest {
	n: number;
	options: Omit<GraphServerOptions, 'cloudPcs'>;
	/** also start an Entra ID token endpoint that issues `accessTokens`, for app-only runs */
	identity?: { tls: { key: string; cert: string }; apps: IdentityApp[]; accessTokens: string[] };
}

export interface ServerReport {
	url?: string;
	loginBaseUrl?: string;
	stats?: ReturnType<Awaited<ReturnType<typeof startGraphServer>>['stats']>;
	/** token requests at the sign-in endpoint, when there is one */
	identityTokenRequests?: number;
	lostAndDuplicated?: { lost: number; duplicated: number };
}

process.once('message', async ({ n, options, identity }: ServerRequest) => {
	const fleet = manyCloudPcs(n);
	const server = await startGraphServer({ ...options, cloudPcs: fleet });
	const login = identity
		? // Entra ID issues tokens for Microsoft Graph, whatever URL the requests then go to.
			await startIdentityServer({ ...identity, graphResource: GRAPH_RESOURCE })
		: undefined;
	process.send!({ url: server.url, loginBaseUrl: login?.loginBaseUrl } satisfies ServerReport);
	process.once('message', async () => {
		const report: ServerReport = {
			stats: server.stats(),
			identityTokenRequests: login?.tokenRequests(),
			lostAndDuplicated: server.lostAndDuplicated(fleet.map((pc) => pc.id)),
		};
		await Promise.all([server.close(), login?.close()]);
		process.send!(report, () => process.exit(0));
	});
});
