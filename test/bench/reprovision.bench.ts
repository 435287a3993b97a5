/**
 * `npm run bench`: N reprovisions per scenario through a real n8n-core workflow execution
 * against the local Graph server, with Graph-like latency, throttling and faults. The last
 * line printed is one JSON object with every figure; the lines before it are for people.
 *
 * The scenarios sign in as a nightly automation does, with the app-only credential (client
 * secret through msal-node): one token request per run. `plain-delegated` is the same run with
 * the delegated credential after its access token expired, as it is when nobody has used it for
 * an hour: n8n refreshes on Graph's 401, so that run pays one round trip more.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { manyCloudPcs, type GraphServerOptions } from '../graph-server';
import { createTestPki, useLocalFetch, type TestPki } from '../identity-server';
import {
	REFRESH_TOKEN,
	ACCESS_TOKEN,
	delegatedCredential,
	reprovisionParameters,
} from '../fixtures';
import { runCloudPcNode } from '../harness/run-workflow';
import { floorMs } from './floor';
import type { ServerMessage, ServerReport } from './graph-server-process';

const N = Number(process.env.BENCH_N ?? 1000);
const LATENCY_MS = 50;
const THROTTLE = { limit: 200, windowMs: 20_000 };

const TENANT = '7d3f1c2a-5b4e-4f6a-9c8d-1e2f3a4b5c6d';
const SECRET = 'bench-client-secret-value';
const APP_TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.bench-app-token';

type Credential = 'appOnly' | 'oAuth2';

interface Scenario {
	name: string;
	server: Partial<GraphServerOptions>;
	floorMs: number;
	credential: Credential;
	/** Reprovision › Wait for Completion, when set */
	wait?: { pollIntervalSeconds: number; waitTimeoutMinutes: number };
	/** the node's version: 2 checks for an earlier reprovision first (1 unless set) */
	typeVersion?: number;
}

/**
 * The wait scenario: N Cloud PCs whose reprovision runs 30 s; the first poll (20 s) finds them
 * all provisioning, the second all done; the Wait Timeout ends the wait after it.
 */
const WAIT = { pollIntervalSeconds: 20, waitTimeoutMinutes: 0.7 };

/** Round trips as the adaptive gate schedules them at the default ceiling (test/bench/floor.ts). */
const plainFloor = floorMs(N, LATENCY_MS);

const scenarios: Scenario[] = [
	{ name: 'plain', server: {}, floorMs: plainFloor, credential: 'appOnly' },
	{
		name: 'throttled',
		server: { throttle: THROTTLE },
		floorMs: (Math.ceil(N / THROTTLE.limit) - 1) * THROTTLE.windowMs,
		credential: 'appOnly',
	},
	{ name: 'faults', server: { faultRate: 0.1 }, floorMs: plainFloor, credential: 'appOnly' },
	{ name: 'plain-delegated', server: {}, floorMs: plainFloor, credential: 'oAuth2' },
	// version 2: Check for an Earlier Reprovision reads the tenant's list first (100 a page here)
	{ name: 'checked', server: {}, floorMs: plainFloor, credential: 'appOnly', typeVersion: 2 },
	{
		name: 'wait',
		server: { reprovisionDurationMs: 30_000, logRequests: true },
		floorMs: WAIT.waitTimeoutMinutes * 60_000,
		credential: 'appOnly',
		wait: WAIT,
	},
];

async function ask(child: ChildProcess, message: ServerMessage): Promise<ServerReport> {
	child.send(message);
	const exited = once(child, 'exit').then(([code]) => {
		throw new Error(`The Graph server process exited (${String(code)}) before it answered`);
	});
	const [report] = (await Promise.race([once(child, 'message'), exited])) as [ServerReport];
	return report;
}

/** Each run is a new app registration, so msal-node's token cache never carries one over. */
let runs = 0;

