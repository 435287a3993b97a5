// The trigger example (Microsoft Cloud PC Trigger "Status Changed To failed" → Reprovision →
// notification), active in `n8n start`; a Cloud PC is made to fail with the demo's URL, and its
// reprovision runs to its end. The wait-and-notify and self-healing examples run in the same n8n
// start.
import {
	DEMO_TIMINGS,
	WORKFLOWS,
	loadExamples,
	localizeWorkflow,
} from '../../scripts/lib/local-env.mjs';
import { assert, until } from './harness.mjs';
import { ACTION_FINISHED_ID, actionFinishedWorkflow, selfHealScenario } from './self-heal.e2e.mjs';
import { waitNotifyScenario } from './wait-notify.e2e.mjs';

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

/** One `n8n start` with the trigger and wait-and-notify examples active. */
export async function liveScenarios(ctx) {
	const { n8n, sink } = ctx;
	const examples = loadExamples();
	const trigger = localizeWorkflow(examples[WORKFLOWS.trigger], { notifyUrl: sink.url });
	const triggerNode = trigger.nodes.find((n) => n.name === TRIGGER);
	triggerNode.parameters.pollTimes = pollTimes(n8n.major);
	// MeganB's Cloud PCs only: the self-healing example fails others in the same n8n start.
	triggerNode.parameters.filters = { displayNamePrefix: 'MeganB' };
	const waitNotify = localizeWorkflow(examples[WORKFLOWS.waitNotify], {
		notifyUrl: sink.url,
		waitSeconds: DEMO_TIMINGS.waitSeconds,
	});
	const selfHeal = localizeWorkflow(examples[WORKFLOWS.selfHeal], {
		notifyUrl: sink.url,
		waitSeconds: DEMO_TIMINGS.waitSeconds,
	});
	const actionFinished = actionFinishedWorkflow(pollTimes(n8n.major), sink.url);
	await n8n.importWorkflows([trigger, waitNotify, selfHeal, actionFinished]);
	for (const id of [
		WORKFLOWS.trigger,
		WORKFLOWS.waitNotify,
		WORKFLOWS.selfHeal,
		ACTION_FINISHED_ID,
	])
		await n8n.activateWorkflow(id);
	try {
		await triggerScenario(ctx);
		await waitNotifyScenario(ctx);
		await selfHealScenario(ctx);
	} finally {
		await n8n.stop();
	}
}

async function triggerScenario(ctx) {
	const { n8n, graph, sink, samples, report, version, control } = ctx;
	const pc = (name) => samples.find((s) => s.displayName === name).id;
	const megan01 = pc('MeganB-01');
	const adele02 = pc('AdeleV-02'); // failed in the sample data, before activation

	await report.scenario(
		`[n8n ${version}] trigger active in n8n start: a Cloud PC made to fail is reprovisioned once, to its end`,
		async (check) => {
			// a poll comes at most this long after the one before (plus time for the execution)
			const pollGapMs = n8n.major >= 2 ? 75_000 : 15_000;
			graph.reset();
			sink.messages.length = 0;
			await n8n.start();

			// activation polls once (recording the tenant), then on schedule
			await until('two polls before the flip', () => polls(graph) >= 2, 2 * pollGapMs);
			check('no event while nothing changed (AdeleV-02 was failed before activation)', () => {
				assert.equal(sink.messages.length, 0);
				assert.equal(graph.reprovisionCount(adele02), 0);
			});

			const failed = await fetch(control.failUrl('MeganB-01'), { method: 'POST' });
			check("the demo's fail URL answers 200", () => assert.equal(failed.status, 200));
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
			});
			check('nothing fired again in the two polls after it', () => {
				assert.equal(sink.messages.length, 1);
			});
			await until(
				'the reprovision is done',
				() => graph.cloudPc(megan01).status === 'provisioned',
				DEMO_TIMINGS.reprovisionSeconds * 1000 + 5000,
			);
			check('the reprovision ran to its end: remote action done, provisioned again', () => {
				assert.deepEqual(
					graph.remoteActions(megan01).map((a) => [a.actionName, a.actionState]),
					[['Reprovision', 'done']],
				);
			});
		},
	);
}
