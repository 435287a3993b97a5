import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startGraphServer, type GraphServer } from '../../../graph-server';
import {
	ADELE,
	PC,
	SECRETS,
	delegatedCredential,
	reprovisionParameters,
	serverOptions,
} from '../../../fixtures';
import { runCloudPcNode, type RunOptions } from '../../../harness/run-workflow';

/** `graph` leaves actions running until the test finishes them; `auto` ends them on the 2nd poll. */
let graph: GraphServer;
let auto: GraphServer;

beforeAll(async () => {
	graph = await startGraphServer(serverOptions());
	auto = await startGraphServer({ ...serverOptions(), reprovisionCompletesAfterPolls: 2 });
});
afterAll(async () => {
	await graph.close();
	await auto.close();
});
beforeEach(() => {
	graph.reset();
	auto.reset();
});

const run = async (
	safety: INodeParameters,
	options: Partial<RunOptions> & { server?: GraphServer; overrides?: INodeParameters } = {},
) => {
	const { server = graph, overrides = {}, ...rest } = options;
	return await runCloudPcNode({
		credentials: delegatedCredential(server.url),
		parameters: reprovisionParameters({ safety, ...overrides }),
		...rest,
	});
};

const inner = (server: GraphServer) =>
	server.requests.filter((r) => r.batchRequestId !== undefined);
const posts = (server: GraphServer) => inner(server).filter((r) => r.method === 'POST');
const reads = (server: GraphServer) => inner(server).filter((r) => r.method === 'GET');
const polls = (server: GraphServer) =>
	reads(server).filter((r) => r.path.endsWith('/retrieveCloudPcRemoteActionResults'));
const orgPath = (version: string, id: string) =>
	`/${version}/deviceManagement/virtualEndpoint/cloudPCs/${id}`;

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
	const started = Date.now();
	while (!condition()) {
		if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

const REPROVISIONABLE = '"provisioned" or "failed"';

describe('Only If Reprovisionable', () => {
	test('reads each Cloud PC through beta first and skips one that is provisioning', async () => {
		const ids = [PC.adeleFailed, PC.alexProvisioning, PC.adeleProvisioned];
		const { output, error } = await run(
			{ onlyIfReprovisionable: true },
			{ items: ids.map((cloudPcId) => ({ cloudPcId })), overrides: { apiVersion: 'v1.0' } },
		);

		expect(error).toBeUndefined();
		expect(reads(graph).map((r) => r.path)).toEqual(ids.map((id) => orgPath('beta', id)));
		expect(posts(graph).map((r) => r.path)).toEqual([
			`${orgPath('v1.0', PC.adeleFailed)}/reprovision`,
			`${orgPath('v1.0', PC.adeleProvisioned)}/reprovision`,
		]);
		expect(graph.reprovisionCount(PC.alexProvisioning)).toBe(0);

		expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2].map((item) => ({ item })));
		expect(output.map((item) => item.json.outcome)).toEqual(['requested', 'skipped', 'requested']);
		expect(output[1].json).toMatchObject({
			cloudPcId: PC.alexProvisioning,
			cloudPcName: 'CPC-alex-02',
			userPrincipalName: "alex.o'neil#it@contoso.com",
			status: 'provisioning',
			outcome: 'skipped',
			reason: `Its status is "provisioning"; only a Cloud PC whose status is ${REPROVISIONABLE} can be reprovisioned`,
			requestedAt: null,
			apiVersion: 'v1.0',
		});
		expect(output[0].json).toMatchObject({
			cloudPcName: 'CPC-adele-02',
			status: 'failed',
			statusDetail: 'Provisioning failed. Reprovision the Cloud PC to try again.',
			outcome: 'requested',
			reason: null,
			statusCode: 204,
			requestId: posts(graph)[0].requestId,
		});
	});

	test('on the user scope the read goes to that user, and a new status value skips too', async () => {
		graph.setStatus(PC.adeleProvisioned, 'hibernating');
		const { output } = await run(
			{ onlyIfReprovisionable: true },
			{
				items: [{ cloudPcId: PC.adeleProvisioned }],
				overrides: { scope: 'user', user: ADELE.upn },
			},
		);

		expect(reads(graph)[0].path).toBe(
			`/beta/users/${encodeURIComponent(ADELE.upn)}/cloudPCs/${PC.adeleProvisioned}`,
		);
		expect(posts(graph)).toEqual([]);
		expect(output[0].json).toMatchObject({ outcome: 'skipped', status: 'hibernating' });
	});

	test('a Cloud PC that cannot be read fails its item and is not reprovisioned', async () => {
		const unknown = '99999999-9999-4999-8999-999999999999';
		const { output } = await run(
			{ onlyIfReprovisionable: true },
			{ items: [{ cloudPcId: unknown }, { cloudPcId: PC.adeleFailed }], continueOnFail: true },
		);

		expect(posts(graph).map((r) => r.path)).toEqual([
			`${orgPath('v1.0', PC.adeleFailed)}/reprovision`,
		]);
		expect(output[0].json).toMatchObject({
			cloudPcId: unknown,
			outcome: 'failed',
			statusCode: 404,
			reason: expect.stringContaining('The Cloud PC could not be read: 404 ResourceNotFound'),
		});
		expect(output[1].json.outcome).toBe('requested');

		graph.reset();
		const stopped = await run(
			{ onlyIfReprovisionable: true },
			{ items: [{ cloudPcId: unknown }, { cloudPcId: PC.adeleFailed }] },
		);
		expect(stopped.error?.httpCode).toBe('404');
		expect(stopped.error?.description).toContain('No reprovision was requested in this run.');
		expect(posts(graph)).toEqual([]);
	});
});

