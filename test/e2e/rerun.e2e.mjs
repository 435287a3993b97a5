// Every way n8n runs a node again (README, "Every way n8n runs the node again"; n8n's
// packages/core/src/execution-engine/workflow-execute.ts, the loop over `tryIndex`), in the
// `n8n start` of the ticket scenarios: Retry On Fail inside one execution, the same
// ticket delivered twice, and the owner's Retry of a failed execution. Graph's status lags
// behind each accepted reprovision meanwhile (the worst case Graph allows), so a second POST
// is a second wipe and shows up in the server's reprovision counts.
import { NODE_TYPE } from '../../scripts/lib/n8n.mjs';
import {
	CREDENTIALS,
	TICKET_KEY_HEADER,
	TICKET_WEBHOOK_PATH,
} from '../../scripts/lib/local-env.mjs';
import { assert, postJson, reprovisionCalls } from './harness.mjs';
import { N8nRest } from './queue/fault.e2e.mjs';
import { TICKET_KEY } from './setup.mjs';

export const RERUN_WORKFLOW = 'cloudpcRerun0001';

/** n8n's node settings for Retry On Fail, as the editor saves them. */
export const RETRY_ON_FAIL = { retryOnFail: true, maxTries: 3, waitBetweenTries: 1000 };
export const CONTINUE = { onError: 'continueRegularOutput' };

/** A Cloud PC ID no tenant has: Graph answers 404 for it. */
export const UNKNOWN_ID = '0badc0de-0000-4000-8000-000000000404';
/** Not a Cloud PC ID at all: the node fails the item before sending anything for it. */
const MALFORMED_ID = 'not-a-cloud-pc-id';

/** Status lag while a case runs: longer than its retries and retries through the API. */
const LAG_MS = 60_000;
const FLEET = 20;

/** Each branch of the workflow: Webhook (Cloud PC IDs in the body) → Split Out → the node. */
const BRANCHES = {
	reprovisionContinue: {
		path: 'e2e-rerun/reprovision-continue',
		node: 'Reprovision, Retry On Fail, Continue',
		settings: { ...RETRY_ON_FAIL, ...CONTINUE },
		operation: 'reprovision',
	},
	reprovisionStop: {
		path: 'e2e-rerun/reprovision-stop',
		node: 'Reprovision, Retry On Fail, Stop Workflow',
		settings: RETRY_ON_FAIL,
		operation: 'reprovision',
	},
	bulkContinue: {
		path: 'e2e-rerun/bulk-continue',
		node: 'Bulk Reprovision, Retry On Fail, Continue',
		settings: { ...RETRY_ON_FAIL, ...CONTINUE },
		operation: 'bulkReprovision',
	},
	reprovisionOnce: {
		path: 'e2e-rerun/reprovision-once',
		node: 'Reprovision, Stop Workflow',
		settings: {},
		operation: 'reprovision',
	},
};

/**
 * The Cloud PCs of `body.cloudPcs` through one Microsoft Cloud PC node named `node` with n8n's
 * node `settings` (Organization scope, `parameters`, every other parameter at its default);
 * the webhook answers with its output. `key` (a number) makes the node ids unique.
 */
export function cloudPcBranch(
	{
		key,
		path,
		node,
		settings = {},
		operation = 'reprovision',
		parameters = {},
		webhook = `Webhook ${path}`,
		split = `One item per Cloud PC (${path})`,
	},
	typeVersion,
	credential,
) {
	const id = (n) => `3e7f0a1b-2c3d-4e5f-8a9b-${String(key * 10 + n).padStart(12, '0')}`;
	return {
		nodes: [
			{
				id: id(1),
				name: webhook,
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: id(4),
				parameters: {
					httpMethod: 'POST',
					path,
					responseMode: 'lastNode',
					responseData: 'allEntries',
					options: {},
				},
			},
			{
				id: id(2),
				name: split,
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.cloudPcs', include: 'noOtherFields', options: {} },
			},
			{
				id: id(3),
				name: node,
				type: NODE_TYPE,
				typeVersion,
				position: [440, 0],
				...settings,
				parameters: {
					authentication: credential.type === CREDENTIALS.graph.type ? 'oAuth2' : 'appOnly',
					resource: 'cloudPc',
					operation,
					...(operation === 'reprovision' ? { scope: 'organization' } : {}),
					cloudPcId: { __rl: true, mode: 'id', value: '={{ $json.cloudPcId }}' },
					...parameters,
				},
				credentials: { [credential.type]: { id: credential.id, name: credential.name } },
			},
		],
		connections: {
			[webhook]: { main: [[{ node: split, type: 'main', index: 0 }]] },
			[split]: { main: [[{ node, type: 'main', index: 0 }]] },
		},
	};
}

/** A workflow of cloudPcBranch()es, one below the other. */
export function workflowOf(id, name, branches) {
	return {
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: branches.flatMap((b, k) =>
			b.nodes.map((n) => ({ ...n, position: [n.position[0], k * 300] })),
		),
		connections: Object.assign({}, ...branches.map((b) => b.connections)),
	};
}

