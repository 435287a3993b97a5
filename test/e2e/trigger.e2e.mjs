// The trigger example (Microsoft Cloud PC Trigger "Status Changed To failed" → Reprovision →
// notification), active in `n8n start`; the local Graph server flips a Cloud PC to failed.
import { setTimeout as sleep } from 'node:timers/promises';

import { WORKFLOWS, loadExamples, localizeWorkflow } from '../../scripts/lib/local-env.mjs';
import { assert } from './harness.mjs';

/**
 * How often the trigger polls: n8n 1.x takes a list of seconds (every 10 s; it refuses only a
 * `*` there); n8n 2.x refuses any seconds field but a single number ("The polling interval is
 * too short"), so it polls every minute, as the example does.
 */
const pollTimes = (major) =>
	major >= 2
		? { item: [{ mode: 'everyMinute' }] }
		: { item: [{ mode: 'custom', cronExpression: '0,10,20,30,40,50 * * * * *' }] };
const TRIGGER = 'When a Cloud PC fails';

/** The trigger's polls: each reads the list from its first page (no $skiptoken). */
const polls = (graph) =>
	graph.requests.filter(
		(r) =>
			r.path.endsWith('/cloudPCs') &&
			(r.query.$select ?? '').includes('lastRemoteActionResult') &&
			r.query.$skiptoken === undefined &&
			r.status === 200,
	).length;

async function until(what, condition, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s: ${what}`);
		await sleep(250);
	}
}

export async function triggerScenarios(ctx) {
	const { n8n, graph, sink, samples, report, version } = ctx;
	const pc = (name) => samples.find((s) => s.displayName === name).id;
	const megan01 = pc('MeganB-01');
	const adele02 = pc('AdeleV-02'); // failed in the sample data, before activation

	await report.scenario(
		`[n8n ${version}] trigger active in n8n start: a Cloud PC turns failed, it is reprovisioned once`,
		async (check) => {
			const example = localizeWorkflow(loadExamples()[WORKFLOWS.trigger], { notifyUrl: sink.url });
			example.nodes.find((n) => n.name === TRIGGER).parameters.pollTimes = pollTimes(n8n.major);
			// a poll comes at most this long after the one before (plus time for the execution)
			const pollGapMs = n8n.major >= 2 ? 75_000 : 15_000;
			await n8n.importWorkflow(example);
			await n8n.activateWorkflow(WORKFLOWS.trigger);
			graph.reset();
			sink.messages.length = 0;
			await n8n.start();

			// activation polls once (recording the tenant), then on schedule
			await until('two polls before the flip', () => polls(graph) >= 2, 2 * pollGapMs);
			check('no event while nothing changed (AdeleV-02 was failed before activation)', () => {
				assert.equal(sink.messages.length, 0);
				assert.equal(graph.reprovisionCount(adele02), 0);
			});

			graph.setStatus(megan01, 'failed');
			await until('the notification', () => sink.messages.length >= 1, 2 * pollGapMs);
			const pollsAtFire = polls(graph);
			await until('two more polls', () => polls(graph) >= pollsAtFire + 2, 3 * pollGapMs);

			check('it fired once: one notification, naming the Cloud PC, reprovision requested', () => {
				assert.equal(sink.messages.length, 1, JSON.stringify(sink.messages.map((m) => m.body)));
				const [{ body }] = sink.messages;
				assert.deepEqual(
					body.cloudPcs.map((c) => [c.cloudPcId, c.displayName, c.outcome]),
					[[megan01, 'MeganB-01', 'requested']],
				);
				assert.match(body.text, /1 requested, 0 failed/);
			});
			check('the Cloud PC was reprovisioned once; nothing else was', () => {
				assert.equal(graph.reprovisionCount(megan01), 1);
				assert.equal(graph.reprovisionCount(adele02), 0);
				assert.equal(graph.cloudPc(megan01).status, 'provisioning');
			});
			check('nothing fired again in the two polls after it', () => {
				assert.equal(sink.messages.length, 1);
			});
			await n8n.stop();
		},
	);
}