describe('Dry Run', () => {
	test('validates every item and outputs what would be sent; sends nothing', async () => {
		const { output, error } = await run(
			{ dryRun: true },
			{
				items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: PC.alexProvisioning }],
				overrides: { reprovisionOptions: { osVersion: 'windows11' } },
			},
		);

		expect(error).toBeUndefined();
		expect(graph.requests).toEqual([]);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(output[0].json).toEqual({
			cloudPcId: PC.adeleProvisioned,
			cloudPcName: null,
			userPrincipalName: null,
			scope: 'organization',
			user: null,
			apiVersion: 'v1.0',
			osVersion: 'windows11',
			userAccountType: null,
			outcome: 'dryRun',
			reason: null,
			requestedAt: null,
			method: 'POST',
			path: `${orgPath('v1.0', PC.adeleProvisioned)}/reprovision`,
			body: { osVersion: 'windows11' },
		});
		// a dry run does not read the Cloud PC: that one would be refused by Graph (provisioning)
		expect(output[1].json).toMatchObject({ outcome: 'dryRun', body: { osVersion: 'windows11' } });
	});

	test('set by an expression per item: each item does what its value says, every output has the same keys', async () => {
		// What an item does follows its evaluated value; the output's keys follow the configuration,
		// so a sheet or ticket template downstream sees the same columns for every item.
		const { output, error } = await run(
			{ dryRun: '={{ $json.rehearse }}' },
			{
				items: [
					{ cloudPcId: PC.adeleProvisioned, rehearse: true },
					{ cloudPcId: PC.adeleFailed, rehearse: false },
				],
			},
		);

		expect(error).toBeUndefined();
		expect(output.map((item) => item.json.outcome)).toEqual(['dryRun', 'requested']);
		expect(posts(graph).map((r) => r.path)).toEqual([
			`${orgPath('v1.0', PC.adeleFailed)}/reprovision`,
		]);
		expect(Object.keys(output[1].json).sort()).toEqual(
			expect.arrayContaining(['method', 'path', 'body', 'reason']),
		);
		expect(output[1].json).toMatchObject({ method: null, path: null, body: null, reason: null });
		expect(output[0].json).toMatchObject({ method: 'POST', body: null });
	});

	test('bad input still fails the run, naming item and field', async () => {
		const { error } = await run(
			{ dryRun: true },
			{ items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: 'CPC-adele-01' }] },
		);

		expect(error?.message).toContain('Item 1: "Cloud PC" must be a Cloud PC ID');
		expect(graph.requests).toEqual([]);
	});

	test('with Only If Reprovisionable it reads, skips, and still sends no POST', async () => {
		const { output } = await run(
			{ dryRun: true, onlyIfReprovisionable: true },
			{ items: [{ cloudPcId: PC.adeleFailed }, { cloudPcId: PC.alexProvisioning }] },
		);

		expect(inner(graph).map((r) => r.method)).toEqual(['GET', 'GET']);
		expect(posts(graph)).toEqual([]);
		expect(graph.stats().reprovisionAttempts).toBe(0);
		expect(output.map((item) => item.json.outcome)).toEqual(['dryRun', 'skipped']);
		expect(output[0].json).toMatchObject({ status: 'failed', method: 'POST', body: null });
		expect(output[1].json).toMatchObject({ method: null, path: null, body: null });
	});
});

