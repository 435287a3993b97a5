import type { IDataObject, INodeParameters, INodeProperties } from 'n8n-workflow';

import {
	BULK_ACTIONS,
	bulkParameterOf,
	MAINTENANCE_WINDOW,
} from '../../../nodes/MicrosoftCloudPc/actions/cloudPc/bulkAction.operation';
import { MAX_BULK_CLOUD_PCS } from '../../../nodes/MicrosoftCloudPc/actions/cloudPc/bulkEngine';
import { REMOTE_ACTIONS } from '../../../nodes/MicrosoftCloudPc/remoteActions/registry';
import type { BodyField } from '../../../nodes/MicrosoftCloudPc/remoteActions/descriptor';
import { MicrosoftCloudPc } from '../../../nodes/MicrosoftCloudPc/MicrosoftCloudPc.node';
import { ACCESS_TOKEN, PC, delegatedCredential, serverOptions } from '../../fixtures';
import {
	manyCloudPcs,
	REMOTE_ACTIONS as SERVER_ACTIONS,
	startGraphServer,
	type GraphServer,
} from '../../graph-server';
import { parameters, useGraphServer, useOperationsServer } from '../../harness/graph-per-file';
import { runCloudPcNode } from '../../harness/run-workflow';

/*
 * Bulk Action through n8n-core's workflow execution against the Graph stand-in. The per-action
 * tests are generated from the registry: every descriptor with `bulk` gets them, so an action
 * merged later is covered without a line here.
 */

type Bulk = (typeof BULK_ACTIONS)[number];

/** Only Date is faked: the runs' timers and I/O go on. */
const NOT_THE_CLOCK = [
	'setTimeout',
	'setImmediate',
	'nextTick',
	'setInterval',
	'queueMicrotask',
	'performance',
	'clearTimeout',
	'clearInterval',
	'clearImmediate',
	'hrtime',
] as const;
const ISO = '\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z';
const { graph, run, operations } = useOperationsServer();
const posts = () =>
	operations().filter((r) => r.method === 'POST' && r.path.endsWith('/bulkActions'));
const lists = () =>
	operations().filter((r) => r.method === 'GET' && r.path.endsWith('/bulkActions'));

/** A value Graph takes for a field of this kind, as the node is given it. */
function goodValue(field: BodyField): string | number | boolean {
	switch (field.kind) {
		case 'options':
			return field.options?.[0]?.value ?? '';
		case 'guid':
			return '0b8d3a4c-1d2e-4f60-8a7b-9c0d1e2f3a4b';
		case 'datetime':
			return '2026-11-30T22:00:00Z';
		case 'number':
			return field.bounds?.min ?? 1;
		case 'boolean':
			return true;
		default:
			return field.placeholder ?? 'n8n test';
	}
}

/** The value as the body carries it (a date and time as Graph writes it). */
const sent = (field: BodyField, value: string | number | boolean) =>
	field.kind === 'datetime' ? new Date(String(value)).toISOString() : value;

/** A value the field's check refuses, by kind. */
function badValue(field: BodyField): unknown {
	switch (field.kind) {
		case 'options':
			return 'noSuchValue';
		case 'guid':
			return 'not-a-guid';
		case 'datetime':
			return 'yesterday';
		case 'number':
			return (field.bounds?.max ?? 0) + 1;
		case 'boolean':
			return 'yes';
		default:
			return 'x'.repeat((field.maxLength ?? 256) + 1);
	}
}

/** The node parameters of Bulk Action for `d`, its fields set to `value(field)`. */
function bulkParameters(
	d: Bulk,
	value: (field: BodyField) => unknown = goodValue,
	options: IDataObject = {},
): INodeParameters {
	const required = d.bulk.fields.filter((f) => f.required);
	const optional = d.bulk.fields.filter((f) => !f.required);
	return parameters('bulkAction', {
		bulkAction: d.operation,
		...Object.fromEntries(required.map((f) => [bulkParameterOf(d, f), value(f)])),
		bulkActionOptions: {
			...Object.fromEntries(optional.map((f) => [bulkParameterOf(d, f), value(f)])),
			...options,
		} as INodeParameters,
	} as INodeParameters);
}

