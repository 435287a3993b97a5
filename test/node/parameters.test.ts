import { Workflow, WorkflowExpression, type IDataObject, type INode } from 'n8n-workflow';

import { ALEX, PC, reprovisionParameters } from '../fixtures';
import { useReprovisionServer } from '../harness/graph-per-file';
import { NODE_TYPE, nodeTypes } from '../harness/run-workflow';

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

/** n8n-workflow's own evaluation of `expression` for an item holding `json`: its value or its error. */
function n8nEvaluates(
	expression: string,
	json: IDataObject,
): { value: unknown } | { error: string } {
	const node: INode = {
		id: 'node',
		name: 'Node',
		type: NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	try {
		const value = workflow.expression.getParameterValue(
			expression,
			null,
			0,
			0,
			node.name,
			[{ json }],
			'manual',
			{},
		);
		return { value };
	} catch (error) {
		return { error: (error as Error).message };
	}
}

// names n8n's sandbox refuses, reads otherwise or cannot parse, and ordinary ones beside them
const fieldNames = [
	'cloudPcId',
	'constructor',
	'caller',
	'arguments',
	'prototype',
	'callee',
	'__proto__',
	'getPrototypeOf',
	'toString',
	'hasOwnProperty',
	'globalThis',
	'constructorId',
	'a.constructor',
	'a\nb',
	'a\rb',
	'a\tb',
	'a\u0000b',
	'a\u2028b',
	'a}}b',
	'a{{b',
	'café',
	'ünïcødé',
	'$',
	'_',
	'a$b',
	'1a',
	'',
	'a b',
	'a.b',
];

/** A row of the table: its title (control characters written out), the expression, the item. */
const row = (expression: string, json: IDataObject): [string, string, IDataObject] => [
	JSON.stringify(expression),
	expression,
	json,
];

/** `={{ $json.field }}`, `={{ $json["field"] }}` and `={{ $json['field'] }}`, each for `json`. */
const forms = (field: string, json: IDataObject) =>
	[`$json.${field}`, `$json["${field}"]`, `$json['${field}']`].map((access) =>
		row(`={{ ${access} }}`, json),
	);

const cases = [
	...fieldNames.flatMap((field) => forms(field, { [field]: PC.adeleProvisioned })),
	...forms('count', { count: 42 }),
	row('={{ $json["a\\u0062"] }}', { ab: PC.adeleProvisioned }),
];

describe('the $json shortcut against n8n’s own evaluation', () => {
	/** A run of the node for one item with Cloud PC (By ID) `value`: the item's outcome and the requests sent. */
	async function runOne(value: string, json: IDataObject) {
		graph.reset();
		const { output, error } = await run({
			parameters: reprovisionParameters({ cloudPcId: { __rl: true, mode: 'id', value } }),
			items: [json],
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		const { outcome, errorMessage } = output[0].json;
		return { outcome, errorMessage, sent: graph.requests.map((r) => `${r.method} ${r.path}`) };
	}

	test.each(cases)(
		'%s: what n8n evaluates, or the item fails as in n8n',
		async (_label, expression, json) => {
			const n8n = n8nEvaluates(expression, json);
			const node = await runOne(expression, json);

			if ('error' in n8n) {
				expect(node.outcome).toBe('failed');
				expect(node.errorMessage).toContain(n8n.error);
				expect(node.sent).toEqual([]);
			} else {
				// n8n's value handed over by n8n: `($json.value)` is not a form the shortcut reads
				expect(node).toEqual(
					await runOne('={{ ($json.value) }}', { value: n8n.value } as IDataObject),
				);
			}
		},
	);
});
