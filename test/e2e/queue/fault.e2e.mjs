// A worker stopped while its execution is sending reprovisions (SIGTERM, then SIGKILL): what n8n
// does with that execution and with the owner's Retry of it, and the same Cloud PCs started
// again, which must not reprovision what the stopped run already sent (Reprovision's Check for
// an Earlier Reprovision: On Retry by default, Always in the workflow started again).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { assert } from '../harness.mjs';
import { QueueCluster } from './cluster.mjs';

const OWNER = { email: 'queue-e2e@example.com', password: 'Queue-e2e-Passw0rd' };

/** n8n's REST API as the editor uses it, signed in as the owner. */
export class N8nRest {
	constructor(n8n) {
		this.n8n = n8n;
		// Execution data comes back in n8n's `flatted` form.
		const require = createRequire(join(n8n.install.dir, 'node_modules', 'n8n', 'package.json'));
		this.flatted = require('flatted');
	}

	async signIn() {
		this.cookie = await this.n8n.ownerSession(OWNER);
	}

	async call(method, path, body) {
		const response = await fetch(`${this.n8n.baseUrl}/rest${path}`, {
			method,
			headers: { cookie: this.cookie, 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok)
			throw new Error(`${method} /rest${path}: ${response.status} ${text.slice(0, 300)}`);
		return JSON.parse(text).data;
	}

	/** { id, status, mode, retryOf, runData, error } */
	async execution(id) {
		const execution = await this.call('GET', `/executions/${id}`);
		const data =
			typeof execution.data === 'string' ? this.flatted.parse(execution.data) : execution.data;
		return {
			...execution,
			runData: data?.resultData?.runData ?? {},
			error: data?.resultData?.error?.message ?? null,
		};
	}

	/** Polls until the execution has left new/running/waiting, or the time is up. */
	async settled(id, timeoutMs = 180_000) {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const execution = await this.execution(id);
			if (!['new', 'running', 'waiting'].includes(execution.status) || Date.now() > deadline)
				return execution;
			await sleep(1000);
		}
	}

	/** The editor's "Retry" of a failed execution (with the workflow as it was). */
	async retry(id) {
		await this.call('POST', `/executions/${id}/retry`, { loadWorkflow: false });
		return await this.appeared(`a retry of execution ${id}`, (executions) =>
			executions.find((e) => String(e.retryOf) === String(id)),
		);
	}

	/** The latest 50 executions of `this.workflowId`, newest first: { id, status, mode, retryOf }. */
	async executions() {
		const filter = encodeURIComponent(JSON.stringify({ workflowId: this.workflowId }));
		return (await this.call('GET', `/executions?filter=${filter}&limit=50`)).results;
	}

	/** Polls the executions list until `find` picks one (60 s at most); returns its id. */
	async appeared(what, find) {
		const deadline = Date.now() + 60_000;
		for (;;) {
			const found = find(await this.executions());
			if (found) return found.id;
			if (Date.now() > deadline) throw new Error(`no ${what} appeared`);
			await sleep(500);
		}
	}
}

const countOutcomes = (items) =>
	['requested', 'skipped', 'failed']
		.map((outcome) => `${items.filter((item) => item.outcome === outcome).length} ${outcome}`)
		.join(', ');

const outputOf = (execution, node) =>
	(execution.runData[node]?.[0]?.data?.main?.[0] ?? []).map((item) => item.json);

/**
 * Starts an execution of 1,000 Cloud PCs through the webhook, stops its worker with `signal`
 * once a quarter of them were reprovisioned, starts a replacement worker, reads what n8n did
 * with the execution, retries it when it did not succeed, then starts the same Cloud PCs again.
 */
export async function faultScenario(ctx, signal) {
	const { cluster, graph, rest, cloudPcs, report, webhookPath, checkedPath, workflowId } = ctx;
	rest.workflowId = workflowId;
	await report.scenario(
		`${signal} to the worker while its execution is sending (${cloudPcs.length} Cloud PCs), then the user's retry`,
		async (check) => {
			const before = new Set(cluster.workers.flatMap((w) => QueueCluster.startedExecutions(w)));
			const answer = cluster
				.callWebhook(webhookPath, { cloudPcs: cloudPcs.map((pc) => ({ cloudPcId: pc.id })) })
				.catch((error) => ({ status: 0, text: String(error) }));
			const sent = () => cloudPcs.filter((pc) => graph.reprovisionCount(pc.id) > 0).length;
			let worker;
			let executionId;
			const deadline = Date.now() + 120_000;
			while ((!worker || sent() < cloudPcs.length / 4) && Date.now() < deadline) {
				for (const w of cluster.workers) {
					const id = QueueCluster.startedExecutions(w).find((e) => !before.has(e));
					if (id) [worker, executionId] = [w, id];
				}
				await sleep(100);
			}
			assert.ok(worker, 'a worker started the execution');
			const sentAtStop = sent();
			await cluster.stopWorker(worker, signal);
			const sentAfterStop = sent();
			await cluster.startWorker(`${worker.name}-after-${signal}`, 2);
			const webhook = await answer;
			const first = await rest.settled(executionId);
			process.stdout.write(
				`  execution ${executionId} on ${worker.name}: ${sentAtStop} of ${cloudPcs.length} reprovisioned at ${signal}, ${sentAfterStop} once the worker had exited; ` +
					`n8n marked it "${first.status}"; the webhook answered ${webhook.status} ${String(webhook.text).slice(0, 120)}\n`,
			);
			const startedBy = cluster.workers
				.filter((w) => QueueCluster.startedExecutions(w).includes(executionId))
				.map((w) => w.name);
			check('n8n did not run the execution again by itself', () =>
				assert.deepEqual(startedBy, [worker.name]),
			);

			const describe = (e) =>
				`"${e.status}"${e.error ? ` (${e.error})` : ''}, nodes run: ${Object.keys(e.runData).join(', ') || 'none'}`;
			process.stdout.write(`  execution ${executionId}: ${describe(first)}\n`);
			if (first.status !== 'success') {
				const retry = await rest.settled(await rest.retry(executionId));
				process.stdout.write(
					`  the owner's Retry: execution ${retry.id} (mode ${retry.mode}) ${describe(retry)}; ${countOutcomes(outputOf(retry, 'Reprovision'))}\n`,
				);
				check('the retry did not reprovision anything twice', () =>
					assert.equal(graph.lostAndDuplicated(cloudPcs.map((pc) => pc.id)).duplicated, 0),
				);
			}

			// Started again for the same Cloud PCs, as after a failure one would: with Check for an
			// Earlier Reprovision "Always", what the stopped run sent is named and not sent again.
			const sentBefore = sent();
			const again = await cluster.callWebhook(checkedPath, {
				cloudPcs: cloudPcs.map((pc) => ({ cloudPcId: pc.id })),
			});
			const items = Array.isArray(again.json) ? again.json : [];
			const started = cloudPcs.filter((pc) => graph.reprovisionCount(pc.id) > 0).length;
			process.stdout.write(`  started again with "Always": ${countOutcomes(items)}\n`);
			check('every Cloud PC reprovisioned exactly once on the server', () =>
				assert.deepEqual(graph.lostAndDuplicated(cloudPcs.map((pc) => pc.id)), {
					lost: 0,
					duplicated: 0,
				}),
			);
			check(
				'one output per Cloud PC: skipped when the stopped run had sent it, else requested',
				() => {
					assert.equal(again.status, 200, again.text.slice(0, 300));
					assert.equal(items.length, cloudPcs.length);
					items.forEach((item, i) => {
						assert.equal(item.cloudPcId, cloudPcs[i].id);
						assert.ok(['requested', 'skipped'].includes(item.outcome), JSON.stringify(item));
						if (item.outcome === 'skipped')
							assert.match(
								item.reason,
								/^A reprovision of this Cloud PC started at .+, so it was not sent again/,
							);
					});
					assert.equal(items.filter((item) => item.outcome === 'skipped').length, sentBefore);
					assert.equal(started, cloudPcs.length);
				},
			);
		},
	);
}

export { OWNER };
