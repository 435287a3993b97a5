// The "self-healing Cloud PC" example as the demo runs it (Wait for Completion checking every
// DEMO_TIMINGS.waitSeconds, actions done after DEMO_TIMINGS.reprovisionSeconds): three failed
// Cloud PCs (not MeganB's, which the trigger example watches here), one healed by Troubleshoot, one by Restore, one only by Reprovision after its
// restore failed; each action sent once, one message per Cloud PC. Beside it, a workflow on the
// trigger's Action Finished event (AdeleV's Cloud PCs, Troubleshoot and Restore) reports each of
// those actions once as it ends.
import { DEMO_TIMINGS, SELF_HEAL_PATH, TICKET_KEY_HEADER } from '../../scripts/lib/local-env.mjs';
import { assert, postJson, until } from './harness.mjs';
import { TICKET_KEY } from './setup.mjs';

export const ACTION_FINISHED_ID = 'e2eActionFinish1';

/** Microsoft Cloud PC Trigger › Action Finished (Troubleshoot, Restore; AdeleV's) → the chat sink. */
export function actionFinishedWorkflow(pollTimes, sinkUrl) {
	const credentials = {
		microsoftCloudPcOAuth2Api: { id: 'cloudPcDemoCred1', name: 'Microsoft Cloud PC account' },
	};
	return {
		id: ACTION_FINISHED_ID,
		name: 'e2e: Action Finished',
		active: false,
		settings: { executionOrder: 'v1' },
		connections: { 'Action finished': { main: [[{ node: 'Report', type: 'main', index: 0 }]] } },
		nodes: [
			{
				id: 'e2e00000-0000-4000-8000-000000000001',
				name: 'Action finished',
				type: 'n8n-nodes-microsoft-cloudpc.microsoftCloudPcTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {
					pollTimes,
					authentication: 'oAuth2',
					event: 'actionFinished',
					actions: ['Troubleshoot', 'Restore'],
					filters: { displayNamePrefix: 'AdeleV' },
				},
				credentials,
			},
			{
				id: 'e2e00000-0000-4000-8000-000000000002',
				name: 'Report',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [220, 0],
				parameters: {
					method: 'POST',
					url: sinkUrl,
					sendBody: true,
					specifyBody: 'json',
					jsonBody:
						'={{ JSON.stringify({ event: $json.event, cloudPcId: $json.cloudPcId, actionName: $json.actionName, outcome: $json.outcome }) }}',
					options: {},
				},
			},
		],
	};
}

const running = (graph, id, actionName) =>
	graph
		.remoteActions(id)
		.some((a) => a.actionName === actionName && ['pending', 'active'].includes(a.actionState));

export async function selfHealScenario({ n8n, graph, sink, samples, report, version }) {
	const healed = () => sink.messages.filter(({ body }) => body?.healedBy !== undefined);
	const finished = () => sink.messages.filter(({ body }) => body?.event === 'actionFinished');
	const pc = (name) => samples.find((s) => s.displayName === name).id;
	const [byTroubleshoot, byRestore, byReprovision] = ['AdeleV-02', 'AdeleV-01', 'AlexW-01'].map(pc);
	const all = [byTroubleshoot, byRestore, byReprovision];
	await report.scenario(
		`[n8n ${version}] self-healing example active in n8n start: troubleshoot, restore, reprovision, each once`,
		async (check) => {
			graph.reset();
			sink.messages.length = 0;
			for (const id of all) graph.setStatus(id, 'failed');
			const answer = await postJson(
				`${n8n.baseUrl}/webhook/${SELF_HEAL_PATH}`,
				{ cloudPcIds: all },
				{ headers: { [TICKET_KEY_HEADER]: TICKET_KEY } },
			);
			check('the webhook answers at once (the run goes on)', () =>
				assert.equal(answer.status, 200),
			);
			const step = (DEMO_TIMINGS.reprovisionSeconds + 2 * DEMO_TIMINGS.waitSeconds) * 1000;
			// Windows 365's troubleshooting repairs one of them; a restore of another fails.
			await until(
				'the troubleshoots',
				() => all.every((id) => running(graph, id, 'Troubleshoot')),
				step,
			);
			graph.setStatus(byTroubleshoot, 'provisioned');
			await until('the restore', () => running(graph, byReprovision, 'Restore'), 2 * step);
			graph.completeRemoteAction(byReprovision, 'failed', 'restore');

			await until('three messages', () => healed().length >= 3, 3 * step);
			check('one message per Cloud PC, naming what healed it', () => {
				const byCloudPc = Object.fromEntries(
					healed().map(({ body }) => [body.cloudPcId, [body.healedBy, body.healed]]),
				);
				assert.deepEqual(byCloudPc, {
					[byTroubleshoot]: ['troubleshoot', true],
					[byRestore]: ['restore', true],
					[byReprovision]: ['reprovision', true],
				});
				assert.equal(healed().length, 3);
			});
			check('each action sent once, and only where needed', () => {
				const counts = all.map((id) => [
					graph.actionCount(id, 'troubleshoot'),
					graph.actionCount(id, 'restore'),
					graph.reprovisionCount(id),
				]);
				assert.deepEqual(counts, [
					[1, 0, 0],
					[1, 1, 0],
					[1, 1, 1],
				]);
			});
			check('every Cloud PC is provisioned again', () => {
				for (const id of all) assert.equal(graph.cloudPc(id).status, 'provisioned', id);
			});
			// the trigger polls every minute on n8n 2.x: the restores end up to a poll before it
			await until('the trigger reports them', () => finished().length >= 3, 150_000);
			check(
				"Action Finished: each of AdeleV's troubleshoots and restores once, as it ended",
				() => {
					const events = finished()
						.map(({ body }) => `${body.cloudPcId} ${body.actionName} ${body.outcome}`)
						.sort();
					assert.deepEqual(
						events,
						[
							`${byRestore} Restore done`,
							`${byRestore} Troubleshoot done`,
							`${byTroubleshoot} Troubleshoot done`,
						].sort(),
					);
				},
			);
		},
	);
}
