import {
	NodeHelpers,
	type IDataObject,
	type INodeParameters,
	type INodeProperties,
	type INodePropertyOptions,
} from 'n8n-workflow';

import { ADELE, PC, delegatedCredential, serverOptions } from '../../fixtures';
import { startGraphServer, type GraphServer, type LoggedRequest } from '../../graph-server';
import { useGraphServer } from '../../harness/graph-per-file';
import { runCloudPcNode } from '../../harness/run-workflow';
import { MicrosoftCloudPc } from '../../../nodes/MicrosoftCloudPc/MicrosoftCloudPc.node';
import type { Scope } from '../../../nodes/MicrosoftCloudPc/model';
import type { GraphVersion } from '../../../nodes/MicrosoftCloudPc/transport/graph';
import type {
	BodyField,
	RemoteActionDescriptor,
} from '../../../nodes/MicrosoftCloudPc/remoteActions/descriptor';
import { REMOTE_ACTIONS, betaOnly } from '../../../nodes/MicrosoftCloudPc/remoteActions/registry';

/*
 * Every remote action of the registry, through n8n-core's workflow execution against the Graph
 * stand-in: the tests are generated from the descriptors, so an action added to the registry is
 * tested here without a line more. Per descriptor, scope and version it offers: the exact request
 * Graph sees; bad input fails the item naming the field, before anything is sent; Dry Run sends
 * nothing; the state guard skips; a lost answer is checked and never resent; Wait for Completion
 * reads the action's own actionName.
 */

const graph = useGraphServer(
	async () => await startGraphServer({ ...serverOptions(), reprovisionCompletesAfterPolls: 2 }),
);

const CLOUD_PC = PC.adeleProvisioned;
const USERS: Record<Scope, string | undefined> = {
	organization: undefined,
	user: ADELE.id,
	me: undefined,
};

/**
 * Body fields whose value must name something Graph has: taken from the stand-in's tenant
 * (Restore: a snapshot of the Cloud PC under test, seeded by the stand-in).
 */
const FROM_GRAPH: Readonly<Record<string, () => string>> = {
	cloudPcSnapshotId: () => graph.snapshots(CLOUD_PC)[0].id,
};

/**
 * A value Graph takes for a body field: what the stand-in has where the value names something
 * of the tenant, else by kind (a text with a pattern: its placeholder, which must match it).
 */
function goodValue(field: BodyField): string | number | boolean {
	const fromGraph = FROM_GRAPH[field.name];
	if (fromGraph) return fromGraph();
	switch (field.kind) {
		case 'text':
			if (field.pattern) {
				if (!field.placeholder) throw new Error(`${field.name}: a pattern and no placeholder`);
				return field.placeholder;
			}
			return 'CPC Finance 01';
		case 'guid':
			return '8a4f7c3e-2b1d-4e5f-9a8b-7c6d5e4f3a2b';
		case 'options':
			return field.options![0].value;
		case 'datetime':
			return '2026-01-02T03:04:05.000Z';
		case 'number':
			return field.bounds?.min ?? 0;
		case 'boolean':
			return true;
	}
}

/** A value the node refuses for a body field, by kind. */
function badValue(field: BodyField): unknown {
	switch (field.kind) {
		case 'text':
			return 'x'.repeat((field.maxLength ?? 256) + 1);
		case 'guid':
			return 'not-a-guid';
		case 'options':
			return 'noSuchValue';
		case 'datetime':
			return 'yesterday';
		case 'number':
			return (field.bounds?.max ?? 0) + 1;
		case 'boolean':
			return 'yes';
	}
}

const parameterOf = (field: BodyField) => field.parameter ?? field.name;
/** The version an action's requests go to unless a test says otherwise: the first it has. */
const firstVersion = (d: RemoteActionDescriptor) =>
	(['v1.0', 'beta'] as const).find((v) => d.routes[v]?.length)!;
/** The body Graph sees with these fields set to good values: nested ones in their object. */
function bodyOf(fields: readonly BodyField[]): IDataObject {
	const body: IDataObject = {};
	for (const f of fields) {
		const holder = f.within ? ((body[f.within] ??= {}) as IDataObject) : body;
		holder[f.name] = goodValue(f);
	}
	return body;
}

const required = (d: RemoteActionDescriptor) => d.body.filter((f) => f.required);
const optional = (d: RemoteActionDescriptor) => d.body.filter((f) => !f.required);

