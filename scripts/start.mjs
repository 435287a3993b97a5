#!/usr/bin/env node
// `npm start`: a real n8n with this package installed as a community node, the example
// workflows and a credential, against a local Graph-compatible server with sample Cloud PCs
// (or a real tenant, see docs/e2e-and-demo.md). Ctrl-C (or SIGTERM) stops everything it started.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

import { startDemoControl } from './lib/demo-control.mjs';
import { DEMO_TOKENS, startLocalGraph } from './lib/graph-server.mjs';
import {
	CREDENTIALS,
	DEMO_TIMINGS,
	TICKET_KEY_HEADER,
	TICKET_WEBHOOK_PATH,
	SELF_HEAL_PATH,
	WAIT_NOTIFY_PATH,
	WORKFLOWS,
	loadExamples,
	localGraphCredential,
	localizeWorkflow,
	startNotificationSink,
	tenantGraphCredential,
	ticketKeyCredential,
} from './lib/local-env.mjs';
import {
	N8n,
	PACKAGE_NAME,
	buildAndPack,
	installAsCommunityPackage,
	userFolderFor,
} from './lib/n8n.mjs';
import { VERBOSE, duration, log, step } from './lib/progress.mjs';
import { DEFAULT_N8N_VERSION, ensureN8n, ensureNode } from './lib/toolchain.mjs';

const env = process.env;
const version = env.CLOUDPC_N8N_VERSION || DEFAULT_N8N_VERSION;
const port = Number(env.CLOUDPC_N8N_PORT || 5678);
const tenant = readTenantSettings();

/** A real tenant when CLOUDPC_TENANT_ID is set; otherwise the local server. */
function readTenantSettings() {
	if (!env.CLOUDPC_TENANT_ID) return undefined;
	const settings = {
		environment: env.CLOUDPC_ENVIRONMENT || 'global',
		tenantId: env.CLOUDPC_TENANT_ID,
		clientId: env.CLOUDPC_CLIENT_ID,
		clientSecret: env.CLOUDPC_CLIENT_SECRET,
		auth: env.CLOUDPC_AUTH || 'oAuth2',
	};
	const missing = ['clientId', 'clientSecret'].filter((key) => !settings[key]);
	if (missing.length) {
		fail(
			`CLOUDPC_TENANT_ID is set, so CLOUDPC_CLIENT_ID and CLOUDPC_CLIENT_SECRET are needed too (missing: ${missing.join(', ')})`,
		);
	}
	if (!['oAuth2', 'appOnly'].includes(settings.auth))
		fail('CLOUDPC_AUTH must be oAuth2 or appOnly');
	return settings;
}

function fail(message) {
	process.stderr.write(`npm start: ${message}\n`);
	process.exit(2);
}

