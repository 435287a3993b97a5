// The ticket example (Webhook → Reprovision the user's Cloud PC → Respond), active in
// `n8n start`, called on its production URL like a ticket system would. n8n keeps running
// afterwards (rerun.e2e.mjs); the caller stops it. Sets ctx.ownerCookie.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { NODE_TYPE } from '../../scripts/lib/n8n.mjs';
import {
	CREDENTIALS,
	TICKET_KEY_HEADER,
	TICKET_WEBHOOK_PATH,
	WORKFLOWS,
} from '../../scripts/lib/local-env.mjs';
import {
	GUID,
	assert,
	assertEmptyJsonWriteInBatch,
	postJson,
	reprovisionCalls,
} from './harness.mjs';
import { READ_ONLY, TICKET_KEY, US_GOV, graphCredential } from './setup.mjs';

const ADELE = 'AdeleV@contoso.onmicrosoft.com';
const MEGAN = 'MeganB@contoso.onmicrosoft.com';

export async function ticketScenarios(ctx) {
	const { n8n, graph, samples, report, version } = ctx;
	const pc = (name) => samples.find((s) => s.displayName === name).id;
	const adele01 = pc('AdeleV-01');
	const adele02 = pc('AdeleV-02');
	const megan01 = pc('MeganB-01');
	const megan02 = pc('MeganB-02'); // provisioning in the sample data
	const url = `${n8n.baseUrl}/webhook/${TICKET_WEBHOOK_PATH}`;

	async function post(body, key = TICKET_KEY) {
		return await postJson(url, body, { headers: key ? { [TICKET_KEY_HEADER]: key } : {} });
	}

	await report.scenario(
		`[n8n ${version}] n8n start with the ticket workflow active`,
		async (check) => {
			// The node's own token refresh: start from an expired access token again.
			await n8n.importCredentials([graphCredential(graph.url)]);
			await n8n.activateWorkflow(WORKFLOWS.ticket);
			await n8n.start();
			// Workflows are activated just after n8n reports it is ready.
			let probe;
			for (let i = 0; i < 60; i++) {
				probe = await post({}, 'wrong-key');
				if (probe.status !== 404) break;
				await sleep(500);
			}
			check(
				'the production webhook is registered (an unauthenticated call gets 403, not 404)',
				() => assert.equal(probe.status, 403),
			);
			// The type files need a signed-in user: set up the owner account, as on a first visit.
			const cookie = await n8n.ownerSession({
				email: 'e2e-owner@example.com',
				password: `E2e-${randomBytes(9).toString('base64url')}-9a`,
			});
			ctx.ownerCookie = cookie;
			const typeFile = async (name) =>
				(await fetch(`${n8n.baseUrl}/types/${name}.json`, { headers: { cookie } })).json();
			const nodes = await typeFile('nodes');
			const credentials = await typeFile('credentials');
			check(`the editor knows the community node ${NODE_TYPE} and its credential`, () => {
				const node = nodes.find((n) => n.name === NODE_TYPE);
				assert.ok(node, 'node type listed');
				assert.equal(node.displayName, 'Microsoft Cloud PC');
				assert.ok(
					credentials.some((c) => c.name === CREDENTIALS.graph.type),
					'credential type listed',
				);
			});
			// n8n resolves the credential's hidden expressions into the sign-in URL it sends users to.
			const auth = await fetch(`${n8n.baseUrl}/rest/oauth2-credential/auth?id=${US_GOV.id}`, {
				headers: { cookie },
			});
			const signIn = auth.ok ? new URL((await auth.json()).data) : undefined;
			check(
				'a US Gov L4 credential signs in at login.microsoftonline.us with graph.microsoft.us scopes',
				() => {
					assert.ok(signIn, `auth URL answered ${auth.status}`);
					assert.equal(
						`${signIn.origin}${signIn.pathname}`,
						`https://login.microsoftonline.us/${US_GOV.tenantId}/oauth2/v2.0/authorize`,
					);
					assert.equal(signIn.searchParams.get('client_id'), US_GOV.clientId);
					assert.equal(
						signIn.searchParams.get('scope'),
						'https://graph.microsoft.us/CloudPC.ReadWrite.All offline_access',
					);
					assert.equal(
						signIn.searchParams.get('redirect_uri'),
						`${n8n.baseUrl}/rest/oauth2-credential/callback`,
					);
				},
			);
			// the editor's "From List" picker, asked as the editor asks it
			const picker = await fetch(
				`${n8n.baseUrl}/rest/dynamic-node-parameters/resource-locator-results`,
				{
					method: 'POST',
					headers: { cookie, 'content-type': 'application/json' },
					body: JSON.stringify({
						path: 'parameters.cloudPcId',
						nodeTypeAndVersion: { name: NODE_TYPE, version: 1 },
						methodName: 'searchCloudPcs',
						filter: 'AdeleV-02',
						currentNodeParameters: {
							authentication: 'oAuth2',
							resource: 'cloudPc',
							operation: 'reprovision',
							scope: 'organization',
							apiVersion: 'v1.0',
						},
						// a credential of its own: the ticket's own must still start from its expired token
						credentials: {
							[CREDENTIALS.graph.type]: { id: READ_ONLY.id, name: READ_ONLY.name },
						},
					}),
				},
			);
			const pickerBody = await picker.json().catch(() => undefined);
			check(
				'the From List picker shows each Cloud PC as "name · status · user" (read through beta)',
				() => {
					assert.equal(picker.status, 200, JSON.stringify(pickerBody));
					assert.deepEqual(pickerBody.data.results, [
						{
							name: `AdeleV-02 · ${graph.cloudPc(adele02).status} · ${ADELE}`,
							value: adele02,
						},
					]);
					const lists = graph.requests.filter(
						(r) => r.method === 'GET' && /\/cloudPCs$/.test(r.path),
					);
					assert.ok(lists.length > 0, 'the picker asked Graph');
					for (const call of lists) {
						assert.equal(call.path, '/beta/deviceManagement/virtualEndpoint/cloudPCs');
					}
				},
			);
			const editor = await fetch(`${n8n.baseUrl}/`);
			check('the editor is served', () => assert.equal(editor.status, 200));
		},
	);

	await report.scenario(
		`[n8n ${version}] ticket without the right key: 403 from n8n, nothing sent to Graph`,
		async (check) => {
			graph.reset();
			const missing = await post({ ticketId: 'T-0', user: ADELE, cloudPcId: adele01 }, null);
			const wrong = await post({ ticketId: 'T-0', user: ADELE, cloudPcId: adele01 }, 'not-the-key');
			check('both answered 403', () => {
				assert.equal(missing.status, 403);
				assert.equal(wrong.status, 403);
			});
			check('no request reached the Graph server', () => assert.equal(graph.requests.length, 0));
		},
	);

	await report.scenario(
		`[n8n ${version}] ticket for the user's own Cloud PC: 202 with the request ids (expired token refreshed by the node)`,
		async (check) => {
			graph.reset();
			const { status, json } = await post({ ticketId: 'T-1', user: ADELE, cloudPcId: adele01 });
			const calls = reprovisionCalls(graph.requests);
			const expectedPath = `/v1.0/users/${encodeURIComponent(ADELE)}/cloudPCs/${adele01}/reprovision`;
			check('202 with outcome "requested", Graph status 204 and the ticket id', () => {
				assert.equal(status, 202, JSON.stringify(json));
				assert.equal(json.outcome, 'requested');
				assert.equal(json.statusCode, 204);
				assert.equal(json.ticketId, 'T-1');
				assert.equal(json.cloudPcId, adele01);
				assert.equal(json.user, ADELE);
				assert.match(json.clientRequestId, GUID);
			});
			check(
				'the node refreshed the expired token once: 401, token endpoint, then the check and the accepted call',
				() => {
					const tokenCalls = graph.requests.filter((r) => r.path === '/contoso/oauth2/v2.0/token');
					assert.equal(tokenCalls.length, 1);
					// $batch envelopes: a 401 envelope logs no inner requests. The first is Check for an
					// Earlier Reprovision's read (version 2), the last the reprovision.
					const outer = graph.requests.filter((r) => !r.batchRequestId);
					assert.deepEqual(
						outer.map((r) => (r.path.endsWith('/token') ? 'token' : r.status)),
						[401, 'token', 200, 200],
					);
					assert.deepEqual(
						calls.map((c) => c.status),
						[204],
					);
				},
			);
			check(
				'the Specific User route, URL-encoded UPN, in a $batch with body {} and Content-Type application/json; reprovisioned exactly once',
				() => {
					for (const call of calls) {
						assert.equal(call.path, expectedPath);
						assertEmptyJsonWriteInBatch(call);
					}
					assert.equal(graph.reprovisionCount(adele01), 1);
				},
			);
			check('the response carries the request id Graph answered with', () => {
				const accepted = calls.find((c) => c.status === 204);
				assert.equal(json.requestId, accepted.requestId);
				assert.equal(json.clientRequestId, accepted.headers['client-request-id']);
			});
		},
	);

	await report.scenario(
		`[n8n ${version}] ticket naming another user's Cloud PC: 422, Graph 404, nothing reprovisioned`,
		async (check) => {
			graph.reset();
			const { status, json } = await post({ ticketId: 'T-2', user: MEGAN, cloudPcId: adele01 });
			check('422 with outcome "failed", status 404 and a hint', () => {
				assert.equal(status, 422, JSON.stringify(json));
				assert.equal(json.outcome, 'failed');
				assert.equal(json.statusCode, 404);
				assert.equal(json.errorCode, 'ResourceNotFound');
				assert.match(json.hint, /belongs to that user/);
			});
			check("the check, then one reprovision, on Megan's route; Adele's Cloud PC untouched", () => {
				const calls = reprovisionCalls(graph.requests);
				assert.equal(calls.length, 1);
				assert.equal(
					calls[0].path,
					`/v1.0/users/${encodeURIComponent(MEGAN)}/cloudPCs/${adele01}/reprovision`,
				);
				assert.equal(graph.reprovisionCount(adele01), 0);
			});
		},
	);

	await report.scenario(
		`[n8n ${version}] ticket, Graph answers 403 (Continue On Fail): 422 with code, message, hint and request id`,
		async (check) => {
			graph.reset();
			graph.failNext(
				{ method: 'POST', pathIncludes: `${megan01}/reprovision` },
				{
					status: 403,
					code: 'Forbidden',
					message: 'Insufficient privileges to complete the operation.',
				},
			);
			const { status, json } = await post({ ticketId: 'T-3', user: MEGAN, cloudPcId: megan01 });
			const calls = reprovisionCalls(graph.requests);
			check('422 with outcome "failed" and Graph\'s 403 details', () => {
				assert.equal(status, 422, JSON.stringify(json));
				assert.equal(json.outcome, 'failed');
				assert.equal(json.statusCode, 403);
				assert.equal(json.errorCode, 'Forbidden');
				assert.equal(json.errorMessage, 'Insufficient privileges to complete the operation.');
				assert.match(json.hint, /CloudPC\.ReadWrite\.All/);
			});
			check('exactly one request (a 403 is not retried); its request id is in the response', () => {
				assert.equal(calls.length, 1);
				assert.equal(json.requestId, calls[0].requestId);
				assert.equal(graph.reprovisionCount(megan01), 0);
			});
		},
	);

	await report.scenario(
		`[n8n ${version}] ticket with malformed input: 422 before anything is sent to Graph`,
		async (check) => {
			graph.reset();
			const traversal =
				'../../../deviceManagement/virtualEndpoint/cloudPCs/4b5ad5e0-6a0b-4ffc-818d-36bb23cf4dbd';
			const badId = await post({ ticketId: 'T-4', user: ADELE, cloudPcId: traversal });
			const badUser = await post({
				ticketId: 'T-5',
				user: 'AdeleV@contoso.com/../../me',
				cloudPcId: adele01,
			});
			const noUser = await post({ ticketId: 'T-6', cloudPcId: adele01 });
			check('a Cloud PC id that is not a GUID: 422 naming the field, echoing what came', () => {
				assert.equal(badId.status, 422, badId.text);
				assert.equal(badId.json.outcome, 'failed');
				assert.equal(badId.json.field, 'cloudPcId');
				assert.equal(badId.json.cloudPcId, traversal);
				assert.match(badId.json.errorMessage, /^"Cloud PC" /);
			});
			check('a user that is neither a GUID nor a UPN, or no user: 422 naming the field', () => {
				assert.equal(badUser.status, 422, badUser.text);
				assert.equal(badUser.json.field, 'user');
				assert.equal(badUser.json.user, 'AdeleV@contoso.com/../../me');
				assert.equal(badUser.json.cloudPcId, adele01);
				assert.match(badUser.json.errorMessage, /^"User" /);
				assert.equal(noUser.status, 422, noUser.text);
				assert.equal(noUser.json.field, 'user');
				assert.match(noUser.json.errorMessage, /User/);
			});
			check('no request reached the Graph server', () => assert.equal(graph.requests.length, 0));
		},
	);

	await report.scenario(
		`[n8n ${version}] ticket with a mistyped user: 422 naming the user, not the Cloud PC`,
		async (check) => {
			graph.reset();
			const typo = ADELE.replace('AdeleV', 'AdeleW');
			const { status, json } = await post({ ticketId: 'T-8', user: typo, cloudPcId: adele01 });
			check('422, field "user", the hint names the unknown user', () => {
				assert.equal(status, 422, JSON.stringify(json));
				assert.equal(json.field, 'user');
				assert.equal(json.errorCode, 'Request_ResourceNotFound');
				assert.match(json.hint, new RegExp(`^No user "${typo}" in this tenant`));
				assert.equal(graph.reprovisionCount(adele01), 0);
			});
		},
	);

	await report.scenario(
		`[n8n ${version}] ticket for a Cloud PC still provisioning: 422 with Graph's reason`,
		async (check) => {
			graph.reset();
			const { status, json } = await post({ ticketId: 'T-7', user: MEGAN, cloudPcId: megan02 });
			check('422, Graph status 400, the hint explains which states can be reprovisioned', () => {
				assert.equal(status, 422, JSON.stringify(json));
				assert.equal(json.statusCode, 400);
				assert.match(json.errorMessage, /provisioning/);
				assert.match(json.hint, /"provisioned" or "failed"/);
			});
			check('one request, nothing reprovisioned', () => {
				assert.equal(reprovisionCalls(graph.requests).length, 1);
				assert.equal(graph.reprovisionCount(megan02), 0);
			});
		},
	);
}
