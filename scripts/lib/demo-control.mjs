// "Make a Cloud PC fail" on the local Graph-compatible server, for the demo (a URL `npm start`
// prints) and the end-to-end tests (the same URL), so the trigger's "status changed to failed"
// can be seen live. Not a Graph route: it plays Windows 365's part, as the server's own API does.
import { createServer } from 'node:http';

/**
 * A running remote action (reprovision, restore, troubleshoot…) fails as a whole (remote action
 * `failed`, the Cloud PC back in the status it had); with none running, the status turns failed.
 */
function makeFail(graph, id) {
	const running = graph
		.remoteActions(id)
		.find((a) => ['pending', 'active'].includes(a.actionState));
	if (running) graph.completeRemoteAction(id, 'failed', running.started?.segment ?? 'reprovision');
	else graph.setStatus(id, 'failed');
}

/**
 * `POST {url}/cloud-pcs/<name or ID>/fail` on 127.0.0.1; `cloudPcs` (the seed) maps names to IDs.
 * `failUrl(name)` is the URL for one Cloud PC.
 */
export async function startDemoControl(graph, cloudPcs) {
	const server = createServer((req, res) => {
		const reply = (status, text) =>
			res.writeHead(status, { 'content-type': 'text/plain' }).end(`${text}\n`);
		const match = /^\/cloud-pcs\/([^/]+)\/fail$/.exec(req.url ?? '');
		if (!match) return reply(404, 'Use POST /cloud-pcs/<name or ID>/fail');
		if (req.method !== 'POST') return reply(405, 'Use POST');
		const wanted = decodeURIComponent(match[1]).toLowerCase();
		const pc = cloudPcs.find(
			(p) => p.id.toLowerCase() === wanted || p.displayName.toLowerCase() === wanted,
		);
		if (!pc || !graph.cloudPc(pc.id)) return reply(404, `No Cloud PC named ${match[1]}`);
		makeFail(graph, pc.id);
		reply(200, `${pc.displayName} is now failed`);
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	const url = `http://127.0.0.1:${server.address().port}`;
	return {
		url,
		failUrl: (name) => `${url}/cloud-pcs/${encodeURIComponent(name)}/fail`,
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
