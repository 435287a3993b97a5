// `npm run bench:n8n`: the node in a real n8n, over HTTPS, beside n8n's HTTP Request node.
//
// Builds and packs this package, installs the tarball into the pinned n8n as Community Nodes does
// (scripts/lib/n8n.mjs, as the e2e suite), and runs one workflow per Graph latency with
// `n8n execute`: Manual Trigger → Items (Code: N items) → Microsoft Cloud PC (Reprovision,
// Organization, app-only credential), and the same items → HTTP Request (one POST per item, a
// static bearer token: no sign-in, which favours it). Both call one local Graph stand-in over
// HTTPS with a test certificate made at run time, which n8n trusts through NODE_EXTRA_CA_CERTS;
// each node reprovisions its own half of the fleet. Times are the nodes' `executionTime` in the
// execution's run data. The last line printed is one JSON object with every figure.
//
// BENCH_N (1000), BENCH_LATENCIES (50,500 ms), BENCH_RUNS (1), BENCH_NODE_VERSION (2; 1 has no
// check before sending), BENCH_HTTP_REQUEST (on; "off"
// leaves the HTTP Request node out, for runs of 10,000s of items), BENCH_PORT (n8n's port),
// BENCH_PROFILE (a folder: V8 CPU profiles of each `n8n execute` go there).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import {
	N8n,
	NODE_TYPE,
	buildAndPack,
	installAsCommunityPackage,
	userFolderFor,
} from './lib/n8n.mjs';
import {
	CACHE,
	DEFAULT_N8N_VERSION,
	ROOT,
	ensureN8n,
	ensureNode,
	log,
	run,
} from './lib/toolchain.mjs';

const N = Number(process.env.BENCH_N ?? 1000);
const LATENCIES = (process.env.BENCH_LATENCIES ?? '50,500').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const WITH_HTTP_REQUEST = process.env.BENCH_HTTP_REQUEST !== 'off';
const PORT = Number(process.env.BENCH_PORT ?? 5778);
/** The node's version: 2, as a node added today, checks for an earlier reprovision first. */
const NODE_VERSION = Number(process.env.BENCH_NODE_VERSION ?? 2);

const TENANT = '7d3f1c2a-5b4e-4f6a-9c8d-1e2f3a4b5c6d';
const CLIENT_ID = 'b0000000-0000-4000-8000-0000000000b1';
const SECRET = 'bench-client-secret-value';
const APP_TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.bench-app-token';
const ADMIN_PATH = '/v1.0/deviceManagement/virtualEndpoint/cloudPCs';
const NODE_NAME = 'Microsoft Cloud PC';
const HTTP_NODE_NAME = 'HTTP Request';
const EXPRESSION_NODE_NAME = 'Expression per Item';

const BENCH_OUT = join(CACHE, 'bench');
const requireBench = createRequire(join(BENCH_OUT, 'index.js'));

/** The Code node's items: the bench fleet's ids (test/graph-server manyCloudPcs), N for each node. */
const itemsCode = (
	n,
) => `const id = (k) => 'c10dc0de-0000-4000-8000-' + k.toString(16).padStart(12, '0');
return Array.from({ length: ${n} }, (_, i) => ({ json: { cloudPcId: id(i + 1), httpCloudPcId: id(${n} + i + 1) } }));`;

