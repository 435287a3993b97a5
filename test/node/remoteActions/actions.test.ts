import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { ADELE, PC, delegatedCredential, serverOptions } from '../../fixtures';
import {
	REMOTE_ACTIONS as GRAPH_ACTIONS,
	startGraphServer,
	type LoggedRequest,
} from '../../graph-server';
import type { ActionScope } from '../../graph-server/actions';
import { useGraphServer } from '../../harness/graph-per-file';
import { runCloudPcNode } from '../../harness/run-workflow';
import type { Scope } from '../../../nodes/MicrosoftCloudPc/model';
import type { GraphVersion } from '../../../nodes/MicrosoftCloudPc/transport/graph';
import {
	REMOTE_ACTIONS,
	betaOnly,
	remoteActionOf,
} from '../../../nodes/MicrosoftCloudPc/remoteActions/registry';
import { MicrosoftCloudPc } from '../../../nodes/MicrosoftCloudPc/MicrosoftCloudPc.node';

const description = new MicrosoftCloudPc().description;

/*
 * The remote actions beside Reprovision, Reboot and Rename, each through n8n-core's workflow
 * execution against the Graph stand-in. Unlike engine.test.ts (generated from the descriptors),
 * what Graph must see is written out here from each action's Graph page: route per version and
 * scope, body, the refusals before sending, Dry Run, the state guard, a lost answer, and Wait for
 * Completion. Last, the registry and the stand-in's table of every action agree.
 */

const graph = useGraphServer(
	async () => await startGraphServer({ ...serverOptions(), reprovisionCompletesAfterPolls: 2 }),
);

const CLOUD_PC = PC.adeleProvisioned;
const OTHER_PC = PC.adeleFailed;
const PLAN = '30d0e128-de93-41dc-89ec-33d84bb662a0';
const STORAGE =
	'/subscriptions/f68bd846-16ad-4b51-a7c6-c84944a3367c/resourceGroups/Review/providers/Microsoft.Storage/storageAccounts/snapshotsUnderReview';
/** The stand-in's seeded snapshot of a Cloud PC (its ID carries yesterday's date). */
const snapshotOf = (cloudPcId: string) => graph.snapshots(cloudPcId)[0].id;

const ALL: readonly Scope[] = ['organization', 'user', 'me'];
const ADMIN: readonly Scope[] = ['organization'];

interface BadValue {
	/** the field's label, as the error names it */
	field: string;
	/** the parameters that set the field to `value` */
	parameters: (value: string) => INodeParameters;
	good: string;
	bad: string;
}

interface Case {
	operation: string;
	segment: string;
	actionName: string;
	routes: Partial<Record<GraphVersion, readonly Scope[]>>;
	/** the body fields' parameters for a request that Graph takes */
	parameters: () => INodeParameters;
	/** the body Graph must see for them */
	body: () => IDataObject;
	badValues: BadValue[];
	/** the status the Cloud PC needs first, when "provisioned" will not do */
	status?: string;
	/** a status the action is refused in */
	refused: string;
}

