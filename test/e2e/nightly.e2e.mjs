// The nightly example (Schedule Trigger / "Run now" → list failed Cloud PCs → Reprovision →
// notification), run with `n8n execute`.
import { PACKAGE_NAME } from '../../scripts/lib/n8n.mjs';
import { WORKFLOWS } from '../../scripts/lib/local-env.mjs';
import {
	GUID,
	assert,
	assertEmptyJsonWriteInBatch,
	nodeOutput,
	reprovisionCalls,
} from './harness.mjs';
import { NODES, VARIANTS } from './setup.mjs';

const REPROVISION = 'Reprovision Cloud PC';
const LIST = 'Get failed Cloud PCs';

const ADMIN_PATH = (version, id) =>
	`/${version}/deviceManagement/virtualEndpoint/cloudPCs/${id}/reprovision`;

export async function nightlyScenarios(ctx) {
	const { n8n, graph, sink, samples, report, version } = ctx;
	const pc = (suffix) => samples.find((s) => s.displayName === suffix).id;
	const adele02 = pc('AdeleV-02'); // failed in the sample data
	const megan01 = pc('MeganB-01');
	const alex01 = pc('AlexW-01');

	/** Fresh server state and sink, `prepare()`, then `n8n execute`. */
	async function execute(workflowId, prepare = () => {}) {
		graph.reset();
		sink.messages.length = 0;
		prepare();
		const result = await n8n.execute(workflowId);
		if (!result.run) {
			throw new Error(
				`no execution result from n8n execute (exit ${result.code}):\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`,
			);
		}
		return result;
	}

	await report.scenario(
		`[n8n ${version}] nightly as shipped: 3 failed Cloud PCs over 2 pages, expired token refreshed`,
		async (check) => {
			const failed = [adele02, megan01, alex01];
			const { code, run } = await execute(WORKFLOWS.nightly, () => {
				graph.setStatus(megan01, 'failed');
				graph.setStatus(alex01, 'failed');
			});
			const output = nodeOutput(run, REPROVISION) ?? [];
			const calls = reprovisionCalls(graph.requests);
			check('execution succeeded (exit 0, no error)', () => {
				assert.equal(run.data.resultData.error, undefined);
				assert.equal(code, 0);
			});
			check('the expired access token was refreshed once through the token endpoint', () => {
				const tokenCalls = graph.requests.filter((r) => r.path === '/contoso/oauth2/v2.0/token');
				assert.equal(tokenCalls.length, 1);
				assert.equal(tokenCalls[0].status, 200);
				assert.equal(tokenCalls[0].body.grant_type, 'refresh_token');
				assert.equal(tokenCalls[0].body.client_id, 'local-demo-client');
			});
			check('Get Many read every page (@odata.nextLink) of status eq failed, through beta', () => {
				const pages = graph.requests.filter(
					(r) =>
						r.method === 'GET' &&
						r.path === '/beta/deviceManagement/virtualEndpoint/cloudPCs' &&
						r.status === 200,
				);
				assert.equal(pages.length, 2);
				assert.equal(pages[0].query.$filter, "status eq 'failed'");
				assert.ok(pages[1].query.$skiptoken, 'second page by skiptoken');
				assert.deepEqual(
					(nodeOutput(run, LIST) ?? []).map((pc) => [pc.cloudPcId, pc.status]),
					failed.map((id) => [id, 'failed']),
				);
			});
			check(
				'Reprovision emitted one item per failed Cloud PC, in order, all requested (204)',
				() => {
					assert.deepEqual(
						output.map((o) => o.cloudPcId),
						failed,
					);
					for (const item of output) {
						assert.equal(item.outcome, 'requested');
						assert.equal(item.statusCode, 204);
						assert.equal(item.scope, 'organization');
						assert.equal(item.apiVersion, 'v1.0');
						assert.equal(item.osVersion, null);
						assert.equal(item.userAccountType, null);
						assert.match(item.clientRequestId, GUID);
						assert.ok(!Number.isNaN(Date.parse(item.requestedAt)), 'requestedAt is a date');
					}
				},
			);
			check(
				'exactly one reprovision per Cloud PC, on the admin route, in a $batch with body {} and Content-Type application/json',
				() => {
					assert.deepEqual(
						calls.map((c) => c.path).sort(),
						failed.map((id) => ADMIN_PATH('v1.0', id)).sort(),
					);
					for (const call of calls) assertEmptyJsonWriteInBatch(call);
					for (const id of failed) assert.equal(graph.reprovisionCount(id), 1, id);
					for (const other of samples.filter((s) => !failed.includes(s.id))) {
						assert.equal(graph.reprovisionCount(other.id), 0, other.displayName);
					}
					assert.equal(graph.cloudPc(adele02).status, 'provisioning');
				},
			);
			check(
				'each request names the package (User-Agent) and carries the client-request-id the item reports',
				() => {
					for (const item of output) {
						const call = calls.find((c) => c.path === ADMIN_PATH('v1.0', item.cloudPcId));
						assert.ok(
							call.headers['user-agent'].includes(PACKAGE_NAME),
							call.headers['user-agent'],
						);
						assert.equal(call.headers['client-request-id'], item.clientRequestId);
						assert.equal(item.requestId, call.requestId);
					}
				},
			);
			check('one notification: "3 requested, 0 failed", naming the Cloud PCs', () => {
				assert.equal(sink.messages.length, 1);
				const { body } = sink.messages[0];
				assert.equal(body.text, 'Nightly Cloud PC reprovision: 3 requested, 0 failed');
				assert.deepEqual(
					body.cloudPcs.map((c) => c.displayName),
					['AdeleV-02', 'MeganB-01', 'AlexW-01'],
				);
			});
		},
	);

	await report.scenario(
		`[n8n ${version}] nightly with nothing failed: no reprovision, no notification`,
		async (check) => {
			const { code, run } = await execute(WORKFLOWS.nightly, () =>
				graph.setStatus(adele02, 'provisioned'),
			);
			check('execution succeeded', () => {
				assert.equal(run.data.resultData.error, undefined);
				assert.equal(code, 0);
			});
			check('the list was read, nothing was reprovisioned', () => {
				assert.ok(graph.requests.some((r) => r.method === 'GET' && r.status === 200));
				assert.equal((nodeOutput(run, LIST) ?? []).length, 0);
				assert.equal(reprovisionCalls(graph.requests).length, 0);
				assert.ok(!(nodeOutput(run, REPROVISION)?.length > 0), 'Reprovision produced no items');
			});
			check('no notification', () => assert.equal(sink.messages.length, 0));
		},
	);

	await report.scenario(
		`[n8n ${version}] nightly, Graph answers 403 and 404 for two Cloud PCs, Continue On Fail: the third goes through`,
		async (check) => {
			const { code, run } = await execute(WORKFLOWS.nightly, () => {
				graph.setStatus(megan01, 'failed');
				graph.setStatus(alex01, 'failed');
				graph.failNext(
					{ method: 'POST', pathIncludes: `${alex01}/reprovision` },
					{
						status: 403,
						code: 'Forbidden',
						message: 'Application is not authorized to perform this operation.',
					},
				);
				graph.failNext(
					{ method: 'POST', pathIncludes: `${megan01}/reprovision` },
					{
						status: 404,
						code: 'ResourceNotFound',
						message: 'The requested resource does not exist.',
					},
				);
			});
			const output = nodeOutput(run, REPROVISION) ?? [];
			const calls = reprovisionCalls(graph.requests);
			const forbidden = output.find((o) => o.cloudPcId === alex01) ?? {};
			const missing = output.find((o) => o.cloudPcId === megan01) ?? {};
			check('execution succeeded (the failures stay on their items)', () => {
				assert.equal(run.data.resultData.error, undefined);
				assert.equal(code, 0);
				assert.equal(output.length, 3);
			});
			check('the allowed Cloud PC was requested (204)', () => {
				const item = output.find((o) => o.cloudPcId === adele02);
				assert.equal(item.outcome, 'requested');
				assert.equal(item.statusCode, 204);
				assert.equal(graph.reprovisionCount(adele02), 1);
			});
			check('the 403 item failed with status, code, message, hint and request id', () => {
				assert.equal(forbidden.outcome, 'failed');
				assert.equal(forbidden.statusCode, 403);
				assert.equal(forbidden.errorCode, 'Forbidden');
				assert.match(forbidden.errorMessage, /not authorized/);
				assert.match(forbidden.hint, /CloudPC\.ReadWrite\.All/);
				assert.match(forbidden.hint, /admin consent/);
				assert.match(forbidden.error, /403/);
				const call = calls.find((c) => c.path.includes(alex01));
				assert.equal(forbidden.requestId, call.requestId);
				assert.equal(forbidden.clientRequestId, call.headers['client-request-id']);
				assert.equal(graph.reprovisionCount(alex01), 0);
				assert.equal(graph.cloudPc(alex01).status, 'failed');
			});
			check('the 404 item failed with code ResourceNotFound and its hint', () => {
				assert.equal(missing.outcome, 'failed');
				assert.equal(missing.statusCode, 404);
				assert.equal(missing.errorCode, 'ResourceNotFound');
				assert.match(missing.hint, /No such Cloud PC/);
				assert.equal(graph.reprovisionCount(megan01), 0);
			});
			check("the 404 item's error message names the 404, not a connection failure", () => {
				assert.match(missing.error, /404/);
				assert.doesNotMatch(missing.error, /connection cannot be established/);
			});
			check('4xx answers are not retried: exactly one reprovision request per Cloud PC', () => {
				for (const id of [adele02, megan01, alex01]) {
					assert.equal(calls.filter((c) => c.path.includes(id)).length, 1, id);
				}
				assert.equal(calls.length, 3);
			});
			check('the notification reports "1 requested, 2 failed" with the hints', () => {
				assert.equal(sink.messages.length, 1);
				const { body } = sink.messages[0];
				assert.equal(body.text, 'Nightly Cloud PC reprovision: 1 requested, 2 failed');
				const refused = body.cloudPcs.find((c) => c.cloudPcId === alex01);
				assert.equal(refused.errorCode, 'Forbidden');
				assert.match(refused.hint, /CloudPC\.ReadWrite\.All/);
			});
		},
	);

	await report.scenario(
		`[n8n ${version}] nightly with a read-only credential (real 403) and Continue On Fail off: the execution fails`,
		async (check) => {
			const { code, run } = await execute(VARIANTS.nightlyReadOnlyStops, () =>
				graph.setStatus(megan01, 'failed'),
			);
			const error = run.data.resultData.error;
			const calls = reprovisionCalls(graph.requests);
			check('n8n execute exits 1 and the error comes from the Reprovision node', () => {
				assert.equal(code, 1);
				assert.ok(error, 'resultData.error is set');
				assert.equal(run.data.resultData.lastNodeExecuted, REPROVISION);
			});
			check('the error says 403 and what to grant, and names the request ids', () => {
				const text = `${error.message} ${error.description ?? ''}`;
				assert.match(text, /403|Forbidden|not authorized/i);
				assert.match(error.description ?? '', /CloudPC\.ReadWrite\.All/);
				assert.match(error.description ?? '', /Request ID: [0-9a-f-]{36}/);
			});
			check(
				'Graph refused every attempt (403) and nothing was reprovisioned; each Cloud PC at most once',
				() => {
					assert.ok(calls.length >= 1);
					for (const call of calls) assert.equal(call.status, 403, call.path);
					for (const id of [adele02, megan01]) {
						assert.ok(calls.filter((c) => c.path.includes(id)).length <= 1, id);
						assert.equal(graph.reprovisionCount(id), 0);
					}
				},
			);
			check('no notification', () => assert.equal(sink.messages.length, 0));
		},
	);

	await report.scenario(
		`[n8n ${version}] nightly via beta with OS version and account type: the admin route gets them as JSON`,
		async (check) => {
			const { code, run } = await execute(VARIANTS.nightlyWithOptions);
			const output = nodeOutput(run, REPROVISION) ?? [];
			const calls = reprovisionCalls(graph.requests);
			check('execution succeeded', () => {
				assert.equal(run.data.resultData.error, undefined);
				assert.equal(code, 0);
			});
			check(
				'one request to /beta/…/reprovision with exactly { osVersion, userAccountType }',
				() => {
					assert.equal(calls.length, 1);
					assert.equal(calls[0].path, ADMIN_PATH('beta', adele02));
					assert.deepEqual(calls[0].body, {
						osVersion: 'windows10',
						userAccountType: 'administrator',
					});
					assert.match(calls[0].headers['content-type'] ?? '', /application\/json/);
				},
			);
			check('the item reports the options; the server applied them once', () => {
				assert.equal(output.length, 1);
				assert.equal(output[0].outcome, 'requested');
				assert.equal(output[0].apiVersion, 'beta');
				assert.equal(output[0].osVersion, 'windows10');
				assert.equal(output[0].userAccountType, 'administrator');
				assert.equal(graph.reprovisionCount(adele02), 1);
				const last = graph.cloudPc(adele02).lastReprovision;
				assert.equal(last.osVersion, 'windows10');
				assert.equal(last.userAccountType, 'administrator');
			});
		},
	);

	await report.scenario(
		`[n8n ${version}] Get Many with every setting at its default: a status for every Cloud PC`,
		async (check) => {
			const { code, run } = await execute(VARIANTS.getManyDefaults, () =>
				graph.setStatus(megan01, 'failed'),
			);
			const output = nodeOutput(run, NODES.getMany) ?? [];
			const lists = graph.requests.filter((r) => r.method === 'GET' && /\/cloudPCs$/.test(r.path));
			check('execution succeeded', () => {
				assert.equal(run.data.resultData.error, undefined);
				assert.equal(code, 0);
			});
			check('one item per Cloud PC, each with the status Graph holds for it', () => {
				assert.deepEqual(
					output.map((pc) => pc.cloudPcId),
					samples.map((pc) => pc.id),
				);
				for (const pc of output) {
					assert.equal(typeof pc.status, 'string', `${pc.cloudPcName}: status ${pc.status}`);
					assert.equal(pc.status, graph.cloudPc(pc.cloudPcId).status, pc.cloudPcName);
				}
				assert.equal(output.find((pc) => pc.cloudPcId === megan01).status, 'failed');
			});
			check('read through beta (v1.0 has no status), every page, one request per page', () => {
				assert.ok(lists.length >= 2, `${lists.length} pages`);
				for (const call of lists) {
					assert.equal(call.path, '/beta/deviceManagement/virtualEndpoint/cloudPCs');
				}
				for (const pc of output) assert.equal(pc.apiVersion, 'beta');
			});
		},
	);

	await report.scenario(
		`[n8n ${version}] Reprovision of a Cloud PC chosen From List: the output names it`,
		async (check) => {
			const { code, run } = await execute(VARIANTS.reprovisionFromList);
			const output = nodeOutput(run, NODES.reprovision) ?? [];
			const adele = samples.find((s) => s.id === adele02);
			check('execution succeeded', () => {
				assert.equal(run.data.resultData.error, undefined);
				assert.equal(code, 0);
			});
			check("the item carries the Cloud PC's display name and user, and was requested", () => {
				assert.equal(output.length, 1);
				assert.equal(output[0].cloudPcId, adele02);
				assert.equal(output[0].cloudPcName, 'AdeleV-02');
				assert.equal(output[0].userPrincipalName, adele.userPrincipalName);
				assert.equal(output[0].outcome, 'requested');
				assert.equal(graph.reprovisionCount(adele02), 1);
			});
			check('no request but the check and the reprovision: the name came with the choice', () => {
				const operations = graph.requests.filter(
					(r) => !r.path.endsWith('$batch') && !r.path.endsWith('/token'),
				);
				assert.deepEqual(
					operations.map((r) => `${r.method} ${r.path}`),
					[
						`GET /beta/deviceManagement/virtualEndpoint/cloudPCs/${adele02}/retrieveCloudPcRemoteActionResults`,
						`POST ${ADMIN_PATH('v1.0', adele02)}`,
					],
				);
			});
		},
	);
}
