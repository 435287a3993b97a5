#!/usr/bin/env node
// n8n's production setup, end to end: queue mode with Redis and PostgreSQL, one main instance
// and two workers, this package installed as Community Nodes, against the local Graph server
// (4,000 Cloud PCs, one throttle for the whole tenant) and the local Entra ID token endpoint.
//
//   npm run test:queue                       (n8n 2.41.1; E2E_QUEUE_N8N_VERSION for another)
//
// Closing line: "N passed, N failed"; exit code 1 when anything failed. See docs/e2e-and-demo.md.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import {
	DEMO_TOKENS,
	loadGraphServerModule,
	loadIdentityServerModule,
} from '../../scripts/lib/graph-server.mjs';
import {
	WORKFLOWS,
	loadExamples,
	localGraphCredential,
	localizeWorkflow,
	startNotificationSink,
	ticketKeyCredential,
} from '../../scripts/lib/local-env.mjs';
import { N8n, buildAndPack, newestNodeTypeVersion } from '../../scripts/lib/n8n.mjs';
import { CACHE, DEFAULT_N8N_VERSION, log } from '../../scripts/lib/toolchain.mjs';
import { Report, assert } from './harness.mjs';
import { QueueCluster, writePem } from './queue/cluster.mjs';
import { N8nRest, faultScenario } from './queue/fault.e2e.mjs';
import { waitNotifyForTest, waitNotifyScenario } from './queue/wait-notify.e2e.mjs';
import {
	CONTINUE,
	RETRY_ON_FAIL,
	UNKNOWN_ID,
	checkEachOnce,
	checkOutcomes,
	checkTries,
	cloudPcBranch,
	workflowOf,
} from './rerun.e2e.mjs';

const VERSION = process.env.E2E_QUEUE_N8N_VERSION ?? DEFAULT_N8N_VERSION;
const FOLDER = join(CACHE, `queue-n8n-${VERSION}`);

const FLEET = 4000;
const EXECUTIONS = 4;
const WORKERS = 2;
const CONCURRENCY = 2;
/**
 * The tenant's budget: 1,000 Graph operations per 30 s, shared by every token (Windows 365
 * publishes its budgets per tenant). 4,000 reprovisions take at least 3 windows after the first:
 * 90 s. Long windows keep the rounding of Retry-After to whole seconds (and its jitter) small
 * beside the floor, as in `npm run bench`'s throttled scenario.
 */
const THROTTLE = { limit: 1000, windowMs: 30_000, perTenant: true };
const FLOOR_MS = (Math.ceil(FLEET / THROTTLE.limit) - 1) * THROTTLE.windowMs;
const BUDGET = 1.15;
const LATENCY_MS = 50;
/** The example's Cloud PCs take this long to rebuild: longer than one parked wait. */
const REPROVISION_MS = 90_000;
const WAIT_FLEET = 5;
/** Cloud PCs of each execution whose worker is stopped mid-run. */
const FAULT_FLEET = 1000;
/**
 * Status lags behind an accepted reprovision this long, and meanwhile Graph accepts a second one
 * (the test server's worst case): a retry that resent blindly would show up as a duplicate.
 */
const STATUS_LAG_MS = 15 * 60_000;
const TICKET_KEY = 'queue-e2e-ticket-key';

const TENANT = '3c1f6a2e-8d4b-4e7a-9f10-2b3c4d5e6f70';
const CLIENT_ID = 'a9e0c7d1-0000-4000-8000-00000000e2e0';
const SECRET = 'queue-e2e-client-secret';
const GRAPH_RESOURCE = 'https://graph.microsoft.com';
const TOKENS = Array.from({ length: 20 }, (_, n) => `queue-e2e-app-token-${n}`);

export const CREDENTIAL = {
	id: 'cloudPcQueueApp1',
	name: 'Microsoft Cloud PC (app-only, queue e2e)',
	type: 'microsoftCloudPcAppOnlyApi',
};
const THROUGHPUT = { id: 'cloudpcQueueRun1', path: 'cloudpc-queue/reprovision' };
/** The same, with Check for an Earlier Reprovision "Always": for starting it again after a stop. */
const CHECKED = { id: 'cloudpcQueueRun2', path: 'cloudpc-queue/reprovision-checked' };
/** The same with Retry On Fail, the node's newest typeVersion, for retryOnFailScenario. */
const RETRIED = { id: 'cloudpcQueueRun3', path: 'cloudpc-queue/reprovision-retry-on-fail' };
const RETRIED_FLEET = 20;

/**
 * Webhook (Cloud PC IDs in the body) → Split Out → Reprovision (Continue On Fail, `settings`
 * besides), typeVersion 1 unless given.
 */
function reprovisionWorkflow({ id, path }, { safety = {}, settings = {}, typeVersion = 1 } = {}) {
	const branch = cloudPcBranch(
		{
			key: Number(id.slice(-1)),
			path,
			node: 'Reprovision',
			settings: { ...CONTINUE, ...settings },
			parameters: { safety },
			webhook: 'Batch webhook',
			split: 'One item per Cloud PC',
		},
		typeVersion,
		CREDENTIAL,
	);
	return workflowOf(id, `e2e queue: reprovision the Cloud PCs in the request (${path})`, [branch]);
}

