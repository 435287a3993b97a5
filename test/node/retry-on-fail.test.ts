import type { IDataObject, INodeParameters } from 'n8n-workflow';

import {
	EarlierTries,
	LIFETIME_MS,
	MAX_ENTRIES,
} from '../../nodes/MicrosoftCloudPc/actions/cloudPc/earlierTries';
import { delegatedCredential, reprovisionParameters, startFleetServer } from '../fixtures';
import { manyCloudPcs, type GraphServer } from '../graph-server';
import { runCloudPcNode, type RunOptions } from '../harness/run-workflow';

/*
 * n8n's own Retry On Fail (node settings retryOnFail, maxTries, waitBetweenTries), run by
 * n8n-core's WorkflowExecute: it runs the node again, in the same execution, when it threw, and
 * with Continue On Fail while the first output item carries `json.error`. The server's status
 * lags behind an accepted reprovision for a minute, so a second POST would be a second wipe.
 */

const fleet = manyCloudPcs(20);
const ids = fleet.map((pc) => pc.id);
const UNKNOWN = '00000000-0000-4000-8000-00000000dead';

let graph: GraphServer;

beforeAll(async () => {
	graph = await startFleetServer(fleet, { statusLagMs: 60_000 });
});
afterAll(async () => await graph.close());
beforeEach(() => graph.reset());

const RETRY: RunOptions['settings'] = { retryOnFail: true, maxTries: 3, waitBetweenTries: 10 };

const run = async (
	cloudPcIds: string[],
	options: { continueOnFail: boolean; parameters?: INodeParameters },
) =>
	await runCloudPcNode({
		credentials: delegatedCredential(graph.url),
		parameters: options.parameters ?? reprovisionParameters(),
		items: cloudPcIds.map((cloudPcId) => ({ cloudPcId })),
		continueOnFail: options.continueOnFail,
		settings: RETRY,
	});

/** POSTs the server received for a path ending so, batched or not. */
const postsTo = (ending: string) =>
	graph.requests.filter((r) => r.method === 'POST' && r.path.endsWith(ending));

describe('Retry On Fail never reprovisions a Cloud PC twice', () => {
	test.each([
		['Continue On Fail, the unknown Cloud PC first', true, [UNKNOWN, ...ids]],
		['Continue On Fail, the unknown Cloud PC last', true, [...ids, UNKNOWN]],
		['Stop Workflow', false, [...ids, UNKNOWN]],
	])('%s: one reprovision per Cloud PC over 3 tries', async (_, continueOnFail, cloudPcIds) => {
		const { output, error } = await run(cloudPcIds, { continueOnFail });

		for (const id of ids) expect(graph.reprovisionCount(id)).toBe(1);
		// Each try asked for the unknown Cloud PC again, so n8n did run the node 3 times, or
		// (Continue On Fail, unknown last) once, when the first item carries no error.
		const tries = continueOnFail && cloudPcIds[0] !== UNKNOWN ? 1 : 3;
		expect(postsTo(`${UNKNOWN}/reprovision`)).toHaveLength(tries);
		if (!continueOnFail) {
			expect(error?.description).toContain(
				'Requested by an earlier try of this node (not sent again): items 0-19.',
			);
			return;
		}
		expect(output).toHaveLength(cloudPcIds.length);
		output.forEach((item, itemIndex) => {
			expect(item.pairedItem).toEqual({ item: itemIndex });
			const json = item.json as IDataObject;
			expect(json.cloudPcId).toBe(cloudPcIds[itemIndex]);
			expect(json.outcome).toBe(json.cloudPcId === UNKNOWN ? 'failed' : 'requested');
		});
		const requested = output.filter((item) => item.json.outcome === 'requested');
		// The last try's output: what the first try sent, said again, with its request-id.
		for (const item of requested) {
			expect(item.json.requestId).toEqual(expect.any(String));
			if (tries > 1) expect(item.json.note).toMatch(/earlier try of this node/);
		}
	});

	test('a Cloud PC whose outcome was unknown is not sent by the next try either', async () => {
		// Its answer is lost after Graph acted, and its actions cannot be read: unknown.
		graph.failNext(
			{ method: 'POST', pathIncludes: `${ids[0]}/reprovision` },
			{ status: 500, afterEffect: true },
		);
		graph.failNext({ pathIncludes: 'retrieveCloudPcRemoteActionResults' }, { status: 403 }, 10);
		const { output } = await run([UNKNOWN, ids[0]], { continueOnFail: true });
		expect(graph.reprovisionCount(ids[0])).toBe(1);
		expect(output[1].json.outcome).toBe('unknown');
	});

	test('Bulk Reprovision creates its bulk action once', async () => {
		const parameters = {
			...reprovisionParameters({ operation: 'bulkReprovision' }),
			scope: undefined,
		} as INodeParameters;
		// A first item that fails validation: with Continue On Fail n8n tries the node 3 times.
		const { output } = await run(['not-a-guid', ...ids], { continueOnFail: true, parameters });
		expect(graph.bulkActions()).toHaveLength(1);
		expect(graph.bulkActions()[0].cloudPcIds).toEqual(ids);
		expect(output.slice(1).map((item) => item.json.outcome)).toEqual(ids.map(() => 'requested'));
		expect(output[1].json.note).toMatch(/earlier try of this node/);
	});
});

describe('the record of earlier tries is bounded', () => {
	const ctx = (executionId: string) =>
		({
			getExecutionId: () => executionId,
			getWorkflow: () => ({ id: 'wf' }),
			getNode: () => ({ id: 'node' }),
		}) as unknown as ConstructorParameters<typeof EarlierTries>[0];

	test('another execution, or another action, finds nothing', () => {
		new EarlierTries(ctx('a'), 'reprovision').record('PC-1', { outcome: 'requested' });
		expect(new EarlierTries(ctx('a'), 'reprovision').outcomeOf('pc-1')).toEqual({
			outcome: 'requested',
		});
		expect(new EarlierTries(ctx('b'), 'reprovision').outcomeOf('pc-1')).toBeUndefined();
		expect(new EarlierTries(ctx('a'), 'bulkReprovision').outcomeOf('pc-1')).toBeUndefined();
	});

	test(`an entry lives ${LIFETIME_MS / 3_600_000} hours`, () => {
		let now = 1_000_000;
		new EarlierTries(ctx('life'), 'reprovision', () => now).record('pc', { outcome: 'requested' });
		now += LIFETIME_MS - 1;
		expect(new EarlierTries(ctx('life'), 'reprovision', () => now).outcomeOf('pc')).toBeDefined();
		now += 1;
		expect(new EarlierTries(ctx('life'), 'reprovision', () => now).outcomeOf('pc')).toBeUndefined();
	});

	test(`at most ${MAX_ENTRIES} entries: the oldest go first`, () => {
		const tries = new EarlierTries(ctx('many'), 'reprovision');
		for (let k = 0; k <= MAX_ENTRIES; k++) tries.record(`pc-${k}`, { k });
		const later = new EarlierTries(ctx('many'), 'reprovision');
		expect(later.outcomeOf('pc-0')).toBeUndefined();
		expect(later.outcomeOf('pc-1')).toEqual({ k: 1 });
		expect(later.outcomeOf(`pc-${MAX_ENTRIES}`)).toEqual({ k: MAX_ENTRIES });
	});
});
