import type { IDataObject, INodeParameters, INodeProperties } from 'n8n-workflow';

import { outcomeOfAction } from '../../nodes/MicrosoftCloudPc/shared/remoteActionResults';
import { LIMIT, MAX_PAGES } from '../../nodes/MicrosoftCloudPc/actions/cloudPc/getMany.operation';
import { MicrosoftCloudPc } from '../../nodes/MicrosoftCloudPc/MicrosoftCloudPc.node';
import { upnProblem } from '../../nodes/MicrosoftCloudPc/shared/textChecks';
import { manyCloudPcs, startGraphServer, type GraphServer } from '../graph-server';
import {
	ADELE,
	PC,
	delegatedCredential,
	reprovisionParameters,
	serverOptions,
	getManyParameters,
} from '../fixtures';
import { runCloudPcNode, searchCloudPcs, type RunOptions } from '../harness/run-workflow';

/*
 * Issue 12: no number, text or Graph answer can make the node spin, wait for ever, loop, or fail
 * an item after sending has started. Bad input must fail before anything reaches Graph.
 */

let graph: GraphServer;

beforeAll(async () => {
	graph = await startGraphServer({ ...serverOptions(), pageSize: 2 });
});
afterAll(async () => await graph.close());
beforeEach(() => graph.reset());

const run = async (parameters: INodeParameters, options: Partial<RunOptions> = {}) =>
	await runCloudPcNode({
		credentials: delegatedCredential(graph.url),
		parameters,
		items: [{ cloudPcId: PC.adeleProvisioned }],
		...options,
	});

const getParameters = (overrides: INodeParameters = {}): INodeParameters =>
	reprovisionParameters({ operation: 'get', ...overrides });

const listCalls = () => graph.requests.filter((r) => r.path.endsWith('/cloudPCs'));

/** A value as an expression n8n evaluates, so the editor's min/max do not apply. */
const expression = (source: string) => `={{ ${source} }}`;

const BAD_NUMBERS: Array<[string, string]> = [
	['0', '0'],
	['-1', '-1'],
	['NaN', 'NaN'],
	['Infinity', 'Infinity'],
	['1e12', '1000000000000'],
	['""', '""'],
	['"ten"', '"ten"'],
	['2.5', '2.5'],
];

/** Every parameter of the node, collection options included. */
function allParameters(properties: INodeProperties[]): INodeProperties[] {
	return properties.flatMap((property) => [
		property,
		...allParameters(
			((property.options ?? []) as INodeProperties[]).filter((option) => 'type' in option),
		),
	]);
}

test('every number in the editor has a minimum and a maximum, and its default within them', () => {
	const numbers = allParameters(new MicrosoftCloudPc().description.properties).filter(
		(property) => property.type === 'number',
	);

	// each remote action has its own Safety and Follow-Up collection, with the same numbers
	expect([...new Set(numbers.map((property) => property.name))].sort()).toEqual([
		'batchesInFlight',
		'limit',
		'maxRetries',
		'maxWaitSeconds',
		'pollIntervalSeconds',
		'timeoutSeconds',
		'waitTimeoutMinutes',
	]);
	for (const { name, default: initial, typeOptions } of numbers) {
		expect({ name, min: Number.isFinite(typeOptions?.minValue) }).toEqual({ name, min: true });
		expect({ name, max: Number.isFinite(typeOptions?.maxValue) }).toEqual({ name, max: true });
		expect(initial).toBeGreaterThanOrEqual(typeOptions?.minValue as number);
		expect(initial).toBeLessThanOrEqual(typeOptions?.maxValue as number);
	}
	const limit = numbers.find((property) => property.name === 'limit');
	expect(limit?.default).toBe(LIMIT.default);
});