/** Retry On Fail on a worker: the unknown ID first, so n8n runs the node again. */
async function retryOnFailScenario({ cluster, graph, report, cloudPcs }) {
	await report.scenario(
		`Retry On Fail (${RETRY_ON_FAIL.maxTries} tries) on a worker, the unknown ID first: each Cloud PC reprovisioned once`,
		async (check) => {
			const ids = cloudPcs.map((pc) => pc.id);
			const before = new Set(cluster.workers.flatMap((w) => QueueCluster.startedExecutions(w)));
			const started = Date.now();
			const answer = await cluster.callWebhook(RETRIED.path, {
				cloudPcs: [UNKNOWN_ID, ...ids].map((cloudPcId) => ({ cloudPcId })),
			});
			// no request log here (logRequests: false): the whole call spans n8n's waits
			const callMs = Date.now() - started;
			const onWorkers = cluster.workers.flatMap((w) =>
				QueueCluster.startedExecutions(w).filter((e) => !before.has(e)),
			);
			check('a worker executed it', () => assert.equal(onWorkers.length, 1));
			checkTries(check, callMs);
			checkEachOnce(check, graph, ids);
			checkOutcomes(check, answer, ids, UNKNOWN_ID);
		},
	);
}

/** Four executions of 1,000 Cloud PCs each, started together through the production webhook. */
async function throughputScenario({ cluster, graph, identity, fleet, report }) {
	await report.scenario(
		`${EXECUTIONS} executions × ${FLEET / EXECUTIONS} Cloud PCs, ${WORKERS} workers × concurrency ${CONCURRENCY}, throttle ${THROTTLE.limit} per ${THROTTLE.windowMs / 1000} s for the tenant`,
		async (check) => {
			const slices = Array.from({ length: EXECUTIONS }, (_, k) =>
				fleet.slice((k * FLEET) / EXECUTIONS, ((k + 1) * FLEET) / EXECUTIONS),
			);
			const started = performance.now();
			const answers = await Promise.all(
				slices.map((slice) =>
					cluster.callWebhook(THROUGHPUT.path, {
						cloudPcs: slice.map((pc) => ({ cloudPcId: pc.id })),
					}),
				),
			);
			const ms = Math.round(performance.now() - started);
			const ratio = ms / FLOOR_MS;
			const stats = graph.stats();
			const tokenRequests = identity.tokenRequests();
			process.stdout.write(
				`  figures: ${ms} ms, floor ${FLOOR_MS} ms, ${ratio.toFixed(3)} × floor; ` +
					`${stats.reprovisionAttempts} reprovision attempts, ${stats.throttled} answered 429, ` +
					`${stats.httpRequests} HTTP requests, ${tokenRequests} token requests\n`,
			);
			check('every webhook answered 200 with one output per input, in order', () => {
				answers.forEach((answer, k) => {
					assert.equal(answer.status, 200, answer.text.slice(0, 300));
					assert.ok(Array.isArray(answer.json), `execution ${k} answered an array`);
					assert.equal(answer.json.length, slices[k].length);
					answer.json.forEach((item, i) => {
						assert.equal(item.cloudPcId, slices[k][i].id, `execution ${k} item ${i}`);
						assert.equal(item.outcome, 'requested', `execution ${k} item ${i}: ${item.error}`);
					});
				});
			});
			check('every Cloud PC reprovisioned exactly once on the server', () => {
				const { lost, duplicated } = graph.lostAndDuplicated(fleet.map((pc) => pc.id));
				assert.deepEqual({ lost, duplicated }, { lost: 0, duplicated: 0 });
			});
			check('both workers executed some of the executions (worker logs)', () => {
				const perWorker = cluster.workers.map((w) => QueueCluster.startedExecutions(w));
				process.stdout.write(
					`  executions per worker: ${perWorker.map((ids) => ids.length).join(', ')}\n`,
				);
				for (const ids of perWorker) assert.ok(ids.length >= 1, JSON.stringify(perWorker));
				assert.equal(new Set(perWorker.flat()).size, EXECUTIONS);
			});
			check('token requests: at most one per worker process and credential', () => {
				assert.equal(graph.stats().tokenRequests, 0, 'none to the Graph server');
				assert.ok(
					tokenRequests >= 1 && tokenRequests <= WORKERS,
					`${tokenRequests} token requests`,
				);
			});
			check(`total time within ${BUDGET} × the throttle floor (${FLOOR_MS} ms)`, () => {
				assert.ok(ratio <= BUDGET, `${ms} ms is ${ratio.toFixed(3)} × the floor`);
			});
		},
	);
}

