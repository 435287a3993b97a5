// The example workflows and the credentials they use, for the local Graph-compatible server or
// for a real tenant. Shared by `npm start` and the end-to-end tests.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from './toolchain.mjs';

export const EXAMPLES_DIR = join(ROOT, 'examples');

/** Ids and names the example workflows refer to. */
export const CREDENTIALS = {
	graph: {
		id: 'cloudPcDemoCred1',
		name: 'Microsoft Cloud PC account',
		type: 'microsoftCloudPcOAuth2Api',
	},
	ticketKey: { id: 'cloudPcTicketKey', name: 'Ticket system webhook key', type: 'httpHeaderAuth' },
};

export const WORKFLOWS = {
	nightly: 'cloudpcNightly01',
	ticket: 'cloudpcTicket001',
	waitNotify: 'cloudpcWaitNotf1',
	trigger: 'cloudpcTrigger01',
	selfHeal: 'cloudpcSelfHeal1',
};

/** The nightly example's chat webhook URL, which an environment replaces. */
export const NOTIFY_URL_PLACEHOLDER = 'https://chat.example.invalid/hooks/cloudpc-nightly';

export const TICKET_WEBHOOK_PATH = 'cloudpc/reprovision';
export const WAIT_NOTIFY_PATH = 'cloudpc/reprovision-and-wait';
export const SELF_HEAL_PATH = 'cloudpc/self-heal';
export const TICKET_KEY_HEADER = 'X-Ticket-Key';

/** examples/*.json, parsed, keyed by workflow id. */
export function loadExamples() {
	const examples = {};
	for (const file of readdirSync(EXAMPLES_DIR)
		.filter((name) => name.endsWith('.json'))
		.sort()) {
		const workflow = JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8'));
		examples[workflow.id] = workflow;
	}
	return examples;
}

/**
 * The demo's time scale: a reprovision there is done after `reprovisionSeconds` (a real one takes
 * one to two hours), and the wait-and-notify example checks every `waitSeconds`.
 */
export const DEMO_TIMINGS = {
	reprovisionSeconds: Number(process.env.CLOUDPC_DEMO_PROVISIONING_SECONDS || 45),
	waitSeconds: 15,
};

/**
 * A copy of `workflow` whose notification goes to `notifyUrl` and whose Wait nodes (and
 * Wait for Completion checks) wait `waitSeconds` (each unchanged when not given).
 */
export function localizeWorkflow(workflow, { notifyUrl, waitSeconds } = {}) {
	const copy = notifyUrl
		? JSON.parse(JSON.stringify(workflow).split(NOTIFY_URL_PLACEHOLDER).join(notifyUrl))
		: structuredClone(workflow);
	if (waitSeconds) {
		for (const node of copy.nodes.filter((n) => n.type === 'n8n-nodes-base.wait'))
			node.parameters = { ...node.parameters, amount: waitSeconds, unit: 'seconds' };
		// Wait for Completion inside the node checks as often as the demo's Wait nodes do.
		for (const node of copy.nodes.filter((n) => n.parameters.safety?.waitForCompletion))
			node.parameters.safety = { ...node.parameters.safety, pollIntervalSeconds: waitSeconds };
	}
	return copy;
}

/** The delegated credential for the local server: signed in already (tokens from the server). */
export function localGraphCredential(serverUrl, { accessToken, refreshToken }) {
	return {
		...CREDENTIALS.graph,
		data: {
			environment: 'custom',
			loginBaseUrl: serverUrl,
			graphBaseUrl: serverUrl,
			tenantId: 'contoso',
			clientId: 'local-demo-client',
			clientSecret: 'local-demo-secret',
			oauthTokenData: {
				access_token: accessToken,
				refresh_token: refreshToken,
				token_type: 'Bearer',
			},
		},
	};
}

/** The delegated credential for a real tenant; the account signs in from the editor ("Connect"). */
export function tenantGraphCredential({ environment, tenantId, clientId, clientSecret }) {
	return {
		...CREDENTIALS.graph,
		data: { environment, tenantId, clientId, clientSecret },
	};
}

export function ticketKeyCredential(value = randomBytes(18).toString('base64url')) {
	return { ...CREDENTIALS.ticketKey, data: { name: TICKET_KEY_HEADER, value } };
}

/**
 * A stand-in for a chat incoming webhook (Slack-style `{text}`) on 127.0.0.1: records what the
 * nightly workflow posts. `onMessage` sees each parsed body.
 */
export async function startNotificationSink({ onMessage } = {}) {
	const messages = [];
	const server = createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			const raw = Buffer.concat(chunks).toString('utf8');
			let body = raw;
			try {
				body = JSON.parse(raw);
			} catch {
				// keep the raw text
			}
			const message = { method: req.method, path: req.url, headers: req.headers, body };
			messages.push(message);
			onMessage?.(message);
			res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
		});
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	const url = `http://127.0.0.1:${server.address().port}/hooks/cloudpc-nightly`;
	return {
		url,
		messages,
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