describe('Wait for Completion', () => {
	const waitFor = (extra: INodeParameters = {}): INodeParameters => ({
		waitForCompletion: true,
		pollIntervalSeconds: 1,
		waitTimeoutMinutes: 1,
		...extra,
	});

	test('polls all waiting Cloud PCs together, politely, until done', async () => {
		const ids = [PC.adeleFailed, PC.adeleProvisioned];
		const { output, error } = await run(waitFor(), {
			server: auto,
			items: ids.map((cloudPcId) => ({ cloudPcId })),
		});

		expect(error).toBeUndefined();
		const envelopes = auto.requests.filter((r) => r.path.endsWith('$batch'));
		// one batch of reprovisions, then one batch per round with every waiting Cloud PC
		expect(envelopes.map((e) => (e.body as { requests: IDataObject[] }).requests.length)).toEqual([
			2, 2, 2,
		]);
		const rounds = polls(auto);
		expect(rounds.map((r) => r.path)).toEqual(
			[...ids, ...ids].map((id) => `${orgPath('beta', id)}/retrieveCloudPcRemoteActionResults`),
		);
		expect(rounds[2].at - rounds[0].at).toBeGreaterThanOrEqual(1000);

		for (const [index, item] of output.entries()) {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json).toMatchObject({
				cloudPcId: ids[index],
				outcome: 'done',
				reason: null,
				statusCode: 204,
				actionName: 'Reprovision',
				actionState: 'done',
				actionStartDateTime: expect.stringMatching(/^\d{4}-/),
				completedAt: expect.stringMatching(/^\d{4}-/),
				waitedSeconds: expect.any(Number),
			});
			expect(auto.cloudPc(ids[index])?.status).toBe('provisioned');
		}
	});

	test("until failed: the final state and Graph's reason are data, not an error", async () => {
		const running = run(waitFor(), { items: [{ cloudPcId: PC.adeleFailed }] });
		await until(() => polls(graph).length >= 1);
		graph.completeRemoteAction(PC.adeleFailed, 'failed');
		const { output, error } = await running;

		expect(error).toBeUndefined();
		expect(output[0].json).toMatchObject({
			outcome: 'failed',
			reason:
				'The reprovision action ended as failed: Reprovisioning failed. Try again, or contact support if it fails again.',
			actionState: 'failed',
			actionStatusDetailCode: 'internalServerError',
			completedAt: expect.stringMatching(/^\d{4}-/),
		});
		expect(output[0].json.error).toBeUndefined();
		expect(graph.cloudPc(PC.adeleFailed)?.status).toBe('failed');
	});

	test('timing out leaves the item requested, with the reason and the last state seen', async () => {
		const started = Date.now();
		const { output } = await run(waitFor({ waitTimeoutMinutes: 0.03 }), {
			items: [{ cloudPcId: PC.adeleProvisioned }],
		});

		expect(Date.now() - started).toBeGreaterThanOrEqual(1800);
		expect(polls(graph)).toHaveLength(2);
		expect(output[0].json).toMatchObject({
			outcome: 'requested',
			reason: 'Still running after 0.03 minutes',
			actionState: 'active',
			completedAt: null,
			waitedSeconds: 2,
		});
		expect(graph.cloudPc(PC.adeleProvisioned)?.status).toBe('provisioning');
	});

	test('a refused reprovision is not waited for; the others are (Continue On Fail)', async () => {
		const { output } = await run(waitFor(), {
			server: auto,
			items: [{ cloudPcId: PC.alexProvisioning }, { cloudPcId: PC.adeleFailed }],
			continueOnFail: true,
		});

		expect(output.map((item) => item.json.outcome)).toEqual(['failed', 'done']);
		expect(output[0].json).toMatchObject({ statusCode: 400, actionState: null, completedAt: null });
		expect(polls(auto).every((r) => r.path.includes(PC.adeleFailed))).toBe(true);
	});

	test('needs the Organization scope: refused before anything is sent', async () => {
		const { error } = await run(waitFor(), {
			items: [{ cloudPcId: PC.adeleFailed }],
			overrides: { scope: 'me' },
		});

		expect(error?.message).toContain(
			'Item 0: "Wait for Completion" needs the Organization (Admin) scope',
		);
		expect(graph.requests).toEqual([]);
	});

	test('a check, a wait and the outcome in one run, with no secret in it', async () => {
		const result = await run(waitFor({ onlyIfReprovisionable: true }), {
			server: auto,
			items: [{ cloudPcId: PC.adeleFailed }, { cloudPcId: PC.alexProvisioning }],
		});

		expect(result.output.map((item) => item.json.outcome)).toEqual(['done', 'skipped']);
		// the status read before the request stays; the action's own detail sits beside it
		expect(result.output[0].json).toMatchObject({
			status: 'failed',
			statusDetail: 'Provisioning failed. Reprovision the Cloud PC to try again.',
			actionState: 'done',
			actionStatusDetail: null,
		});
		expect(result.output[1].json).toMatchObject({ actionState: null, waitedSeconds: null });
		const everything = JSON.stringify([result.run, result.error]);
		for (const secret of SECRETS) expect(everything).not.toContain(secret);
	});
});