async function main() {
	const report = new Report();
	const started = Date.now();
	rmSync(FOLDER, { recursive: true, force: true });
	mkdirSync(FOLDER, { recursive: true });
	log('building and packing the package');
	const tarball = await buildAndPack();

	const { startGraphServer, manyCloudPcs } = await loadGraphServerModule();
	const { startIdentityServer, createTestPki } = await loadIdentityServerModule();
	const pki = createTestPki();
	const caFile = writePem(FOLDER, 'local-ca.pem', pki.tls.cert);
	const identity = await startIdentityServer({
		tls: pki.tls,
		apps: [{ tenantId: TENANT, clientId: CLIENT_ID, secret: SECRET }],
		accessTokens: TOKENS,
		graphResource: GRAPH_RESOURCE,
	});
	const all = manyCloudPcs(FLEET + WAIT_FLEET + 2 * FAULT_FLEET + RETRIED_FLEET);
	const fleet = all.slice(0, FLEET);
	const graph = await startGraphServer({
		cloudPcs: all,
		tokens: {
			...Object.fromEntries(
				TOKENS.map((token) => [token, { scopes: ['CloudPC.ReadWrite.All'], appOnly: true }]),
			),
			// The example's delegated credential, signed in already.
			[DEMO_TOKENS.accessToken]: { scopes: ['CloudPC.ReadWrite.All'], userId: DEMO_TOKENS.userId },
		},
		refreshTokens: { [DEMO_TOKENS.refreshToken]: { accessToken: DEMO_TOKENS.accessToken } },
		throttle: THROTTLE,
		latencyMs: LATENCY_MS,
		reprovisionDurationMs: REPROVISION_MS,
		statusLagMs: STATUS_LAG_MS,
		logRequests: false,
	});
	const sink = await startNotificationSink();
	const cluster = new QueueCluster({ version: VERSION, tarball, folder: FOLDER, caFile });
	active = cluster;
	const ctx = { cluster, graph, identity, fleet, sink, report };
	try {
		await cluster.setUp();
		const { n8n } = cluster;
		await n8n.importCredentials([
			{
				...CREDENTIAL,
				data: {
					environment: 'custom',
					loginBaseUrl: identity.loginBaseUrl,
					graphBaseUrl: graph.url,
					tenantId: TENANT,
					clientId: CLIENT_ID,
					authMethod: 'clientSecret',
					clientSecret: SECRET,
				},
			},
			localGraphCredential(graph.url, DEMO_TOKENS),
			ticketKeyCredential(TICKET_KEY),
		]);
		const example = loadExamples()[WORKFLOWS.waitNotify];
		const waitNotify = waitNotifyForTest(example, (w) =>
			localizeWorkflow(w, { notifyUrl: sink.url }),
		);
		await n8n.importWorkflows([
			reprovisionWorkflow(THROUGHPUT),
			reprovisionWorkflow(CHECKED, { safety: { checkEarlierReprovision: 'always' } }),
			reprovisionWorkflow(RETRIED, {
				settings: RETRY_ON_FAIL,
				typeVersion: newestNodeTypeVersion(),
			}),
			waitNotify,
		]);
		await n8n.activateWorkflow(THROUGHPUT.id);
		await n8n.activateWorkflow(CHECKED.id);
		await n8n.activateWorkflow(RETRIED.id);
		await n8n.activateWorkflow(WORKFLOWS.waitNotify);
		await cluster.startMain();
		for (let k = 1; k <= WORKERS; k++) await cluster.startWorker(`worker-${k}`, CONCURRENCY);
		process.stdout.write(`\n=== n8n ${VERSION}, queue mode: main + ${WORKERS} workers ===\n`);
		await throughputScenario(ctx);
		await waitNotifyScenario({
			...ctx,
			cloudPcs: all.slice(FLEET, FLEET + WAIT_FLEET),
			ticketKey: TICKET_KEY,
		});
		await retryOnFailScenario({ ...ctx, cloudPcs: all.slice(-RETRIED_FLEET) });
		const rest = new N8nRest(n8n);
		await rest.signIn();
		let next = FLEET + WAIT_FLEET;
		for (const signal of ['SIGTERM', 'SIGKILL']) {
			await faultScenario(
				{
					...ctx,
					rest,
					cloudPcs: all.slice(next, (next += FAULT_FLEET)),
					webhookPath: THROUGHPUT.path,
					checkedPath: CHECKED.path,
					workflowId: THROUGHPUT.id,
				},
				signal,
			);
		}
	} catch (error) {
		report.fail('queue mode: suite could not run', error);
	} finally {
		await cluster.tearDown();
		await graph.close();
		await identity.close();
		await sink.close();
	}
	report.summary();
	process.stdout.write(`(total ${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
	process.exitCode = report.failed ? 1 : 0;
}

/** Stopped on Ctrl-C too: n8n, the workers, Redis and PostgreSQL. */
let active;
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.on(signal, () => {
		if (stopping) return;
		stopping = true;
		log(`${signal}: stopping n8n, Redis and PostgreSQL`);
		void Promise.allSettled([active?.tearDown(), N8n.stopAll()]).finally(() => process.exit(130));
	});
}

await main();
