// The "Reprovision, wait, notify" example as the demo runs it (a wait of DEMO_TIMINGS.waitSeconds
// between checks, reprovisions done after DEMO_TIMINGS.reprovisionSeconds): active in `n8n start`,
// called on its production URL, it ends with one summary once every Cloud PC is done.
import { DEMO_TIMINGS, TICKET_KEY_HEADER, WAIT_NOTIFY_PATH } from '../../scripts/lib/local-env.mjs';
import { assert, postJson, until } from './harness.mjs';
import { TICKET_KEY } from './setup.mjs';

export async function waitNotifyScenario({ n8n, graph, sink, samples, report, version }) {
	const cloudPcs = samples.filter((pc) => ['AdeleV-01', 'AlexW-01'].includes(pc.displayName));
	await report.scenario(
		`[n8n ${version}] wait-and-notify active in n8n start: runs to its summary in the demo's time`,
		async (check) => {
			graph.reset();
			sink.messages.length = 0;
			const answer = await postJson(
				`${n8n.baseUrl}/webhook/${WAIT_NOTIFY_PATH}`,
				{ cloudPcIds: cloudPcs.map((pc) => pc.id) },
				{ headers: { [TICKET_KEY_HEADER]: TICKET_KEY } },
			);
			check('the webhook answers at once (the run goes on)', () =>
				assert.equal(answer.status, 200),
			);
			const { reprovisionSeconds, waitSeconds } = DEMO_TIMINGS;
			await until(
				'the summary',
				() => sink.messages.length >= 1,
				(reprovisionSeconds + 3 * waitSeconds) * 1000,
			);
			check('one summary, every Cloud PC done, each reprovisioned once', () => {
				assert.equal(sink.messages.length, 1, JSON.stringify(sink.messages.map((m) => m.body)));
				const { text, cloudPcs: reported } = sink.messages[0].body;
				assert.equal(text, `Cloud PC reprovision finished: ${cloudPcs.length} done, 0 not done`);
				assert.deepEqual(
					reported.map((pc) => [pc.cloudPcId, pc.outcome]),
					cloudPcs.map((pc) => [pc.id, 'done']),
				);
				for (const pc of cloudPcs) assert.equal(graph.reprovisionCount(pc.id), 1, pc.displayName);
			});
		},
	);
}