describe('numbers out of bounds fail the run before anything is sent', () => {
	const throughputFields: Array<[string, string, string]> = [
		['batchesInFlight', 'Batches in Flight', 'a whole number from 1 to 50'],
		['maxRetries', 'Max Retries', 'a whole number from 0 to 20'],
		['maxWaitSeconds', 'Max Wait per Item (Seconds)', 'a whole number from 0 to 3,600'],
		['timeoutSeconds', 'Request Timeout (Seconds)', 'a whole number from 1 to 300'],
	];

	describe.each(throughputFields)('Throughput and Retries › %s', (name, label, range) => {
		const bad = BAD_NUMBERS.filter(([source]) => !(source === '0' && range.includes('from 0')));
		test.each(bad)('%s', async (source, shown) => {
			const { error, output } = await run(
				getParameters({ throughput: { [name]: expression(source) } }),
			);

			expect(error?.message).toBe(`Item 0: "${label}" must be ${range}; got ${shown}`);
			expect(output).toEqual([]);
			expect(graph.stats().httpRequests).toBe(0);
		});
	});

	test.each(BAD_NUMBERS)('Get Many › Limit: %s', async (source, shown) => {
		const { error } = await run(getManyParameters({ returnAll: false, limit: expression(source) }));

		expect(error?.message).toBe(
			`Item 0: "Limit" must be a whole number from 1 to 100,000; got ${shown}`,
		);
		expect(graph.stats().httpRequests).toBe(0);
	});

	const waitFor = (option: IDataObject) =>
		reprovisionParameters({ safety: { waitForCompletion: true, ...option } });

	test.each([...BAD_NUMBERS, ['60000', '60000']])(
		'Reprovision › Poll Interval (Seconds): %s (60000 is milliseconds typed into seconds)',
		async (source, shown) => {
			const { error } = await run(waitFor({ pollIntervalSeconds: expression(source) }));

			expect(error?.message).toBe(
				`Item 0: "Poll Interval (Seconds)" must be a whole number from 1 to 3,600; got ${shown}`,
			);
			expect(graph.stats().httpRequests).toBe(0);
			expect(graph.stats().reprovisionAttempts).toBe(0);
		},
	);

	test.each(BAD_NUMBERS.filter(([source]) => source !== '0' && source !== '2.5'))(
		'Reprovision › Wait Timeout (Minutes): %s',
		async (source, shown) => {
			const { error } = await run(waitFor({ waitTimeoutMinutes: expression(source) }));

			expect(error?.message).toBe(
				`Item 0: "Wait Timeout (Minutes)" must be a number from 0 to 240; got ${shown}`,
			);
			expect(graph.stats().httpRequests).toBe(0);
		},
	);

	test('a bad number on a later item names that item, and nothing is sent for any', async () => {
		const { error } = await run(waitFor({ pollIntervalSeconds: expression('$json.poll') }), {
			items: [
				{ cloudPcId: PC.adeleFailed, poll: 60 },
				{ cloudPcId: PC.adeleProvisioned, poll: 0 },
			],
		});

		expect(error?.message).toBe(
			'Item 1: "Poll Interval (Seconds)" must be a whole number from 1 to 3,600; got 0',
		);
		expect(graph.stats().httpRequests).toBe(0);
	});

	test('the bounds themselves are accepted, fractions of a minute included', async () => {
		const { error, output } = await run(
			getParameters({
				throughput: {
					batchesInFlight: expression('10'),
					maxRetries: expression('0'),
					maxWaitSeconds: expression('3600'),
					timeoutSeconds: expression('300'),
				},
			}),
		);

		expect(error).toBeUndefined();
		expect(output[0].json.cloudPcId).toBe(PC.adeleProvisioned);

		graph.reset();
		const dryRun = await run(
			reprovisionParameters({
				safety: { dryRun: true, pollIntervalSeconds: 3600, waitTimeoutMinutes: 0.5 },
			}),
		);
		expect(dryRun.error).toBeUndefined();
		expect(dryRun.output[0].json.outcome).toBe('dryRun');
	});
});