function workflow(id, latency, graphUrl) {
	const credentialIds = credentialsFor(latency);
	const node = (name, type, typeVersion, position, parameters, extra = {}) => ({
		id: `${id}-${name.replace(/\W/g, '')}`,
		name,
		type,
		typeVersion,
		position,
		parameters,
		...extra,
	});
	const nodes = [
		node('Start', 'n8n-nodes-base.manualTrigger', 1, [0, 0], {}),
		node('Items', 'n8n-nodes-base.code', 2, [220, 0], { jsCode: itemsCode(N) }),
		node(
			NODE_NAME,
			NODE_TYPE,
			NODE_VERSION,
			[440, -100],
			{
				authentication: 'appOnly',
				resource: 'cloudPc',
				operation: 'reprovision',
				scope: 'organization',
				cloudPcId: { __rl: true, mode: 'id', value: '={{ $json.cloudPcId }}' },
			},
			{
				onError: 'continueRegularOutput',
				credentials: {
					microsoftCloudPcAppOnlyApi: { id: credentialIds.cloudPc, name: credentialIds.cloudPc },
				},
			},
		),
	];
	// n8n's cost of reading the node's one per-item expression, alone: an Edit Fields node with it
	nodes.push(
		node(EXPRESSION_NODE_NAME, 'n8n-nodes-base.set', 3.4, [440, -250], {
			mode: 'manual',
			assignments: {
				assignments: [
					{ id: 'cloudPcId', name: 'cloudPcId', value: '={{ $json.cloudPcId }}', type: 'string' },
				],
			},
			includeOtherFields: false,
			options: {},
		}),
	);
	const targets = [
		{ node: EXPRESSION_NODE_NAME, type: 'main', index: 0 },
		{ node: NODE_NAME, type: 'main', index: 0 },
	];
	if (WITH_HTTP_REQUEST) {
		nodes.push(
			node(
				HTTP_NODE_NAME,
				'n8n-nodes-base.httpRequest',
				4.2,
				[440, 100],
				{
					method: 'POST',
					url: `=${graphUrl}${ADMIN_PATH}/{{ $json.httpCloudPcId }}/reprovision`,
					authentication: 'genericCredentialType',
					genericAuthType: 'httpHeaderAuth',
					sendBody: true,
					specifyBody: 'json',
					jsonBody: '{}',
					options: {},
				},
				{
					onError: 'continueRegularOutput',
					credentials: { httpHeaderAuth: { id: credentialIds.http, name: credentialIds.http } },
				},
			),
		);
		targets.push({ node: HTTP_NODE_NAME, type: 'main', index: 0 });
	}
	return {
		id,
		name: `bench: ${N} reprovisions at ${latency} ms`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes,
		connections: {
			Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [targets] },
		},
	};
}

function credentialsFor(latency) {
	const suffix = String(latency).padStart(5, '0');
	return { cloudPc: `benchCloudPc${suffix}`, http: `benchHttpAuth${suffix}` };
}

const workflowId = (latency) => `benchN8nLat${String(latency).padStart(5, '0')}`;

/** The Graph stand-in and token endpoint of one latency, in a process of their own. */
async function startServer(latency, pki) {
	const child = fork(join(BENCH_OUT, 'test', 'bench', 'graph-server-process.js'));
	const answer = await ask(child, {
		n: 2 * N,
		groups: 2,
		options: {
			tls: pki.tls,
			tokens: {
				[APP_TOKEN]: { scopes: ['CloudPC.ReadWrite.All'], appOnly: true },
			},
			latencyMs: latency,
			logRequests: false,
		},
		identity: {
			tls: pki.tls,
			apps: [{ tenantId: TENANT, clientId: CLIENT_ID, secret: SECRET }],
			// each `n8n execute` is a new process with an empty token cache: one token per run
			accessTokens: Array.from({ length: RUNS + 1 }, () => APP_TOKEN),
		},
	});
	return { child, latency, ...answer };
}

async function ask(child, message) {
	child.send(message);
	const exited = once(child, 'exit').then(([code]) => {
		throw new Error(`The Graph server process exited (${String(code)}) before it answered`);
	});
	const [report] = await Promise.race([once(child, 'message'), exited]);
	return report;
}

/** Peak RSS (VmHWM) of the `n8n execute` process while it runs. */
function sampleRss(n8n) {
	let peakKb = 0;
	const timer = setInterval(() => {
		for (const child of n8n.cliChildren) {
			try {
				const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
				const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
				peakKb = Math.max(peakKb, hwm);
			} catch {
				// not started yet, or gone
			}
		}
	}, 50);
	return () => {
		clearInterval(timer);
		return Math.round(peakKb / 1024);
	};
}