/** Another subtype the stand-in runs, without fields of its own: a bulk action of it. */
function otherSubtype(d: Bulk): string {
	const other = SERVER_ACTIONS.find(
		(a) => a.bulkType && a.bulkType !== d.bulk.odataType && !a.bulkBody?.length,
	);
	return other?.bulkType as string;
}

/** Creates a bulk action on the stand-in the way another client would (not through the node). */
async function createElsewhere(server: GraphServer, body: IDataObject): Promise<void> {
	const response = await fetch(`${server.url}/beta/deviceManagement/virtualEndpoint/bulkActions`, {
		method: 'POST',
		headers: {
			authorization: `Bearer ${ACCESS_TOKEN}`,
			'content-type': 'application/json',
			'user-agent': 'another-client/1.0',
		},
		body: JSON.stringify(body),
	});
	expect(response.status).toBe(201);
	server.requests.length = 0;
}

describe('Bulk Action in the editor', () => {
	const properties = new MicrosoftCloudPc().description.properties;
	const ofBulkAction = properties.filter((p) =>
		p.displayOptions?.show?.operation?.includes('bulkAction'),
	);

	test('offers every action of the registry that has a bulk subtype, and Reprovision', () => {
		const action = ofBulkAction.find((p) => p.name === 'bulkAction') as INodeProperties;
		const offered = (action.options as Array<{ value: string }>).map((o) => o.value).sort();
		expect(offered).toEqual(
			REMOTE_ACTIONS.filter((d) => d.bulk)
				.map((d) => d.operation)
				.sort(),
		);
		expect(offered).toContain('reprovision');
		expect(offered).toContain(action.default);
	});

	test('each bulk field is shown for its action only; the maintenance window for all', () => {
		const options = ofBulkAction.find((p) => p.name === 'bulkActionOptions')?.options as
			| INodeProperties[]
			| undefined;
		expect(options?.map((o) => o.name)).toContain(MAINTENANCE_WINDOW.name);
		for (const d of BULK_ACTIONS) {
			for (const field of d.bulk.fields) {
				const name = bulkParameterOf(d, field);
				const property = field.required
					? ofBulkAction.find((p) => p.name === name)
					: options?.find((o) => o.name === name);
				expect(property?.displayName).toBe(field.displayName);
				expect(
					property?.displayOptions?.show?.[field.required ? 'bulkAction' : '/bulkAction'],
				).toEqual([d.operation]);
			}
		}
	});
});