/** One workflow, one webhook per branch: one activation for all of them. */
export function rerunWorkflow(typeVersion) {
	return workflowOf(
		RERUN_WORKFLOW,
		'e2e: every way n8n runs a node again',
		Object.values(BRANCHES).map((branch, key) =>
			cloudPcBranch({ ...branch, key }, typeVersion, CREDENTIALS.graph),
		),
	);
}

/** Checks shared with queue mode: each Cloud PC reprovisioned once, and the outputs say so. */
export function checkEachOnce(check, graph, ids) {
	check(`each of the ${ids.length} Cloud PCs reprovisioned exactly once on the server`, () => {
		const notOnce = ids
			.map((id) => [id, graph.reprovisionCount(id)])
			.filter(([, count]) => count !== 1);
		assert.deepEqual(
			notOnce.map(([id, count]) => `${id}: ${count}`),
			[],
		);
	});
}

export function checkOutcomes(check, answer, ids, unknownId) {
	check(`the output says "requested" for the ${ids.length} and "failed" for the unknown ID`, () => {
		assert.equal(answer.status, 200, answer.text.slice(0, 300));
		const byId = new Map(answer.json.map((item) => [item.cloudPcId, item]));
		assert.equal(answer.json.length, ids.length + 1);
		for (const id of ids) assert.equal(byId.get(id)?.outcome, 'requested', id);
		assert.equal(byId.get(unknownId)?.outcome, 'failed');
		assert.equal(byId.get(unknownId)?.statusCode, 404);
	});
}

/**
 * That n8n did run the node again: its tries are Wait Between Tries apart, so what one Cloud
 * PC's requests span (or, without a request log, the whole call) is at least that many waits.
 */
export function checkTries(check, spanMs) {
	const { maxTries, waitBetweenTries } = RETRY_ON_FAIL;
	check(
		`n8n ran the node ${maxTries} times (${maxTries - 1} waits of ${waitBetweenTries} ms)`,
		() => assert.ok(spanMs >= (maxTries - 1) * waitBetweenTries, `${spanMs} ms`),
	);
}

/** Graph requests naming `id` (reads and reprovisions, direct or in a batch). */
const about = (graph, id) => graph.requests.filter((r) => r.path.includes(id));
const spanOf = (requests) => (requests.length ? requests.at(-1).at - requests[0].at : 0);

