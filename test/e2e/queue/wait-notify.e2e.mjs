// The "Reprovision, wait, notify" example in queue mode: the execution parks in n8n's Wait node
// (saved to PostgreSQL, no worker held), the worker that started it is stopped while it is
// parked and a new one started, and the execution still ends with one summary once every Cloud
// PC is done.
import { setTimeout as sleep } from 'node:timers/promises';

import { TICKET_KEY_HEADER } from '../../../scripts/lib/local-env.mjs';
import { assert } from '../harness.mjs';
import { QueueCluster } from './cluster.mjs';

export const WAIT_NOTIFY_PATH = 'cloudpc/reprovision-and-wait';
/** n8n parks a Wait of 65 s or more in the database; shorter ones stay in the worker's memory. */
export const PARKED_WAIT_SECONDS = 66;

/** The example, pointed at the local chat webhook, waiting PARKED_WAIT_SECONDS between checks. */
export function waitNotifyForTest(example, localize) {
	const workflow = localize(example);
	const wait = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.wait');
	wait.parameters = { ...wait.parameters, amount: PARKED_WAIT_SECONDS, unit: 'seconds' };
	return workflow;
}

export async function waitNotifyScenario({ cluster, graph, sink, cloudPcs, ticketKey, report }) {
	await report.scenario(
		`"Reprovision, wait, notify": ${cloudPcs.length} Cloud PCs, parked ${PARKED_WAIT_SECONDS} s between checks, the worker restarted while parked`,
		async (check) => {
			const before = new Set(cluster.workers.flatMap((w) => QueueCluster.startedExecutions(w)));
			const started = Date.now();
			const answer = await fetch(`${cluster.n8n.baseUrl}/webhook/${WAIT_NOTIFY_PATH}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', [TICKET_KEY_HEADER]: ticketKey },
				body: JSON.stringify({ cloudPcIds: cloudPcs.map((pc) => pc.id) }),
			});
			check('the webhook answers at once (the run goes on)', () =>
				assert.equal(answer.status, 200),
			);

			// The worker that took the execution, once the execution is parked.
			const deadline = Date.now() + 120_000;
			let first;
			let executionId;
			while (!first && Date.now() < deadline) {
				for (const worker of cluster.workers) {
					const ids = QueueCluster.startedExecutions(worker).filter((id) =>
						worker.output.includes(`Worker finished execution ${id}`),
					);
					const fresh = ids.find((id) => !before.has(id));
					if (fresh) [first, executionId] = [worker, fresh];
				}
				if (!first) await sleep(500);
			}
			assert.ok(first, 'a worker started the execution and let go of it (parked)');
			const parkedAt = Date.now();
			check('no summary yet: the Cloud PCs are still being rebuilt', () =>
				assert.equal(sink.messages.length, 0),
			);
			await cluster.stopWorker(first, 'SIGTERM');
			const replacement = await cluster.startWorker('worker-3', 2);
			process.stdout.write(
				`  execution ${executionId} parked by ${first.name} after ${((parkedAt - started) / 1000).toFixed(0)} s; ${first.name} stopped, ${replacement.name} started\n`,
			);

			const end = Date.now() + 8 * 60_000;
			while (sink.messages.length === 0 && Date.now() < end) await sleep(1000);
			process.stdout.write(
				`  summary posted after ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
			);
			const resumedBy = cluster.workers
				.filter((w) => w !== first)
				.filter((w) => QueueCluster.startedExecutions(w).includes(executionId))
				.map((w) => w.name);
			check('one summary, every Cloud PC done', () => {
				assert.equal(sink.messages.length, 1, JSON.stringify(sink.messages.map((m) => m.body)));
				const { text, cloudPcs: reported } = sink.messages[0].body;
				assert.match(
					text,
					new RegExp(`^Cloud PC reprovision finished: ${cloudPcs.length} done, 0 not done$`),
				);
				assert.deepEqual(
					reported.map((pc) => [pc.cloudPcId, pc.outcome, pc.stillRunning, pc.requested]),
					cloudPcs.map((pc) => [pc.id, 'done', false, 'requested']),
				);
			});
			check('resumed from the database by another worker than the stopped one', () => {
				process.stdout.write(`  resumed by: ${resumedBy.join(', ') || 'none'}\n`);
				assert.ok(resumedBy.length >= 1);
			});
			check('each Cloud PC reprovisioned exactly once', () => {
				assert.deepEqual(
					cloudPcs.map((pc) => graph.reprovisionCount(pc.id)),
					cloudPcs.map(() => 1),
				);
			});
		},
	);
}