const CASES: Case[] = [
	{
		operation: 'resize',
		segment: 'resize',
		actionName: 'Resize',
		routes: { 'v1.0': ADMIN, beta: ADMIN },
		parameters: () => ({ targetServicePlanId: PLAN }),
		body: () => ({ targetServicePlanId: PLAN }),
		badValues: [
			{
				field: 'Target Service Plan ID',
				parameters: (v) => ({ targetServicePlanId: v }),
				good: PLAN,
				bad: 'Windows 365 Enterprise 4 vCPU',
			},
		],
		refused: 'resizing',
	},
	{
		operation: 'restore',
		segment: 'restore',
		actionName: 'Restore',
		routes: { 'v1.0': ADMIN, beta: ADMIN },
		parameters: () => ({ cloudPcSnapshotId: snapshotOf(CLOUD_PC) }),
		body: () => ({ cloudPcSnapshotId: snapshotOf(CLOUD_PC) }),
		badValues: [
			{
				field: 'Snapshot ID',
				parameters: (v) => ({ cloudPcSnapshotId: v }),
				good: 'CPC_4b5ad5e0-6a0b-4ffc-818d-36bb23cf4dbd_2026-01-01',
				bad: 'restore point of Monday',
			},
		],
		refused: 'restoring',
	},
	{
		operation: 'endGracePeriod',
		segment: 'endGracePeriod',
		actionName: 'EndGracePeriod',
		routes: { 'v1.0': ADMIN, beta: ADMIN },
		parameters: () => ({}),
		body: () => ({}),
		badValues: [],
		status: 'inGracePeriod',
		refused: 'provisioned',
	},
	{
		operation: 'start',
		segment: 'start',
		actionName: 'Start',
		routes: { beta: ALL },
		parameters: () => ({}),
		body: () => ({}),
		badValues: [],
		refused: 'notProvisioned',
	},
	{
		operation: 'stop',
		segment: 'stop',
		actionName: 'Stop',
		routes: { beta: ALL },
		parameters: () => ({}),
		body: () => ({}),
		badValues: [],
		refused: 'provisioning',
	},
	{
		operation: 'powerOn',
		segment: 'powerOn',
		actionName: 'CloudPcPowerOn',
		routes: { beta: ADMIN },
		parameters: () => ({}),
		body: () => ({}),
		badValues: [],
		refused: 'notProvisioned',
	},
	{
		operation: 'powerOff',
		segment: 'powerOff',
		actionName: 'CloudPcPowerOff',
		routes: { beta: ADMIN },
		parameters: () => ({}),
		body: () => ({}),
		badValues: [],
		refused: 'inGracePeriod',
	},
	{
		operation: 'retryPartnerAgentInstallation',
		segment: 'retryPartnerAgentInstallation',
		actionName: 'RetryPartnerAgentInstallation',
		routes: { beta: ADMIN },
		parameters: () => ({}),
		body: () => ({}),
		badValues: [],
		refused: 'failed',
	},
	{
		operation: 'createSnapshot',
		segment: 'createSnapshot',
		actionName: 'CreateSnapshot',
		routes: { beta: ADMIN },
		parameters: () => ({
			createSnapshotOptions: { storageAccountId: STORAGE, accessTier: 'cool' },
		}),
		body: () => ({ storageAccountId: STORAGE, accessTier: 'cool' }),
		badValues: [
			{
				field: 'Storage Account ID',
				parameters: (v) => ({ createSnapshotOptions: { storageAccountId: v } }),
				good: STORAGE,
				bad: 'snapshotsUnderReview',
			},
			{
				field: 'Access Tier',
				parameters: (v) => ({ createSnapshotOptions: { accessTier: v } }),
				good: 'archive',
				bad: 'premium',
			},
		],
		refused: 'provisioning',
	},
	{
		operation: 'changeUserAccountType',
		segment: 'changeUserAccountType',
		actionName: 'ChangeUserAccountType',
		routes: { beta: ADMIN },
		parameters: () => ({ userAccountType: 'administrator' }),
		body: () => ({ userAccountType: 'administrator' }),
		badValues: [
			{
				field: 'User Account Type',
				parameters: (v) => ({ userAccountType: v }),
				good: 'standardUser',
				bad: 'owner',
			},
		],
		refused: 'deprovisioning',
	},
];

const USERS: Record<Scope, string | undefined> = {
	organization: undefined,
	user: ADELE.id,
	me: undefined,
};

/** The version an action's default request goes to: v1.0 where Graph has it, else beta. */
const versionOf = (c: Case): GraphVersion => (c.routes['v1.0'] ? 'v1.0' : 'beta');