export async function rerunScenarios(ctx) {
	const { n8n, graph, report, version, fleet, ownerCookie } = ctx;
	const ids = fleet.map((pc) => pc.id);
	const rest = new N8nRest(n8n);
	rest.cookie = ownerCookie;
	rest.workflowId = RERUN_WORKFLOW;
	const body = (list) => ({ cloudPcs: list.map((cloudPcId) => ({ cloudPcId })) });
	const call = (branch, list) => postJson(`${n8n.baseUrl}/webhook/${branch.path}`, body(list));

	/** Fresh server state with the 20 Cloud PCs, and status lagging behind each reprovision. */
	function fresh() {
		graph.reset();
		for (const pc of fleet) graph.addCloudPc(pc);
		graph.setStatusLag(LAG_MS);
	}

	/** The execution a webhook call started: the newest one not known before. */
	async function started(run) {
		const known = new Set((await rest.executions()).map((e) => e.id));
		const answer = await run();
		const id = await rest.appeared('execution of the call', (list) =>
			list.find((e) => !known.has(e.id)),
		);
		return { answer, execution: await rest.settled(id) };
	}

	await report.scenario(
		`[n8n ${version}] Retry On Fail, Continue, the unknown ID first (n8n runs the node again while the first item carries an error)`,
		async (check) => {
			fresh();
			const answer = await call(BRANCHES.reprovisionContinue, [UNKNOWN_ID, ...ids]);
			check(
				"the first output item is the unknown ID's and carries `error` (why n8n tries again)",
				() => {
					assert.equal(answer.json?.[0]?.cloudPcId, UNKNOWN_ID, answer.text.slice(0, 300));
					assert.ok(answer.json[0].error);
				},
			);
			// each try asks Graph about the unknown ID again: it failed, nothing was sent for it
			checkTries(check, spanOf(about(graph, UNKNOWN_ID)));
			checkEachOnce(check, graph, ids);
			checkOutcomes(check, answer, ids, UNKNOWN_ID);
		},
	);

	// An unknown ID would stop this run before anything is sent (node version 2 checks every
	// Cloud PC with Graph first, and a failed check sends nothing without Continue On Fail):
	// here Graph refuses one Cloud PC's reprovision instead, at every try, after the others went.
	await report.scenario(
		`[n8n ${version}] Retry On Fail, Stop Workflow, Graph refuses the last Cloud PC at every try: the execution fails, nothing is wiped twice`,
		async (check) => {
			fresh();
			const refused = ids.at(-1);
			graph.failNext(
				{ method: 'POST', pathIncludes: `${refused}/reprovision` },
				{ status: 403, code: 'Forbidden', message: 'Application is not authorized.' },
				RETRY_ON_FAIL.maxTries,
			);
			const { answer, execution } = await started(() => call(BRANCHES.reprovisionStop, ids));
			const refusals = reprovisionCalls(graph.requests).filter((c) => c.path.includes(refused));
			check('the execution failed on the node, naming the 403', () => {
				assert.notEqual(answer.status, 200, answer.text.slice(0, 300));
				assert.equal(execution.status, 'error');
				assert.match(execution.error ?? '', /403|Forbidden|not authorized/i);
			});
			check(`the refused Cloud PC was sent at each of the ${RETRY_ON_FAIL.maxTries} tries`, () =>
				assert.deepEqual(
					refusals.map((c) => c.status),
					Array(RETRY_ON_FAIL.maxTries).fill(403),
				),
			);
			checkTries(check, spanOf(refusals));
			checkEachOnce(check, graph, ids.slice(0, -1));
		},
	);

	await report.scenario(
		`[n8n ${version}] Bulk Reprovision with Retry On Fail, Continue, a malformed ID first: one bulk action`,
		async (check) => {
			fresh();
			const answer = await call(BRANCHES.bulkContinue, [MALFORMED_ID, ...ids]);
			const created = graph.bulkActions();
			process.stdout.write(`  figures: ${created.length} bulk action(s) created\n`);
			check('exactly one bulk action, naming the 20 Cloud PCs', () => {
				assert.equal(created.length, 1);
				assert.deepEqual([...created[0].cloudPcIds].sort(), [...ids].sort());
			});
			checkEachOnce(check, graph, ids);
			check('the malformed item failed; the others name the bulk action', () => {
				assert.equal(answer.status, 200, answer.text.slice(0, 300));
				assert.equal(answer.json.length, ids.length + 1);
				assert.equal(answer.json[0].outcome, 'failed');
				for (const item of answer.json.slice(1)) {
					assert.equal(item.outcome, 'requested', JSON.stringify(item));
					assert.equal(item.bulkActionId, created[0]?.id);
				}
			});
		},
	);

	await report.scenario(
		`[n8n ${version}] the same ticket delivered twice: one reprovision, the second answer says skipped`,
		async (check) => {
			fresh();
			const [adele01] = ctx.samples;
			const ticket = { ticketId: 'T-9', user: adele01.userPrincipalName, cloudPcId: adele01.id };
			const post = () =>
				postJson(`${n8n.baseUrl}/webhook/${TICKET_WEBHOOK_PATH}`, ticket, {
					headers: { [TICKET_KEY_HEADER]: TICKET_KEY },
				});
			const first = await post();
			const second = await post();
			const node = ctx.workflows.ticket.nodes.find((n) => n.type === NODE_TYPE);
			process.stdout.write(
				`  figures: the example's node is typeVersion ${node.typeVersion}, scope ${node.parameters.scope}; ` +
					`answers ${first.status} ${first.json?.outcome}, ${second.status} ${second.json?.outcome}\n`,
			);
			check('the first answer: 202, requested', () => {
				assert.equal(first.status, 202, first.text);
				assert.equal(first.json.outcome, 'requested');
			});
			check('the second answer: skipped with the reason, not requested again', () => {
				assert.equal(second.json?.outcome, 'skipped', second.text);
				assert.ok(second.json.reason, second.text);
			});
			check("the user's Cloud PC reprovisioned exactly once on the server", () =>
				assert.equal(graph.reprovisionCount(adele01.id), 1),
			);
		},
	);

	await report.scenario(
		`[n8n ${version}] a failed execution retried through n8n's API (POST /rest/executions/{id}/retry): nothing wiped twice`,
		async (check) => {
			fresh();
			const refused = ids[7];
			graph.failNext(
				{ method: 'POST', pathIncludes: `${refused}/reprovision` },
				{ status: 403, code: 'Forbidden', message: 'Application is not authorized.' },
			);
			const { execution: failed } = await started(() => call(BRANCHES.reprovisionOnce, ids));
			check('the first execution failed after the others were requested', () => {
				assert.equal(failed.status, 'error');
				assert.equal(graph.reprovisionCount(refused), 0);
				assert.equal(ids.filter((id) => graph.reprovisionCount(id) === 1).length, ids.length - 1);
			});
			const retry = await rest.settled(await rest.retry(failed.id));
			const output = (retry.runData[BRANCHES.reprovisionOnce.node]?.[0]?.data?.main?.[0] ?? []).map(
				(item) => item.json,
			);
			process.stdout.write(
				`  figures: retry ${retry.id} (mode ${retry.mode}) ${retry.status}; outcomes ${output.map((o) => o.outcome).join(',')}\n`,
			);
			check('the retry is a new execution in mode "retry" and succeeded', () => {
				assert.equal(retry.mode, 'retry');
				assert.equal(String(retry.retryOf), String(failed.id));
				assert.equal(retry.status, 'success', retry.error);
			});
			checkEachOnce(check, graph, ids);
			check('the retry sent only the refused one: the others skipped', () => {
				assert.equal(output.length, ids.length);
				output.forEach((item, k) =>
					assert.equal(item.outcome, ids[k] === refused ? 'requested' : 'skipped', ids[k]),
				);
			});
		},
	);
}