async function runScenario(
	{ name, server: extra, floorMs, credential, wait, typeVersion }: Scenario,
	pki: TestPki,
	n = N,
) {
	const fleet = manyCloudPcs(n);
	const clientId = `b0000000-0000-4000-8000-${String(++runs).padStart(12, '0')}`;
	const expiredToken = 'expired-before-the-run';
	const appOnly = credential === 'appOnly';
	const child = fork(join(__dirname, 'graph-server-process.js'));
	const { url, loginBaseUrl } = await ask(child, {
		n,
		options: {
			...(appOnly
				? { tokens: { [APP_TOKEN]: { scopes: ['CloudPC.ReadWrite.All'], appOnly: true } } }
				: {
						tokens: {
							[ACCESS_TOKEN]: { scopes: ['CloudPC.ReadWrite.All'], userId: fleet[0].userId },
						},
						refreshTokens: { [REFRESH_TOKEN]: { accessToken: ACCESS_TOKEN } },
					}),
			latencyMs: LATENCY_MS,
			logRequests: false,
			...extra,
		},
		identity: appOnly
			? {
					tls: pki.tls,
					apps: [{ tenantId: TENANT, clientId, secret: SECRET }],
					accessTokens: [APP_TOKEN],
				}
			: undefined,
	});
	const credentials: Record<string, ICredentialDataDecryptedObject> = appOnly
		? {
				microsoftCloudPcAppOnlyApi: {
					environment: 'custom',
					loginBaseUrl: loginBaseUrl!,
					graphBaseUrl: url!,
					tenantId: TENANT,
					clientId,
					authMethod: 'clientSecret',
					clientSecret: SECRET,
				},
			}
		: // The stored access token has expired: the run pays for exactly one token request.
			delegatedCredential(url!, expiredToken);
	let peakRss = process.memoryUsage().rss;
	const sampler = setInterval(() => {
		peakRss = Math.max(peakRss, process.memoryUsage().rss);
	}, 20);
	try {
		const started = performance.now();
		const { output, error } = await runCloudPcNode({
			credentials,
			// the default "Throughput and Retries": adaptive, up to 50 batches in flight
			parameters: reprovisionParameters({
				authentication: credential,
				...(wait ? { safety: { waitForCompletion: true, ...wait } } : {}),
			}),
			items: fleet.map((pc) => ({ cloudPcId: pc.id })),
			continueOnFail: true,
			typeVersion,
		});
		const ms = Math.round(performance.now() - started);
		if (error) throw error;
		const report = await ask(child, 'report');
		const stats = report.stats!;
		const [{ lost, duplicated }] = report.lostAndDuplicated!;
		const result = {
			name,
			n,
			ms,
			floor_ms: floorMs,
			credential,
			http_requests: stats.httpRequests,
			reprovision_attempts: stats.reprovisionAttempts,
			token_requests: stats.tokenRequests + (report.identityTokenRequests ?? 0),
			lost,
			duplicated,
			// the wait scenario's items end done (or still requested at its timeout)
			error_items: output.filter(
				(item) => item.json.outcome !== 'requested' && item.json.outcome !== 'done',
			).length,
			...(wait ? { done_items: output.filter((item) => item.json.outcome === 'done').length } : {}),
			output_items: output.length,
			throttled: stats.throttled,
			faulted: stats.faulted,
			peak_concurrent: stats.peakConcurrent,
			...(wait ? { polls: report.polls } : {}),
			peak_rss_mb: Math.round(peakRss / 2 ** 20),
		};
		if (name === 'warm-up') return result;
		const ratio = (value: number, of: number) => (value / Math.max(of, 1)).toFixed(2);
		console.log(
			`${name}: ${ms} ms (floor ${floorMs} ms, ${ratio(ms, floorMs)}x), ` +
				`${result.http_requests} HTTP requests, ` +
				`${result.reprovision_attempts} reprovision attempts (${ratio(result.reprovision_attempts, n)} x N), ` +
				`${result.token_requests} token request(s), lost ${lost}, duplicated ${duplicated}, ` +
				`error items ${result.error_items}`,
		);
		if (wait) {
			const polls = (report.polls ?? []).map((p) => `${p.lists} list pages + ${p.reads} reads`);
			console.log(`${name}: requests per poll for ${n} waiting Cloud PCs: ${polls.join('; ')}`);
		}
		return result;
	} finally {
		clearInterval(sampler);
		if (child.connected) child.send('close');
	}
}

async function main() {
	const pki = createTestPki();
	// msal-node signs in through Node's fetch: trust the local endpoint's certificate, loopback only.
	const untrust = useLocalFetch(pki.tls.cert);
	// A running n8n has its modules loaded and compiled: warm up so the first scenario does not pay for it.
	for (const credential of ['appOnly', 'oAuth2'] as const) {
		await runScenario({ name: 'warm-up', server: {}, floorMs: 0, credential }, pki, 100);
	}
	const only = process.env.BENCH_SCENARIOS?.split(',');
	const results = [];
	for (const scenario of scenarios) {
		if (!only || only.includes(scenario.name)) results.push(await runScenario(scenario, pki));
	}
	await untrust();
	console.log(JSON.stringify({ scenarios: results }));
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
