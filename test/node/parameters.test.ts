import { WorkflowExpression, type IDataObject } from 'n8n-workflow';

import { ALEX, PC, reprovisionParameters } from '../fixtures';
import { useReprovisionServer } from '../harness/graph-per-file';

/*
 * actions/parameters.ts reads `{{ $json.field }}` from the input item and a value without an
 * expression once, instead of asking n8n's expression engine for every item. These runs go
 * through n8n-core: the answers must be n8n's answers, and the engine must not be asked per item.
 */

const { graph, run, reprovisionCalls } = useReprovisionServer();

const ids = [PC.adeleProvisioned, PC.adeleFailed, PC.alexProvisioned];
const reprovisioned = () => reprovisionCalls().map((call) => call.path.split('/').at(-2));

/**
 * A run whose Cloud PC (By ID) is `value`, and how often n8n resolved a parameter value
 * (expression or not) during it.
 */
async function runCounting(value: string, items: IDataObject[]) {
	const spy = jest.spyOn(WorkflowExpression.prototype, 'getParameterValue');
	try {
		const result = await run({
			parameters: reprovisionParameters({ cloudPcId: { __rl: true, mode: 'id', value } }),
			items,
		});
		return { result, calls: spy.mock.calls.length };
	} finally {
		spy.mockRestore();
	}
}

describe('per-item parameters', () => {
	test.each([
		['{{ $json.cloudPcId }}', '={{ $json.cloudPcId }}'],
		['{{$json["cloudPcId"]}}', '={{$json["cloudPcId"]}}'],
		["{{ $json['cloudPcId'] }}", "={{ $json['cloudPcId'] }}"],
	])(
		'%s: each item reprovisions its own Cloud PC, without the expression engine per item',
		async (_label, expression) => {
			const { result, calls } = await runCounting(
				expression,
				ids.map((cloudPcId) => ({ cloudPcId })),
			);

			expect(result.error).toBeUndefined();
			expect(result.output.map((item) => item.json.cloudPcId)).toEqual(ids);
			expect(result.output.map((item) => item.pairedItem)).toEqual(
				ids.map((_, item) => ({ item })),
			);
			expect(reprovisioned().sort()).toEqual([...ids].sort());
			// the Items node and the fixed parameters: the same count for 3 items as for 1
			const { calls: forOne } = await runCounting(expression, [{ cloudPcId: PC.adeleProvisioned }]);
			expect(calls).toBe(forOne);
		},
	);

	test('any other expression is n8n’s, for every item, with the same result', async () => {
		const value = '={{ $json.cloudPcId.trim() }}';
		const { result, calls } = await runCounting(
			value,
			ids.map((cloudPcId) => ({ cloudPcId: ` ${cloudPcId} ` })),
		);
		const { calls: forOne } = await runCounting(value, [{ cloudPcId: PC.adeleProvisioned }]);

		expect(result.error).toBeUndefined();
		expect(result.output.map((item) => item.json.cloudPcId)).toEqual(ids);
		expect(calls - forOne).toBe(ids.length - 1);
	});

	test('a field that is missing or not text is left to n8n: the item fails, naming the field, and nothing is sent for it', async () => {
		const { output, error } = await run({
			parameters: reprovisionParameters(),
			items: [{ cloudPcId: PC.adeleProvisioned }, {}, { cloudPcId: 42 }, { cloudPcId: null }],
			continueOnFail: true,
		});

		expect(error).toBeUndefined();
		expect(output.map((item) => item.json.outcome)).toEqual([
			'requested',
			'failed',
			'failed',
			'failed',
		]);
		expect(output[1].json.errorMessage).toBe('Item 1: "Cloud PC" is empty');
		expect(output[2].json.errorMessage).toBe(
			'Item 2: "Cloud PC" must be a Cloud PC ID (a GUID); got 42',
		);
		expect(output[3].json.errorMessage).toBe('Item 3: "Cloud PC" is empty');
		expect(reprovisioned()).toEqual([PC.adeleProvisioned]);
	});

	test('a plain (text) field is read per item: a user per item on the Specific User scope', async () => {
		const { output, error } = await run({
			parameters: reprovisionParameters({ scope: 'user', user: '={{ $json.owner }}' }),
			items: [
				{ cloudPcId: PC.alexProvisioned, owner: ALEX.upn },
				{ cloudPcId: PC.alexProvisioned, owner: 'not a user' },
			],
			continueOnFail: true,
		});

		expect(error).toBeUndefined();
		expect(output[0].json).toMatchObject({ outcome: 'requested', user: ALEX.upn });
		expect(output[1].json.errorMessage).toMatch(/^Item 1: "User" must be an object ID/);
		expect(graph.reprovisionCount(PC.alexProvisioned)).toBe(1);
	});
});