function portInUse(p) {
	return new Promise((resolve) => {
		const socket = connect({ host: '127.0.0.1', port: p });
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

/** Values generated once per user folder (owner password, webhook key) and reused after. */
function persistentSecrets(userFolder) {
	const file = join(userFolder, 'demo-secrets.json');
	const saved = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
	const secrets = {
		ownerEmail: env.CLOUDPC_OWNER_EMAIL || saved.ownerEmail || 'admin@example.com',
		ownerPassword:
			env.CLOUDPC_OWNER_PASSWORD ||
			saved.ownerPassword ||
			`Cpc-${randomBytes(9).toString('base64url')}-7`,
		ticketKey: env.CLOUDPC_TICKET_KEY || saved.ticketKey || randomBytes(16).toString('hex'),
	};
	writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
	return secrets;
}

/** The example nodes switched to the app-only credential (Authentication: App-Only). */
function useAppOnly(workflow) {
	const copy = structuredClone(workflow);
	const appOnly = { id: 'cloudPcAppOnly01', name: 'Microsoft Cloud PC app-only' };
	for (const node of copy.nodes) {
		if (!node.credentials?.[CREDENTIALS.graph.type]) continue;
		delete node.credentials[CREDENTIALS.graph.type];
		node.credentials.microsoftCloudPcAppOnlyApi = appOnly;
		if (node.parameters.authentication === 'oAuth2') node.parameters.authentication = 'appOnly';
		if (node.parameters.nodeCredentialType)
			node.parameters.nodeCredentialType = 'microsoftCloudPcAppOnlyApi';
	}
	return copy;
}

const started = [];
let shuttingDown = false;

async function shutdown(code) {
	if (shuttingDown) return;
	shuttingDown = true;
	log('stopping n8n and the local servers');
	for (const stop of started.reverse()) {
		try {
			await stop();
		} catch (error) {
			log(`while stopping: ${error.message}`);
		}
	}
	process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void shutdown(0));
// A terminal or pipe that went away must not stop the shutdown half-way (n8n left running).
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
// `npm start` runs this under `sh -c`; a SIGTERM to npm may end npm and sh but not this
// process. Stop as well when the parent goes away.
const parent = process.ppid;
setInterval(() => {
	if (process.ppid !== parent) void shutdown(0);
}, 500).unref();

async function main() {
	if (await portInUse(port))
		fail(`port ${port} on 127.0.0.1 is in use (another n8n?); set CLOUDPC_N8N_PORT`);
	if (await portInUse(port + 1))
		fail(`port ${port + 1} (n8n's task broker) on 127.0.0.1 is in use; set CLOUDPC_N8N_PORT`);

	const node = await ensureNode(version);
	const install = await ensureN8n(version, node);
	const tarball = await step('building and packing the package', buildAndPack, {
		note: 'tsc, gulp, npm pack',
	});

	const userFolder = userFolderFor(tenant ? 'tenant' : 'demo', version);
	// For a real tenant the editor's host is "localhost": Entra ID accepts http redirect URIs for it.
	const publicHost = tenant ? 'localhost' : '127.0.0.1';
	const n8n = new N8n(install, node, userFolder, {
		port,
		extraEnv: { N8N_HOST: publicHost, ...landOnWorkflows(install) },
	});
	started.push(() => N8n.stopAll());
	await step(
		'installing it as a community node',
		() => installAsCommunityPackage(userFolder, tarball, node),
		{ note: `into ${userFolder}/.n8n/nodes, as Settings › Community Nodes would` },
	);
	const secrets = persistentSecrets(userFolder);
	const examples = loadExamples();

	let graph;
	let samples = [];
	let sink;
	let control;
	if (!tenant) {
		({ server: graph, samples } = await step(
			'starting the local Graph-compatible server',
			startLocalGraph,
			{ note: 'compiled from test/graph-server the first time' },
		));
		started.push(() => graph.close());
		sink = await startNotificationSink({
			onMessage: ({ body }) => log(`[chat webhook] ${typeof body === 'object' ? body.text : body}`),
		});
		started.push(() => sink.close());
		control = await startDemoControl(graph, samples);
		started.push(() => control.close());
		watchGraphLog(graph);
		log(`local Graph-compatible server on ${graph.url}`);
		// The server's port changes on every start: import the credential and workflows again.
		await step(
			'importing the credential and the example workflows',
			async () => {
				await n8n.importCredentials([
					localGraphCredential(graph.url, DEMO_TOKENS),
					ticketKeyCredential(secrets.ticketKey),
				]);
				await n8n.importWorkflows(
					Object.values(examples).map((w) =>
						localizeWorkflow(w, { notifyUrl: sink.url, waitSeconds: DEMO_TIMINGS.waitSeconds }),
					),
				);
				for (const id of [
					WORKFLOWS.ticket,
					WORKFLOWS.waitNotify,
					WORKFLOWS.trigger,
					WORKFLOWS.selfHeal,
				])
					await n8n.activateWorkflow(id);
			},
			{
				note: `n8n's CLI: import:credentials, import:workflow, then the ticket, wait-and-notify, trigger and self-healing workflows ${published(n8n)}`,
			},
		);
	} else {
		// A real tenant: import once, so a sign-in done in the editor and edits are kept.
		const marker = join(userFolder, 'imported-for-tenant.json');
		const fingerprint = JSON.stringify({ ...tenant, clientSecret: undefined });
		if (!existsSync(marker) || readFileSync(marker, 'utf8') !== fingerprint) {
			const graphCredential =
				tenant.auth === 'appOnly'
					? {
							id: 'cloudPcAppOnly01',
							name: 'Microsoft Cloud PC app-only',
							type: 'microsoftCloudPcAppOnlyApi',
							data: {
								environment: tenant.environment,
								authMethod: 'clientSecret',
								tenantId: tenant.tenantId,
								clientId: tenant.clientId,
								clientSecret: tenant.clientSecret,
							},
						}
					: tenantGraphCredential(tenant);
			await step('importing the credential and the example workflows', async () => {
				await n8n.importCredentials([graphCredential, ticketKeyCredential(secrets.ticketKey)]);
				await n8n.importWorkflows(
					Object.values(examples).map((w) => {
						const local = localizeWorkflow(w, { notifyUrl: env.CLOUDPC_NOTIFY_URL });
						return tenant.auth === 'appOnly' ? useAppOnly(local) : local;
					}),
				);
			});
			writeFileSync(marker, fingerprint);
		}
	}

	const child = await step(
		`starting n8n ${version} on http://127.0.0.1:${port}`,
		() => n8n.start({ onOutput: VERBOSE ? (chunk) => process.stderr.write(chunk) : undefined }),
		{ note: `its log: ${join(userFolder, 'n8n.log')}` },
	);
	child.once('exit', (code) => {
		if (shuttingDown) return;
		log(`n8n exited (${code}); see ${join(userFolder, 'n8n.log')}`);
		void shutdown(1);
	});
	await n8n
		.ownerSession({ email: secrets.ownerEmail, password: secrets.ownerPassword })
		.catch((error) => {
			log(
				`could not sign in as ${secrets.ownerEmail} (${error.message}); the editor will ask you to sign in or set up an owner`,
			);
		});
	printSummary({ n8n, graph, samples, sink, control, secrets, publicHost, examples });
}

/**
 * n8n 2.x opens on its AI assistant after sign-in (the editor's "/" goes there while the
 * `instance-ai` module is active and not turned off), not on the workflows: leave that module
 * out (n8n's N8N_DISABLED_MODULES), so "/" goes to the workflows list. n8n 1.x has no such module
 * (and refuses an unknown name there).
 */
function landOnWorkflows(install) {
	const module = 'instance-ai';
	if (!existsSync(join(install.dir, 'node_modules', 'n8n', 'dist', 'modules', module))) return {};
	const disabled = [env.N8N_DISABLED_MODULES, module].filter(Boolean).join(',');
	return { N8N_DISABLED_MODULES: disabled };
}

/** n8n 2.x publishes a workflow where 1.x activates it. */
function published(n8n) {
	return n8n.major >= 2 ? 'published' : 'activated';
}

/**
 * Prints what the local server receives, and when an accepted reprovision is done (the server
 * finishes it after DEMO_TIMINGS.reprovisionSeconds, as Windows 365 would after an hour or two).
 */
function watchGraphLog(graph) {
	let seen = 0;
	const timer = setInterval(() => {
		for (const r of graph.requests.slice(seen)) {
			if (r.path.includes('/oauth2/')) continue;
			log(`[local Graph] ${r.method} ${decodeURIComponent(r.path)} → ${r.status}`);
			const id = /\/cloudPCs\/([^/]+)\/reprovision$/i.exec(r.path)?.[1];
			if (id && r.status === 204) {
				setTimeout(
					() => {
						const pc = graph.cloudPc(id);
						const action = graph.remoteActions(id).at(-1);
						if (pc && action?.actionState === 'done')
							log(`[local Graph] ${pc.displayName} finished reprovisioning: ${pc.status}`);
					},
					DEMO_TIMINGS.reprovisionSeconds * 1000 + 500,
				).unref();
			}
		}
		seen = graph.requests.length;
	}, 500);
	timer.unref();
}

function printSummary({ n8n, graph, samples, sink, control, secrets, publicHost, examples }) {
	const editor = `http://${publicHost}:${n8n.port}`;
	const notifyUrl = sink?.url ?? env.CLOUDPC_NOTIFY_URL;
	const lines = [
		'',
		`n8n ${version} is running with ${PACKAGE_NAME} installed as a community node (ready in ${duration(process.uptime() * 1000)}).`,
		'',
		`  Sign in:   ${secrets.ownerEmail} / ${secrets.ownerPassword}`,
		'  Open an example (after signing in, n8n opens the one you clicked):',
		...Object.values(examples).map((w) => `    ${editor}/workflow/${w.id}   ${w.name}`),
		`  Editor:    ${editor}`,
		notifyUrl
			? `  Chat:      the nightly summary is posted to ${notifyUrl}${sink ? ' (a stand-in on this machine; printed here as "[chat webhook] …")' : ''}`
			: '  Chat:      the nightly summary goes nowhere until CLOUDPC_NOTIFY_URL is set',
	];
	if (graph) {
		const pcs = samples.map(
			(pc) =>
				`    ${pc.id}  ${pc.displayName.padEnd(10)} ${pc.userPrincipalName.padEnd(32)} ${graph.cloudPc(pc.id)?.status ?? ''}`,
		);
		lines.push(
			`  Graph:     local Graph-compatible server ${graph.url} (credential "${CREDENTIALS.graph.name}"; nothing leaves this machine)`,
			'',
			'  Sample Cloud PCs:',
			...pcs,
			'',
			`  A reprovision here is done after ${DEMO_TIMINGS.reprovisionSeconds} s (in a real tenant: one to two hours).`,
			'',
			'  The nightly workflow: open it and click "Execute workflow" (it reprovisions the failed Cloud PC).',
			`  The ticket workflow is ${published(n8n)}; try:`,
			`    curl -i -X POST ${editor}/webhook/${TICKET_WEBHOOK_PATH} \\`,
			`      -H '${TICKET_KEY_HEADER}: ${secrets.ticketKey}' -H 'content-type: application/json' \\`,
			`      -d '{"ticketId":"T-1","user":"AdeleV@contoso.onmicrosoft.com","cloudPcId":"4b5ad5e0-6a0b-4ffc-818d-36bb23cf4dbd"}'`,
			`  The wait-and-notify workflow is ${published(n8n)} (here it checks every ${DEMO_TIMINGS.waitSeconds} s; the summary shows as "[chat webhook] …"); try:`,
			`    curl -i -X POST ${editor}/webhook/${WAIT_NOTIFY_PATH} \\`,
			`      -H '${TICKET_KEY_HEADER}: ${secrets.ticketKey}' -H 'content-type: application/json' \\`,
			`      -d '{"cloudPcIds":["f5a1c0de-93b2-4c3e-b6a4-0e2d1f7c9a85"]}'`,
			`  The trigger workflow is ${published(n8n)} and checks every minute; make a Cloud PC fail and watch it reprovision:`,
			`    curl -X POST ${control.failUrl('MeganB-01')}`,
			`  The self-healing workflow is ${published(n8n)}: it troubleshoots AdeleV-02 (failed), then restores its latest snapshot`,
			`  (make the restore fail with the fail URL above for AdeleV-02 while it runs, and it reprovisions); try:`,
			`    curl -i -X POST ${editor}/webhook/${SELF_HEAL_PATH} \\`,
			`      -H '${TICKET_KEY_HEADER}: ${secrets.ticketKey}' -H 'content-type: application/json' \\`,
			`      -d '{"cloudPcIds":["36bd4942-0ca8-11ed-861d-0242ac120002"]}'`,
		);
	} else {
		lines.push(
			`  Tenant:    ${tenant.tenantId} (${tenant.environment}), ${tenant.auth === 'appOnly' ? 'app-only credential "Microsoft Cloud PC app-only"' : `credential "${CREDENTIALS.graph.name}": open it and click "Connect my account"`}`,
			`             OAuth redirect URL to register in Entra ID: ${editor}/rest/oauth2-credential/callback`,
			`  The example workflows are NOT ${published(n8n)}: reprovisioning wipes Cloud PCs. Review them first.`,
		);
	}
	lines.push('', 'Ctrl-C stops n8n and everything this script started.', '');
	process.stdout.write(lines.join('\n'));
}

main().catch((error) => {
	process.stderr.write(`npm start failed: ${error.stack ?? error}\n`);
	void shutdown(1);
});