/** The node's parameters for `d`, its required body fields set to good values. */
function parametersFor(
	d: RemoteActionDescriptor,
	overrides: INodeParameters = {},
	scope: Scope = 'organization',
): INodeParameters {
	const user = USERS[scope];
	return {
		authentication: 'oAuth2',
		resource: 'cloudPc',
		operation: d.operation,
		scope,
		...(user ? { user } : {}),
		apiVersion: firstVersion(d),
		cloudPcId: { __rl: true, mode: 'id', value: '={{ $json.cloudPcId }}' },
		...Object.fromEntries(required(d).map((f) => [parameterOf(f), goodValue(f)])),
		...overrides,
	};
}

const run = async (
	d: RemoteActionDescriptor,
	parameters: INodeParameters,
	continueOnFail = false,
) =>
	await runCloudPcNode({
		credentials: delegatedCredential(graph.url),
		parameters,
		items: [{ cloudPcId: CLOUD_PC }],
		continueOnFail,
	});

/** The action's POSTs Graph saw (inner requests of batches, and direct ones). */
const posts = (d: RemoteActionDescriptor): LoggedRequest[] =>
	graph.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/${d.segment}`));

const actionCount = (server: GraphServer, d: RemoteActionDescriptor) =>
	server.actionCount(CLOUD_PC, d.segment);

const adminPath = (version: string, segment: string) =>
	`/${version}/deviceManagement/virtualEndpoint/cloudPCs/${CLOUD_PC}/${segment}`;

function expectedPath(d: RemoteActionDescriptor, scope: Scope, version: GraphVersion): string {
	if (scope === 'organization') return adminPath(version, d.segment);
	const owner = scope === 'me' ? '/me' : `/users/${ADELE.id}`;
	return `/${version}${owner}/cloudPCs/${CLOUD_PC}/${d.segment}`;
}

const routesOf = (d: RemoteActionDescriptor) =>
	(Object.keys(d.routes) as GraphVersion[]).flatMap((version) =>
		(d.routes[version] ?? []).map((scope): [GraphVersion, Scope] => [version, scope]),
	);

const ALL_ROUTES: Array<[GraphVersion, Scope]> = (['v1.0', 'beta'] as const).flatMap((version) =>
	(['organization', 'user', 'me'] as const).map((scope): [GraphVersion, Scope] => [version, scope]),
);

const description = new MicrosoftCloudPc().description;
/** The properties named `name` the editor shows for these parameters (as n8n's editor decides). */
const shownProperties = (parameters: INodeParameters, name: string): INodeProperties[] =>
	description.properties.filter(
		(p) =>
			p.name === name &&
			NodeHelpers.displayParameterPath(parameters, p, '', { typeVersion: 2 }, description),
	);

/** What each descriptor's output says of its request and who asked, beside the outcome. */
function expectedKnown(
	d: RemoteActionDescriptor,
	scope: Scope,
	version: GraphVersion,
): IDataObject {
	const body = Object.fromEntries(
		d.body.map((f) => [f.name, f.required ? goodValue(f) : null]),
	) as IDataObject;
	return {
		cloudPcId: CLOUD_PC,
		scope,
		user: USERS[scope] ?? null,
		apiVersion: version,
		...body,
		...(d.outputWithoutAudit
			? {}
			: { action: d.operation, credentialType: 'microsoftCloudPcOAuth2Api' }),
	};
}

describe.each(REMOTE_ACTIONS.map((d) => [d.displayName, d] as const))('%s', (_, d) => {
	/** Earlier-check reads stay out of tests that count requests, unless they are the subject. */
	const noEarlierCheck = { [d.earlier.parameter]: 'never' };

	// The Cloud PC under test is in a status the action is accepted in (End Grace Period:
	// inGracePeriod); the state guard's test sets another.
	beforeEach(() => graph.setStatus(CLOUD_PC, d.acceptedStatuses[0]));

	test.each(routesOf(d))('%s, %s scope: the exact request Graph sees', async (version, scope) => {
		const { output, error } = await run(
			d,
			parametersFor(d, { apiVersion: version, safety: noEarlierCheck }, scope),
		);

		expect(error).toBeUndefined();
		expect(posts(d)).toHaveLength(1);
		const [call] = posts(d);
		expect(call.path).toBe(expectedPath(d, scope, version));
		expect(call.status).toBe(204);
		const body = bodyOf(required(d));
		expect(call.body).toEqual(body);
		expect(actionCount(graph, d)).toBe(1);
		expect(output[0].json).toMatchObject({
			...expectedKnown(d, scope, version),
			outcome: 'requested',
			statusCode: 204,
			requestId: call.requestId,
		});
	});

	// A beta-only action never reads API Version (it runs on beta whatever it says, tested
	// below): only its scopes can miss a route.
	const missing = ALL_ROUTES.filter(
		([version, scope]) =>
			!(d.routes[version] ?? []).includes(scope) && !(betaOnly(d) && version === 'v1.0'),
	);
	if (missing.length) {
		test.each(missing)(
			'%s, %s scope has no route: the item fails naming the field, nothing is sent',
			async (version, scope) => {
				const { error } = await run(d, parametersFor(d, { apiVersion: version }, scope));

				expect(error?.message).toMatch(/^Item 0: "(API Version|Scope)" /);
				expect(graph.requests.filter((r) => r.path.includes('cloudPCs'))).toEqual([]);
			},
		);
	}

	test(`the editor shows API Version only where Graph has v1.0 (${betaOnly(d) ? 'hidden' : 'shown'}), and Scope offers the routes' scopes only`, () => {
		const parameters = { authentication: 'oAuth2', resource: 'cloudPc', operation: d.operation };
		expect(shownProperties(parameters, 'apiVersion')).toHaveLength(betaOnly(d) ? 0 : 1);
		const scopes = shownProperties(parameters, 'scope');
		expect(scopes).toHaveLength(1);
		const offered = (scopes[0].options as INodePropertyOptions[]).map((o) => o.value);
		const routed = new Set(Object.values(d.routes).flatMap((r) => [...(r ?? [])]));
		expect([...offered].sort()).toEqual([...routed].sort());
		expect(offered).toContain(scopes[0].default);
	});

	if (betaOnly(d)) {
		test('beta only: API Version is not read, v1.0 left in a saved workflow still runs on beta', async () => {
			const [scope] = d.routes.beta!;
			const { output, error } = await run(
				d,
				parametersFor(d, { apiVersion: 'v1.0', safety: noEarlierCheck }, scope),
			);

			expect(error).toBeUndefined();
			expect(posts(d).map((r) => r.path)).toEqual([expectedPath(d, scope, 'beta')]);
			expect(output[0].json).toMatchObject({ apiVersion: 'beta', outcome: 'requested' });
		});
	}

	const listed = d.body.filter((f) => f.listSearch);
	if (listed.length) {
		test.each(listed.map((f) => [f.displayName, f] as const))(
			'"%s" is a resource locator on its list search, From List or By ID',
			(_, field) => {
				const parameters = {
					authentication: 'oAuth2',
					resource: 'cloudPc',
					operation: d.operation,
				};
				const [property, ...more] = shownProperties(parameters, parameterOf(field));
				expect(more).toEqual([]);
				expect(property.type).toBe('resourceLocator');
				expect(property.modes?.map((m) => [m.name, m.typeOptions?.searchListMethod])).toEqual([
					['list', field.listSearch],
					['id', undefined],
				]);
				expect(property.typeOptions?.loadOptionsDependsOn).toEqual(['cloudPcId.value']);
				expect(new MicrosoftCloudPc().methods.listSearch).toHaveProperty([field.listSearch!]);
			},
		);

		const saved = (mode: string, value: string) =>
			mode === 'text' ? value : { __rl: true, mode, value };
		test.each(
			listed.flatMap((f) =>
				['list', 'id', 'text'].map((mode) => [f.displayName, mode, f] as const),
			),
		)(
			'"%s" from %s mode (text: a plain value saved before) sends its value',
			async (_, mode, field) => {
				const { error } = await run(
					d,
					parametersFor(d, {
						[parameterOf(field)]: saved(mode, String(goodValue(field))),
						safety: noEarlierCheck,
					}),
				);

				expect(error).toBeUndefined();
				expect(posts(d)).toHaveLength(1);
				expect(posts(d)[0].body).toMatchObject({ [field.name]: goodValue(field) });
			},
		);
	}

	if (optional(d).length) {
		test('optional body fields go into the body on the scopes that take them', async () => {
			const options = Object.fromEntries(optional(d).map((f) => [parameterOf(f), goodValue(f)]));
			const { error } = await run(
				d,
				parametersFor(d, {
					[d.optionsParameter!.name]: options,
					safety: noEarlierCheck,
				}),
			);

			expect(error).toBeUndefined();
			expect(posts(d)[0].body).toEqual(bodyOf(d.body));
		});
	}

	if (d.body.length) {
		test.each(d.body.map((f) => [f.displayName, f] as const))(
			'a bad "%s" fails the item naming it, and nothing is sent',
			async (displayName, field) => {
				const value = badValue(field) as string;
				const overrides: INodeParameters = field.required
					? { [parameterOf(field)]: value }
					: { [d.optionsParameter!.name]: { [parameterOf(field)]: value } };
				const { error } = await run(d, parametersFor(d, overrides));

				expect(error?.message).toMatch(new RegExp(`^Item 0: "${displayName}" `));
				expect(posts(d)).toEqual([]);
				expect(graph.requests.filter((r) => r.path.includes('cloudPCs'))).toEqual([]);
			},
		);
	}

	test('Dry Run sends nothing and outputs the request it would send', async () => {
		const { output, error } = await run(
			d,
			parametersFor(d, { safety: { ...noEarlierCheck, dryRun: true } }),
		);

		expect(error).toBeUndefined();
		expect(posts(d)).toEqual([]);
		expect(actionCount(graph, d)).toBe(0);
		const body = bodyOf(required(d));
		expect(output[0].json).toMatchObject({
			outcome: 'dryRun',
			method: 'POST',
			path: adminPath(firstVersion(d), d.segment),
			body: Object.keys(body).length ? body : null,
		});
	});

	test('the state guard skips a Cloud PC in a status the action is not accepted in', async () => {
		const refused = ['notProvisioned', 'deprovisioning', 'provisioning', 'resizing'].find(
			(status) => !d.acceptedStatuses.includes(status),
		)!;
		graph.setStatus(CLOUD_PC, refused);
		const { output, error } = await run(
			d,
			parametersFor(d, { safety: { ...noEarlierCheck, [d.onlyIfReady.parameter]: true } }),
		);

		expect(error).toBeUndefined();
		expect(posts(d)).toEqual([]);
		expect(output[0].json).toMatchObject({
			outcome: 'skipped',
			status: refused,
			reason: expect.stringContaining(`Its status is "${refused}"`),
		});
	});

	test('the earlier check skips a Cloud PC the same action started on', async () => {
		graph.addRemoteAction(CLOUD_PC, {
			actionName: d.actionName,
			actionState: 'active',
			startDateTime: new Date(Date.now() - 60_000).toISOString(),
		});
		const { output, error } = await run(
			d,
			parametersFor(d, { safety: { [d.earlier.parameter]: 'always' } }),
		);

		expect(error).toBeUndefined();
		expect(posts(d)).toEqual([]);
		expect(output[0].json).toMatchObject({
			outcome: 'skipped',
			reason: expect.stringContaining(`(${d.earlier.displayName})`),
		});
	});

	test('a lost answer is checked with Graph and never sent again', async () => {
		graph.failNext({ pathIncludes: '$batch' }, { status: 504, afterEffect: true });
		const { output, error } = await run(
			d,
			parametersFor(d, {
				safety: noEarlierCheck,
				throughput: { batchesInFlight: 1, timeoutSeconds: 1 },
			}),
		);

		expect(error).toBeUndefined();
		expect(actionCount(graph, d)).toBe(1);
		expect(graph.lostAndDuplicated([CLOUD_PC], d.segment)).toEqual({ lost: 0, duplicated: 0 });
		const checks = graph.requests.filter((r) =>
			r.path.endsWith(`${CLOUD_PC}/retrieveCloudPcRemoteActionResults`),
		);
		expect(checks.length).toBeGreaterThanOrEqual(1);
		expect(output[0].json).toMatchObject({
			outcome: 'requested',
			statusCode: null,
			note: expect.stringContaining(`list a ${d.actionName} action started`),
		});
	});

	test('Wait for Completion follows its own actionName to the end', async () => {
		const { output, error } = await run(
			d,
			parametersFor(d, {
				safety: {
					...noEarlierCheck,
					waitForCompletion: true,
					pollIntervalSeconds: 1,
					waitTimeoutMinutes: 1,
				},
			}),
		);

		expect(error).toBeUndefined();
		expect(actionCount(graph, d)).toBe(1);
		expect(String(output[0].json.actionName).toLowerCase()).toBe(d.actionName.toLowerCase());
		expect(output[0].json).toMatchObject({
			outcome: 'done',
			actionState: 'done',
			completedAt: expect.stringMatching(/^\d{4}-/),
		});
	});

	test('Get Action Status reports the latest action of its name', async () => {
		graph.addRemoteAction(CLOUD_PC, {
			actionName: d.actionName,
			actionState: 'done',
			startDateTime: '2026-01-01T08:00:00Z',
			lastUpdatedDateTime: '2026-01-01T08:30:00Z',
		});
		const { output, error } = await run(d, {
			authentication: 'oAuth2',
			resource: 'cloudPc',
			operation: 'getActionStatus',
			remoteAction: d.operation,
			cloudPcId: { __rl: true, mode: 'id', value: '={{ $json.cloudPcId }}' },
		});

		expect(error).toBeUndefined();
		expect(output[0].json).toMatchObject({
			action: d.operation,
			cloudPcId: CLOUD_PC,
			actionName: d.actionName,
			actionState: 'done',
			outcome: 'done',
			stillRunning: false,
		});
	});
});