describe('free text is checked before anything is sent', () => {
	const reprovisionFor = (upn: string) =>
		run(reprovisionParameters({ scope: 'user', user: expression('$json.upn') }), {
			items: [{ upn, cloudPcId: PC.adeleProvisioned }],
		});

	test.each([
		['a double quote', 'adele"vance@contoso.com', 'contains "\\""'],
		['a question mark', 'adele?@contoso.com', 'contains "?"'],
		['a percent sign', 'adele%41@contoso.com', 'contains "%"'],
		['a plus sign', 'adele+it@contoso.com', 'contains "+"'],
		['a slash', 'adele/../me@contoso.com', 'contains "/"'],
		['a space', 'adele vance@contoso.com', 'contains U+0020'],
		['a control character', 'adele\u0007@contoso.com', 'contains the control character U+0007'],
		['a NUL', 'adele\u0000@contoso.com', 'contains the control character U+0000'],
		['a lone surrogate', 'adele\ud800@contoso.com', 'is not well-formed Unicode'],
		['a letter outside A-Z', 'adèle@contoso.com', 'contains "è"'],
		['an underscore in the domain', 'adele@con_toso.com', 'contains "_"'],
		['two @', 'adele@vance@contoso.com', 'must be an object ID (GUID) or a user principal name'],
		['no domain', 'adele@', 'must be an object ID (GUID) or a user principal name'],
		['an undotted domain', 'adele@contoso', 'its domain dotted like contoso.com'],
		['a dot before the @', 'adele.@contoso.com', 'must not have a "." right before the @'],
		[
			'65 characters before the @',
			`${'a'.repeat(65)}@contoso.com`,
			'has 65 characters before the @',
		],
		['49 characters after the @', `a@${'b'.repeat(45)}.com`, 'has 49 characters after the @'],
	])('a UPN with %s is refused, naming item and field', async (_, upn, problem) => {
		const { error } = await reprovisionFor(upn);

		expect(error?.message).toMatch(/^Item 0: "User" /);
		expect(error?.message).toContain(problem);
		expect(graph.stats().httpRequests).toBe(0);
		expect(graph.stats().reprovisionAttempts).toBe(0);
	});

	test("a UPN with every character Entra ID allows ( ' . - _ ! # ^ ~ ) is sent, URL-encoded", async () => {
		const upn = "o'brien.j-k_l!m#n^o~p@sub-1.contoso.com";
		const { error } = await run(getParameters({ scope: 'user', user: expression('$json.upn') }), {
			items: [{ upn, cloudPcId: PC.adeleProvisioned }],
			continueOnFail: true,
		});

		expect(error).toBeUndefined();
		const [call] = graph.requests.filter((r) => r.batchRequestId !== undefined);
		// a Get of all fields reads through beta (status)
		expect(call.path).toBe(
			`/beta/users/${encodeURIComponent(upn)}/cloudPCs/${PC.adeleProvisioned}`,
		);
	});

	test('a 100 KB UPN is refused by its length, at once', async () => {
		const upn = `${'a'.repeat(100 * 1024)}@contoso.com`;
		const started = performance.now();
		const { error } = await reprovisionFor(upn);

		expect(performance.now() - started).toBeLessThan(1000);
		expect(error?.message).toBe(
			'Item 0: "User" is 102,412 characters long; at most 113 are allowed',
		);
		expect(graph.stats().httpRequests).toBe(0);
	});

	test('the length is checked before any regular expression looks at the value', () => {
		const exec = jest.spyOn(RegExp.prototype, 'exec');
		try {
			// the shape that made the old pattern backtrack: many "@"-free runs split by dots
			const problem = upnProblem(`a@${'a.'.repeat(50_000)}`);
			expect(problem).toBe('is 100,002 characters long; at most 113 are allowed');
			expect(exec).not.toHaveBeenCalled();
		} finally {
			exec.mockRestore();
		}
	});

	test('a 100 KB Cloud PC ID is refused without being echoed whole', async () => {
		const { error } = await run(getParameters(), {
			items: [{ cloudPcId: 'f'.repeat(100 * 1024) }],
		});

		expect(error?.message).toMatch(
			/^Item 0: "Cloud PC" must be a Cloud PC ID \(a GUID\); got "f{80}"$/,
		);
		expect(graph.stats().httpRequests).toBe(0);
	});

	test.each([
		['a control character', 'CPC-\u0001', 'contains the control character U+0001'],
		['a lone surrogate', 'CPC-\udc00', 'is not well-formed Unicode (it holds a lone surrogate)'],
		['257 characters', 'C'.repeat(257), 'is 257 characters long; at most 256 are allowed'],
		['a number', expression('42'), 'must be text; got 42'],
	])('a name prefix with %s is refused', async (_, prefix, problem) => {
		const { error } = await run(getManyParameters({ filters: { displayNamePrefix: prefix } }));

		expect(error?.message).toBe(`Item 0: "Filters › Display Name Starts With" ${problem}`);
		expect(graph.stats().httpRequests).toBe(0);
	});

	test('a name prefix with quotes and URL syntax is sent as one OData literal', async () => {
		const prefix = "CPC-'x' or 1 eq 1&$top=1#";
		const { error } = await run(getManyParameters({ filters: { displayNamePrefix: prefix } }));

		expect(error).toBeUndefined();
		expect(listCalls()[0].query.$filter).toBe(
			"startswith(displayName,'CPC-''x'' or 1 eq 1&$top=1#')",
		);
	});

	test('a 200-character status filter is refused by its length', async () => {
		const { error } = await run(getManyParameters({ filters: { status: 'a'.repeat(200) } }));

		expect(error?.message).toBe(
			'Item 0: "Filters › Status" is 200 characters long; at most 64 are allowed',
		);
		expect(graph.stats().httpRequests).toBe(0);
	});

	test('10,000 items with a bad UPN in the last one send nothing', async () => {
		const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
		const items = Array.from({ length: 10_000 }, (_, n) => ({
			upn: n === 9_999 ? 'adele%vance@contoso.com' : ADELE.upn,
			cloudPcId: id(n),
		}));
		const { error, output } = await run(
			reprovisionParameters({ scope: 'user', user: expression('$json.upn') }),
			{ items },
		);

		expect(error?.message).toMatch(/^Item 9999: "User" contains "%"/);
		expect(output).toEqual([]);
		expect(graph.stats().httpRequests).toBe(0);
	});
});