async function measure(n8n, server) {
	const stopSampling = sampleRss(n8n);
	const started = Date.now();
	// tens of thousands of items on a busy machine take minutes
	const {
		code,
		run: execution,
		stderr,
	} = await n8n.execute(workflowId(server.latency), {
		timeoutMs: 60 * 60_000,
	});
	const wallMs = Date.now() - started;
	const peakRssMb = stopSampling();
	const report = await ask(server.child, 'report');
	const runData = execution?.data?.resultData?.runData;
	if (code !== 0 || !runData?.[NODE_NAME]) {
		throw new Error(
			`n8n execute exited with ${code}: ${JSON.stringify(execution?.data?.resultData?.error ?? stderr.slice(-2000))}`,
		);
	}
	const timeOf = (name) => runData[name]?.[0]?.executionTime;
	const outputOf = (name) => (runData[name]?.[0]?.data?.main?.[0] ?? []).map((item) => item.json);
	const nodeOut = outputOf(NODE_NAME);
	const [ours, theirs] = report.lostAndDuplicated;
	const nodeMs = timeOf(NODE_NAME);
	const httpMs = timeOf(HTTP_NODE_NAME);
	const expressionMs = timeOf(EXPRESSION_NODE_NAME);
	const floor = requireBench('./test/bench/floor.js').floorMs(N, server.latency);
	return {
		n: N,
		latency_ms: server.latency,
		node_ms: nodeMs,
		http_request_ms: httpMs ?? null,
		items_ms: timeOf('Items'),
		// n8n's own cost of {{ $json.cloudPcId }} for every item, which the node pays as well
		expression_ms: expressionMs,
		floor_ms: floor,
		x_floor: Number((nodeMs / floor).toFixed(2)),
		http_request_over_node: httpMs === undefined ? null : Number((httpMs / nodeMs).toFixed(2)),
		node_us_per_item: Math.round((nodeMs * 1000) / N),
		token_requests: (report.identityTokenRequests ?? 0) + report.stats.tokenRequests,
		http_requests: report.stats.httpRequests,
		// TLS handshakes: n8n's request helper builds new agents for every request (no keep-alive)
		connections: report.stats.connections,
		reprovision_attempts: report.stats.reprovisionAttempts,
		throttled: report.stats.throttled,
		lost: ours.lost,
		duplicated: ours.duplicated,
		error_items: nodeOut.filter((item) => item.outcome !== 'requested').length,
		output_items: nodeOut.length,
		http_request_lost: WITH_HTTP_REQUEST ? theirs.lost : null,
		http_request_duplicated: WITH_HTTP_REQUEST ? theirs.duplicated : null,
		peak_rss_mb: peakRssMb,
		wall_ms: wallMs,
	};
}

function print(result) {
	const http =
		result.http_request_ms === null
			? ''
			: `, HTTP Request node ${result.http_request_ms} ms (${result.http_request_over_node}x the node's)`;
	console.log(
		`${result.n} at ${result.latency_ms} ms: node ${result.node_ms} ms (n8n's expression alone ${result.expression_ms} ms; floor ${result.floor_ms} ms, ` +
			`${result.x_floor}x; ${result.node_us_per_item} us per item)${http}; ` +
			`${result.token_requests} token request(s), ${result.http_requests} HTTP requests on ${result.connections} connections, ` +
			`lost ${result.lost}, duplicated ${result.duplicated}, ` +
			`error items ${result.error_items}, n8n peak RSS ${result.peak_rss_mb} MB`,
	);
}

async function main() {
	const version = DEFAULT_N8N_VERSION;
	const node = await ensureNode(version);
	const install = await ensureN8n(version, node);
	log('compiling the benchmark servers');
	await run(process.execPath, [
		join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
		'-p',
		'tsconfig.bench.json',
	]);
	const tarball = await buildAndPack();
	const userFolder = userFolderFor('bench', version);
	await installAsCommunityPackage(userFolder, tarball, node);

	const { createTestPki } = requireBench('./test/identity-server/pki.js');
	const pki = createTestPki();
	const caFile = join(userFolder, 'bench-ca.pem');
	writeFileSync(caFile, pki.tls.cert);
	const n8n = new N8n(install, node, userFolder, {
		port: PORT,
		extraEnv: {
			NODE_EXTRA_CA_CERTS: caFile,
			N8N_LOG_LEVEL: 'error',
			...(process.env.BENCH_PROFILE
				? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_PROFILE}` }
				: {}),
		},
	});

	const servers = [];
	try {
		for (const latency of LATENCIES) servers.push(await startServer(latency, pki));
		log('importing credentials and workflows');
		await n8n.importCredentials(
			servers.flatMap(({ latency, url, loginBaseUrl }) => [
				{
					id: credentialsFor(latency).cloudPc,
					name: credentialsFor(latency).cloudPc,
					type: 'microsoftCloudPcAppOnlyApi',
					data: {
						environment: 'custom',
						loginBaseUrl,
						graphBaseUrl: url,
						tenantId: TENANT,
						clientId: CLIENT_ID,
						authMethod: 'clientSecret',
						clientSecret: SECRET,
					},
				},
				{
					id: credentialsFor(latency).http,
					name: credentialsFor(latency).http,
					type: 'httpHeaderAuth',
					data: { name: 'Authorization', value: `Bearer ${APP_TOKEN}` },
				},
			]),
		);
		await n8n.importWorkflows(
			servers.map(({ latency, url }) => workflow(workflowId(latency), latency, url)),
		);
		const results = [];
		for (let k = 0; k < RUNS; k++) {
			for (const server of servers) {
				const result = await measure(n8n, server);
				print(result);
				results.push(result);
			}
		}
		console.log(JSON.stringify({ n8n: version, runs: results }));
	} finally {
		for (const { child } of servers) if (child.connected) child.send('close');
		await N8n.stopAll();
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