describe.each(BULK_ACTIONS.map((d) => [d.displayName, d] as const))('Bulk Action › %s', (_, d) => {
	test(`one ${d.bulk.odataType} for all input items, with its fields; one output per item`, async () => {
		const { output, error } = await run({
			parameters: bulkParameters(d, goodValue, { displayName: 'Ticket T-7' }),
			items: [
				{ cloudPcId: PC.adeleProvisioned },
				{ cloudPcId: PC.alexProvisioned },
				{ cloudPcId: PC.adeleProvisioned.toUpperCase() },
			],
		});

		expect(error).toBeUndefined();
		expect(posts()).toHaveLength(1);
		const [call] = posts();
		expect(call.path).toBe('/beta/deviceManagement/virtualEndpoint/bulkActions');
		expect(call.body).toEqual({
			'@odata.type': d.bulk.odataType,
			displayName: expect.stringMatching(new RegExp(`^Ticket T-7 ${ISO}$`)),
			cloudPcIds: [PC.adeleProvisioned, PC.alexProvisioned],
			...Object.fromEntries(d.bulk.fields.map((f) => [f.name, sent(f, goodValue(f))])),
		});
		const [created] = graph.bulkActions();
		expect(created['@odata.type']).toBe(d.bulk.odataType);
		expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2].map((item) => ({ item })));
		expect(output[0].json).toEqual({
			cloudPcId: PC.adeleProvisioned,
			outcome: 'requested',
			reason: null,
			apiVersion: 'beta',
			requestedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			action: d.operation,
			bulkActionType: d.bulk.odataType,
			scheduledDuringMaintenanceWindow: false,
			bulkActionId: created.id,
			bulkActionDisplayName: created.displayName,
			bulkActionStatus: 'pending',
			bulkActionCreatedDateTime: created.createdDateTime,
			bulkActionCloudPcCount: 2,
			statusCode: 201,
			requestId: call.requestId,
			clientRequestId: call.headers['client-request-id'],
			note: null,
		});
		// A Cloud PC given twice is in the bulk action once.
		expect(output[2].json).toMatchObject({
			outcome: 'requested',
			bulkActionId: created.id,
			note: 'The same Cloud PC as item 0; it is in the bulk action once',
		});
	});

	test('without a name: "n8n", the action and the time', async () => {
		await run({ parameters: bulkParameters(d), items: [{ cloudPcId: PC.adeleProvisioned }] });
		const { displayName } = posts()[0].body as { displayName: string };
		expect(displayName).toMatch(new RegExp(`^n8n ${d.words.noun} ${ISO}$`));
	});

	test('Scheduled During Maintenance Window: sent, and the outputs say scheduled, not requested', async () => {
		const { output, error } = await run({
			parameters: bulkParameters(d, goodValue, { scheduledDuringMaintenanceWindow: true }),
			items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: PC.alexProvisioned }],
		});

		expect(error).toBeUndefined();
		expect(posts()[0].body).toMatchObject({ scheduledDuringMaintenanceWindow: true });
		expect(graph.bulkActions()[0].scheduledDuringMaintenanceWindow).toBe(true);
		for (const item of output) {
			expect(item.json).toMatchObject({
				outcome: 'scheduled',
				reason: expect.stringMatching(/^Scheduled, not running: .*next maintenance window/),
				scheduledDuringMaintenanceWindow: true,
				bulkActionId: graph.bulkActions()[0].id,
			});
		}
	});

	test.each([...d.bulk.fields, MAINTENANCE_WINDOW].map((f) => [f.displayName, f] as const))(
		'a bad "%s" fails naming item and field, and nothing is sent',
		async (label, field) => {
			const bad = badValue(field);
			const { error } = await run({
				parameters:
					field === MAINTENANCE_WINDOW
						? bulkParameters(d, goodValue, {
								scheduledDuringMaintenanceWindow: bad as string,
							})
						: bulkParameters(d, (f) => (f === field ? bad : goodValue(f))),
				items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: PC.alexProvisioned }],
			});

			expect(error?.message).toMatch(new RegExp(`^Item 0: "${label}" `));
			expect(graph.requests).toEqual([]);
		},
	);

	test(`an earlier ${d.bulk.odataType} covering a Cloud PC skips it; one of another subtype does not`, async () => {
		const other = otherSubtype(d);
		await createElsewhere(graph, {
			'@odata.type': other,
			displayName: 'Other subtype',
			cloudPcIds: [PC.alexProvisioned],
		});
		const first = await run({
			parameters: bulkParameters(d),
			items: [{ cloudPcId: PC.adeleProvisioned }],
		});
		const second = await run({
			parameters: bulkParameters(d),
			items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: PC.alexProvisioned }],
		});

		expect(first.error).toBeUndefined();
		expect(second.error).toBeUndefined();
		const [elsewhere, earlier, created] = graph.bulkActions();
		expect(elsewhere['@odata.type']).toBe(other);
		expect(lists()).toHaveLength(2);
		expect(posts().map((r) => (r.body as { cloudPcIds: string[] }).cloudPcIds)).toEqual([
			[PC.adeleProvisioned],
			[PC.alexProvisioned],
		]);
		expect(second.output[0].json).toMatchObject({
			cloudPcId: PC.adeleProvisioned,
			outcome: 'skipped',
			reason: `Bulk action "${earlier.displayName}" (${earlier.id}), created ${earlier.createdDateTime}, is a ${d.words.noun} that already covers this Cloud PC, so it was not sent again (Check for an Earlier Bulk Action)`,
			requestedAt: null,
			bulkActionId: earlier.id,
			note: null,
		});
		expect(second.output[1].json).toMatchObject({
			cloudPcId: PC.alexProvisioned,
			outcome: 'requested',
			bulkActionId: created.id,
		});
	});

	test(`past the window (${d.earlier.windowMinutes} min) an earlier one no longer counts, unless it still waits for the maintenance window`, async () => {
		await run({
			parameters: bulkParameters(d, goodValue, { scheduledDuringMaintenanceWindow: true }),
			items: [{ cloudPcId: PC.adeleProvisioned }],
		});
		await run({ parameters: bulkParameters(d), items: [{ cloudPcId: PC.alexProvisioned }] });
		const [scheduled] = graph.bulkActions();
		const later = Date.parse(scheduled.createdDateTime) + (d.earlier.windowMinutes + 1) * 60_000;
		jest.useFakeTimers({ now: later, doNotFake: [...NOT_THE_CLOCK] });
		let again;
		try {
			again = await run({
				parameters: bulkParameters(d),
				items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: PC.alexProvisioned }],
			});
		} finally {
			jest.useRealTimers();
		}

		expect(again.output[0].json).toMatchObject({
			outcome: 'skipped',
			reason: expect.stringContaining('and scheduled for the maintenance window'),
			bulkActionId: scheduled.id,
			scheduledDuringMaintenanceWindow: true,
		});
		expect(again.output[1].json.outcome).toBe('requested');
		expect(posts().map((r) => (r.body as { cloudPcIds: string[] }).cloudPcIds)).toEqual([
			[PC.adeleProvisioned],
			[PC.alexProvisioned],
			[PC.alexProvisioned],
		]);
	});

	test('an answer lost after Graph created it: found by its name, not sent again', async () => {
		graph.failNext(
			{ method: 'POST', pathIncludes: '/bulkActions' },
			{ status: 504, afterEffect: true },
		);
		const { output, error } = await run({
			parameters: bulkParameters(d, goodValue, { displayName: 'Lost' }),
			items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: PC.alexProvisioned }],
		});

		expect(error).toBeUndefined();
		expect(posts()).toHaveLength(1);
		expect(graph.bulkActions()).toHaveLength(1);
		const [action] = graph.bulkActions();
		expect(output.map((item) => item.json.outcome)).toEqual(['requested', 'requested']);
		expect(output[0].json).toMatchObject({
			bulkActionId: action.id,
			bulkActionDisplayName: action.displayName,
		});
		expect(output[0].json.note).toContain(`Graph lists bulk action "${action.displayName}"`);
	});

	test('Retry On Fail: the tries after the first send nothing again', async () => {
		// An invalid first item with Continue On Fail: n8n runs the node 3 times.
		const { output } = await run({
			parameters: bulkParameters(d, goodValue, { checkEarlierBulkAction: 'never' }),
			items: [
				{ cloudPcId: 'not-a-guid' },
				{ cloudPcId: PC.adeleProvisioned },
				{ cloudPcId: PC.alexProvisioned },
			],
			continueOnFail: true,
			settings: { retryOnFail: true, maxTries: 3, waitBetweenTries: 10 },
		});

		expect(lists()).toHaveLength(0);
		expect(posts()).toHaveLength(1);
		expect(graph.bulkActions()).toHaveLength(1);
		expect(output.map((item) => item.json.outcome)).toEqual(['failed', 'requested', 'requested']);
		expect(output[1].json.note).toMatch(/earlier try of this node/);
	});
});