function parametersFor(
	c: Case,
	overrides: INodeParameters = {},
	scope: Scope = 'organization',
	version: GraphVersion = versionOf(c),
): INodeParameters {
	const user = USERS[scope];
	return {
		authentication: 'oAuth2',
		resource: 'cloudPc',
		operation: c.operation,
		scope,
		...(user ? { user } : {}),
		apiVersion: version,
		cloudPcId: { __rl: true, mode: 'id', value: '={{ $json.cloudPcId }}' },
		...c.parameters(),
		...overrides,
	};
}

const run = async (parameters: INodeParameters, items: IDataObject[] = [{ cloudPcId: CLOUD_PC }]) =>
	await runCloudPcNode({ credentials: delegatedCredential(graph.url), parameters, items });

/** The action's POSTs Graph saw (inner requests of batches, and direct ones). */
const posts = (c: Case): LoggedRequest[] =>
	graph.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/${c.segment}`));
/** Any request about a Cloud PC (the $batch envelopes aside). */
const cloudPcRequests = () => graph.requests.filter((r) => r.path.includes('cloudPCs'));

function expectedPath(c: Case, scope: Scope, version: GraphVersion): string {
	const owner =
		scope === 'organization'
			? '/deviceManagement/virtualEndpoint'
			: scope === 'me'
				? '/me'
				: `/users/${ADELE.id}`;
	return `/${version}${owner}/cloudPCs/${CLOUD_PC}/${c.segment}`;
}

const routesOf = (c: Case) =>
	(Object.keys(c.routes) as GraphVersion[]).flatMap((version) =>
		(c.routes[version] ?? []).map((scope): [GraphVersion, Scope] => [version, scope]),
	);

/** Graph has the action in beta only: API Version is hidden, and not read. */
const betaOnlyCase = (c: Case) => !c.routes['v1.0'];

/**
 * Each version and scope Graph has no route for, and the field the error names. A beta-only
 * action never reads API Version (tested below): only its beta routes can be missing.
 */
const missingRoutes = (c: Case) =>
	(betaOnlyCase(c) ? (['beta'] as const) : (['v1.0', 'beta'] as const)).flatMap((version) =>
		ALL.filter((scope) => !(c.routes[version] ?? []).includes(scope)).map(
			(scope): [GraphVersion, Scope, string] => [
				version,
				scope,
				// a scope the other version has: the version is what to change
				Object.values(c.routes).some((scopes) => scopes.includes(scope)) ? 'API Version' : 'Scope',
			],
		),
	);

/** Earlier-check reads stay out of tests that count requests. */
const noEarlierCheck = { checkEarlierAction: 'never' };

describe.each(CASES.map((c) => [c.operation, c] as const))('%s', (_, c) => {
	beforeEach(() => {
		if (c.status) graph.setStatus(CLOUD_PC, c.status);
	});

	test('is in the registry under its operation', () => {
		expect(remoteActionOf(c.operation)?.segment).toBe(c.segment);
	});

	test.each(routesOf(c))('%s, %s scope: the exact request Graph sees', async (version, scope) => {
		const { output, error } = await run(
			parametersFor(c, { safety: noEarlierCheck }, scope, version),
		);

		expect(error).toBeUndefined();
		expect(posts(c)).toHaveLength(1);
		const [call] = posts(c);
		expect(call.path).toBe(expectedPath(c, scope, version));
		expect(call.body).toEqual(c.body());
		expect(call.status).toBe(204);
		expect(graph.actionCount(CLOUD_PC, c.segment)).toBe(1);
		expect(output[0].json).toMatchObject({
			cloudPcId: CLOUD_PC,
			scope,
			user: USERS[scope] ?? null,
			apiVersion: version,
			action: c.operation,
			outcome: 'requested',
			statusCode: 204,
			requestId: call.requestId,
			...c.body(),
		});
	});

	if (missingRoutes(c).length) {
		test.each(missingRoutes(c))(
			'%s, %s scope has no route: "%s" fails the item before anything is sent',
			async (version, scope, field) => {
				const { error } = await run(parametersFor(c, {}, scope, version));

				expect(error?.message).toMatch(new RegExp(`^Item 0: "${field}" `));
				expect(cloudPcRequests()).toEqual([]);
			},
		);
	}

	if (betaOnlyCase(c)) {
		test.each(ALL.filter((scope) => c.routes.beta!.includes(scope)))(
			'beta only: API Version is hidden in the editor, and v1.0 given anyway is ignored (%s scope)',
			async (scope) => {
				const d = remoteActionOf(c.operation)!;
				expect(betaOnly(d)).toBe(true);
				const apiVersion = description.properties.filter((p) => p.name === 'apiVersion');
				expect(apiVersion).toHaveLength(1);
				expect(apiVersion[0].displayOptions?.hide?.operation).toContain(c.operation);

				const { output, error } = await run(
					parametersFor(c, { safety: noEarlierCheck }, scope, 'v1.0'),
				);

				expect(error).toBeUndefined();
				expect(posts(c).map((r) => r.path)).toEqual([expectedPath(c, scope, 'beta')]);
				expect(output[0].json).toMatchObject({ apiVersion: 'beta', outcome: 'requested' });
			},
		);
	}

	if (c.badValues.length) {
		test.each(c.badValues.map((b) => [b.field, b] as const))(
			'a bad "%s" on the second item fails naming item and field, and nothing is sent',
			async (field, b) => {
				const { error } = await run(
					parametersFor(c, { ...b.parameters('={{ $json.value }}'), safety: noEarlierCheck }),
					[
						{ cloudPcId: CLOUD_PC, value: b.good },
						{ cloudPcId: OTHER_PC, value: b.bad },
					],
				);

				expect(error?.message).toMatch(new RegExp(`^Item 1: "${field}" `));
				expect(posts(c)).toEqual([]);
				expect(cloudPcRequests()).toEqual([]);
			},
		);
	}

	test('Dry Run sends nothing and outputs the request it would send', async () => {
		const { output, error } = await run(parametersFor(c, { safety: { dryRun: true } }));

		expect(error).toBeUndefined();
		expect(posts(c)).toEqual([]);
		expect(graph.actionCount(CLOUD_PC, c.segment)).toBe(0);
		const body = c.body();
		expect(output[0].json).toMatchObject({
			outcome: 'dryRun',
			method: 'POST',
			path: expectedPath(c, 'organization', versionOf(c)),
			body: Object.keys(body).length ? body : null,
		});
	});

	test('the state guard skips a Cloud PC in a status the action is refused in', async () => {
		graph.setStatus(CLOUD_PC, c.refused);
		const { output, error } = await run(
			parametersFor(c, { safety: { ...noEarlierCheck, onlyIfReady: true } }),
		);

		expect(error).toBeUndefined();
		expect(posts(c)).toEqual([]);
		expect(output[0].json).toMatchObject({
			outcome: 'skipped',
			status: c.refused,
			reason: expect.stringContaining(`Its status is "${c.refused}"`),
		});
	});

	test("without the guard, Graph's refusal comes back with the action's own hint", async () => {
		graph.setStatus(CLOUD_PC, c.refused);
		const { error } = await run(parametersFor(c, { safety: noEarlierCheck }));

		expect(graph.actionCount(CLOUD_PC, c.segment)).toBe(0);
		expect(posts(c).map((r) => r.status)).toEqual([400]);
		expect(error?.description).toContain(remoteActionOf(c.operation)!.statusHint);
	});

	test('a lost answer is checked with Graph and never sent again', async () => {
		graph.failNext({ pathIncludes: '$batch' }, { status: 504, afterEffect: true });
		const { output, error } = await run(
			parametersFor(c, {
				safety: noEarlierCheck,
				throughput: { batchesInFlight: 1, timeoutSeconds: 1 },
			}),
		);

		expect(error).toBeUndefined();
		expect(graph.actionCount(CLOUD_PC, c.segment)).toBe(1);
		expect(graph.lostAndDuplicated([CLOUD_PC], c.segment)).toEqual({ lost: 0, duplicated: 0 });
		const checks = graph.requests.filter((r) =>
			r.path.endsWith(`${CLOUD_PC}/retrieveCloudPcRemoteActionResults`),
		);
		expect(checks.length).toBeGreaterThanOrEqual(1);
		expect(output[0].json).toMatchObject({
			outcome: 'requested',
			statusCode: null,
			note: expect.stringContaining(`list a ${c.actionName} action started`),
		});
	});

	test('Wait for Completion follows its actionName until it is done', async () => {
		const { output, error } = await run(
			parametersFor(c, {
				safety: {
					...noEarlierCheck,
					waitForCompletion: true,
					pollIntervalSeconds: 1,
					waitTimeoutMinutes: 1,
				},
			}),
		);

		expect(error).toBeUndefined();
		expect(graph.actionCount(CLOUD_PC, c.segment)).toBe(1);
		expect(output[0].json).toMatchObject({
			actionName: c.actionName,
			outcome: 'done',
			actionState: 'done',
			completedAt: expect.stringMatching(/^\d{4}-/),
		});
	});
});

describe('the node and the Graph stand-in', () => {
	const SCOPE_OF: Record<Scope, ActionScope> = { organization: 'admin', user: 'users', me: 'me' };
	/** Actions the stand-in runs that the node may not offer yet. */
	const NOT_OFFERED = new Set(['reboot', 'rename', 'troubleshoot']);
	/** Bulk subtypes the stand-in runs that the node does not offer (nested bulk fields). */
	const BULK_NOT_OFFERED = new Set(['setReviewStatus']);

	test.each(REMOTE_ACTIONS.map((d) => [d.operation, d] as const))(
		'%s: segment, actionName, versions, scopes, body, statuses and bulk subtype agree',
		(_, d) => {
			const spec = GRAPH_ACTIONS.find((a) => a.segment === d.segment);
			expect(spec).toBeDefined();
			expect(d.actionName).toBe(spec!.actionName);
			for (const version of ['v1.0', 'beta'] as const) {
				expect([...(d.routes[version] ?? [])].map((s) => SCOPE_OF[s]).sort()).toEqual(
					[...spec!.routes[version]].sort(),
				);
			}
			// a nested field (`within`) is compared with the field of the stand-in's object
			const top = d.body.filter((f) => !f.within).map((f) => [f.name, f.required]);
			const objects = [...new Set(d.body.flatMap((f) => (f.within ? [f.within] : [])))];
			expect([...top, ...objects.map((name) => [name, true])]).toEqual(
				spec!.body.map((f) => [f.name, f.required]),
			);
			for (const field of d.body.filter((f) => f.within)) {
				const object = spec!.body.find((f) => f.name === field.within);
				const inner = object?.type === 'object' ? object.fields : [];
				expect(inner.find((f) => f.name === field.name)?.required).toBe(field.required);
			}
			for (const field of d.body) {
				expect(field.scopes?.map((s) => SCOPE_OF[s])).toEqual(spec!.bodyScopes);
			}
			expect([...d.acceptedStatuses].sort()).toEqual([...spec!.acceptedStatuses].sort());
			expect(d.runningStatus).toBe(spec!.runningStatus);
			expect(d.bulk?.odataType).toBe(BULK_NOT_OFFERED.has(d.segment) ? undefined : spec!.bulkType);
		},
	);

	test('every action the stand-in runs is offered, but those left for later', () => {
		const offered = new Set(REMOTE_ACTIONS.map((d) => d.segment));
		const missing = GRAPH_ACTIONS.map((a) => a.segment).filter((s) => !offered.has(s));
		expect(missing.filter((s) => !NOT_OFFERED.has(s))).toEqual([]);
	});
});