describe('Graph answers are read defensively', () => {
	const listPath = { method: 'GET', pathIncludes: '/deviceManagement/virtualEndpoint/cloudPCs' };

	test('a page linking to itself ends Get Many with an error after the second read', async () => {
		const loop = `${graph.url}/v1.0/deviceManagement/virtualEndpoint/cloudPCs?$skiptoken=same`;
		graph.failNext(
			listPath,
			{ status: 200, body: { value: [{ id: PC.adeleFailed }], '@odata.nextLink': loop } },
			10_000,
		);
		const { error, output } = await run(getManyParameters());

		expect(listCalls()).toHaveLength(2);
		expect(error?.message).toBe(
			'Item 0: Microsoft Graph answered 200 RepeatedNextLink: Graph\'s "@odata.nextLink" points to a page already read for this item (after 2 pages); stopped instead of reading it again',
		);
		expect(error?.description).toContain(`Request ID: ${listCalls()[1].requestId}`);
		expect(output).toEqual([]);
	});

	test("with Continue On Fail the loop is the item's error, carrying the request-id", async () => {
		const loop = `${graph.url}/v1.0/deviceManagement/virtualEndpoint/cloudPCs?$skiptoken=same`;
		graph.failNext(listPath, { status: 200, body: { value: [], '@odata.nextLink': loop } }, 10_000);
		const { output } = await run(getManyParameters(), { continueOnFail: true });

		expect(listCalls()).toHaveLength(2);
		expect(output).toHaveLength(1);
		expect(output[0].json).toMatchObject({
			outcome: 'failed',
			errorCode: 'RepeatedNextLink',
			requestId: listCalls()[1].requestId,
		});
	});

	test.each([
		['no value', { items: [] }],
		['a value that is not a list', { value: 'none' }],
		['a list holding a non-object', { value: [null] }],
		['a nextLink that is not text', { value: [], '@odata.nextLink': 42 }],
		['a nextLink that is not a URL', { value: [], '@odata.nextLink': 'next page, please' }],
		['a JSON array', [{ id: PC.adeleFailed }]],
	])('a page with %s is an error naming the request-id, not an empty list', async (_, body) => {
		graph.failNext(listPath, { status: 200, body });
		const { error, output } = await run(getManyParameters());

		expect(error?.message).toMatch(/^Item 0: Microsoft Graph answered 200 UnexpectedResponse: /);
		expect(error?.description).toContain(`Request ID: ${listCalls()[0].requestId}`);
		expect(listCalls()).toHaveLength(1);
		expect(output).toEqual([]);
	});

	test(`Return All stops with an error after ${MAX_PAGES} pages`, async () => {
		const big = await startGraphServer({
			...serverOptions(),
			cloudPcs: manyCloudPcs(MAX_PAGES + 1),
			pageSize: 1,
			logRequests: false,
		});
		try {
			const { error } = await runCloudPcNode({
				credentials: delegatedCredential(big.url),
				parameters: getManyParameters(),
			});

			expect(big.stats().graphOperations).toBe(MAX_PAGES);
			expect(error?.message).toBe(
				'Item 0: Microsoft Graph answered 200 TooManyPages: Graph still had more pages after 1,000; use Limit or Filters to read fewer Cloud PCs per item',
			);
		} finally {
			await big.close();
		}
	}, 60_000);

	test('a list search page without value is an error, not an empty list', async () => {
		graph.failNext(listPath, { status: 200, body: { nothing: true } });

		await expect(
			searchCloudPcs({
				credentials: delegatedCredential(graph.url),
				parameters: reprovisionParameters({ scope: 'organization' }),
			}),
		).rejects.toThrow('no "value" list of objects');
	});

	test('a list search with a malformed user asks Graph nothing', async () => {
		await expect(
			searchCloudPcs({
				credentials: delegatedCredential(graph.url),
				parameters: reprovisionParameters({ scope: 'user', user: 'adele\ud800@contoso.com' }),
			}),
		).rejects.toThrow('"User" is not well-formed Unicode');
		expect(graph.stats().httpRequests).toBe(0);
	});

	test.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])(
		'an actionState of "%s" is not a final state',
		(state) => {
			expect(outcomeOfAction(state)).toEqual({ outcome: 'requested', final: false });
		},
	);

	test('Get Reprovision Status reads an actionState of "constructor" as still running', async () => {
		graph.addRemoteAction(PC.adeleProvisioned, {
			actionName: 'Reprovision',
			actionState: 'constructor',
			startDateTime: new Date().toISOString(),
		});
		const { output, error } = await run(
			reprovisionParameters({ operation: 'getReprovisionStatus' }),
		);

		expect(error).toBeUndefined();
		expect(output[0].json).toMatchObject({
			actionState: 'constructor',
			outcome: 'requested',
			reason: null,
		});
	});

	test('Wait for Completion keeps waiting through an actionState of "constructor"', async () => {
		graph.failNext(
			{ method: 'GET', pathIncludes: 'retrieveCloudPcRemoteActionResults' },
			{
				status: 200,
				body: {
					value: [
						{
							actionName: 'Reprovision',
							actionState: 'constructor',
							startDateTime: new Date(Date.now() + 60_000).toISOString(),
						},
					],
				},
			},
			100,
		);
		const { output, error } = await run(
			reprovisionParameters({
				safety: { waitForCompletion: true, pollIntervalSeconds: 1, waitTimeoutMinutes: 0.03 },
			}),
		);

		expect(error).toBeUndefined();
		expect(output[0].json).toMatchObject({
			outcome: 'requested',
			actionState: 'constructor',
			reason: 'Still running after 0.03 minutes',
			completedAt: null,
		});
	});
});