describe('Bulk Action › Reprovision and Bulk Reprovision are one engine', () => {
	test('a Bulk Reprovision counts as an earlier reprovision bulk action, and the reverse', async () => {
		const reprovision = BULK_ACTIONS.find((d) => d.operation === 'reprovision') as Bulk;
		// Version 2: Bulk Reprovision checks for earlier ones unless told not to.
		await run({
			parameters: parameters('bulkReprovision'),
			items: [{ cloudPcId: PC.adeleProvisioned }],
			typeVersion: 2,
		});
		const bulk = await run({
			parameters: bulkParameters(reprovision),
			items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: PC.alexProvisioned }],
		});
		const again = await run({
			parameters: parameters('bulkReprovision'),
			items: [{ cloudPcId: PC.alexProvisioned }],
			typeVersion: 2,
		});

		expect(bulk.output.map((item) => item.json.outcome)).toEqual(['skipped', 'requested']);
		expect(again.output[0].json.outcome).toBe('skipped');
		expect(graph.bulkActions()).toHaveLength(2);
		expect(graph.lostAndDuplicated([PC.adeleProvisioned, PC.alexProvisioned])).toEqual({
			lost: 0,
			duplicated: 0,
		});
	});

	test('scheduled reprovisions run in the maintenance window, not before', async () => {
		const reprovision = BULK_ACTIONS.find((d) => d.operation === 'reprovision') as Bulk;
		await run({
			parameters: bulkParameters(reprovision, goodValue, {
				scheduledDuringMaintenanceWindow: true,
			}),
			items: [{ cloudPcId: PC.adeleProvisioned }],
		});
		expect(graph.reprovisionCount(PC.adeleProvisioned)).toBe(0);
		graph.runMaintenanceWindow();
		expect(graph.reprovisionCount(PC.adeleProvisioned)).toBe(1);
	});

	test('an Action the registry does not run in bulk fails, naming the field, and sends nothing', async () => {
		const { error } = await run({
			parameters: parameters('bulkAction', { bulkAction: 'rename' }),
			items: [{ cloudPcId: PC.adeleProvisioned }],
		});
		expect(error?.message).toMatch(/^Item 0: "Action" must be one of /);
		expect(graph.requests).toEqual([]);
	});
});

describe('Bulk Action over more Cloud PCs than one bulk action takes', () => {
	const fleet = manyCloudPcs(MAX_BULK_CLOUD_PCS + 1);
	const server = useGraphServer(
		async () => await startGraphServer({ ...serverOptions(), cloudPcs: fleet }),
	);

	test.each(BULK_ACTIONS.map((d) => [d.displayName, d] as const))(
		'%s: split into bulk actions of at most 5,000, each Cloud PC once',
		async (_, d) => {
			const { output, error } = await runCloudPcNode({
				credentials: delegatedCredential(server.url),
				parameters: {
					...bulkParameters(d, goodValue, { displayName: 'Fleet' }),
					cloudPcId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
				},
				items: fleet.map((pc) => ({ id: pc.id })),
			});

			expect(error).toBeUndefined();
			const bodies = server.requests
				.filter((r) => r.method === 'POST' && r.path.endsWith('/bulkActions'))
				.map((r) => r.body as { displayName: string; cloudPcIds: string[] });
			expect(bodies.map((b) => b.cloudPcIds.length)).toEqual([MAX_BULK_CLOUD_PCS, 1]);
			expect(bodies[0].displayName).toMatch(new RegExp(`^Fleet ${ISO} \\(1/2\\)$`));
			expect(bodies[1].displayName).toMatch(new RegExp(`^Fleet ${ISO} \\(2/2\\)$`));
			expect([...bodies[0].cloudPcIds, ...bodies[1].cloudPcIds]).toEqual(fleet.map((pc) => pc.id));
			const [, second] = server.bulkActions();
			expect(output).toHaveLength(MAX_BULK_CLOUD_PCS + 1);
			expect(output[MAX_BULK_CLOUD_PCS].json).toMatchObject({
				bulkActionId: second.id,
				bulkActionCloudPcCount: 1,
				note: `${MAX_BULK_CLOUD_PCS + 1} Cloud PCs were split into 2 bulk actions of at most ${MAX_BULK_CLOUD_PCS}; this is number 2`,
			});
		},
	);
});
