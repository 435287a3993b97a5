import type { IDataObject } from 'n8n-workflow';

import { PC, READER_TOKEN, delegatedCredential } from '../fixtures';
import { parameters, UNKNOWN, type useOperationsServer } from './graph-per-file';

/**
 * What every per-Cloud-PC beta read on the admin route does (Get Snapshots, Get Supported
 * Actions, Get Connectivity History, Get Action Results): the route and version Graph sees,
 * batching and pairing, every page, bad input, Continue On Fail, and Graph's errors.
 */
export function adminReadContract(
	{ graph, run, operations }: ReturnType<typeof useOperationsServer>,
	spec: {
		operation: string;
		/** the function's segment after the Cloud PC, e.g. 'retrieveSnapshots' */
		segment: string;
		/** the i-th record of a page, as Graph would send it */
		record: (i: number) => IDataObject;
		/** how many records an output item carries */
		count: (json: IDataObject) => number;
	},
) {
	const { operation, segment } = spec;
	const path = (id: string) => `/beta/deviceManagement/virtualEndpoint/cloudPCs/${id}/${segment}`;
	const fnCalls = () => operations().filter((r) => r.path.endsWith(`/${segment}`));

	describe(`${operation}: what every admin read does`, () => {
		test('beta on the admin route whatever the API Version, one batched GET per item, paired', async () => {
			const ids = [PC.adeleProvisioned, PC.adeleFailed, PC.alexProvisioned];
			const { output, error } = await run({
				parameters: parameters(operation, { apiVersion: 'v1.0' }),
				items: ids.map((cloudPcId) => ({ cloudPcId })),
			});

			expect(error).toBeUndefined();
			expect(graph.requests.filter((r) => r.path.endsWith('$batch'))).toHaveLength(1);
			expect(operations().map((r) => [r.method, r.path, r.status])).toEqual(
				ids.map((id) => ['GET', path(id), 200]),
			);
			expect(operations().every((r) => r.batchRequestId !== undefined)).toBe(true);
			expect(output.map((item) => item.pairedItem)).toEqual(ids.map((_, item) => ({ item })));
			ids.forEach((id, item) => {
				const call = operations().find((r) => r.path === path(id))!;
				expect(output[item].json).toMatchObject({
					cloudPcId: id,
					apiVersion: 'beta',
					requestId: call.requestId,
				});
			});
		});

		test('every page: @odata.nextLink followed verbatim, the records of all pages in one item', async () => {
			const next = `${graph.url}${path(PC.adeleProvisioned)}?$skiptoken=page2`;
			graph.failNext(
				{ pathIncludes: path(PC.adeleProvisioned) },
				{ status: 200, body: { value: [spec.record(1)], '@odata.nextLink': next } },
			);
			graph.failNext(
				{ queryHas: '$skiptoken' },
				{ status: 200, body: { value: [spec.record(2), spec.record(3)] } },
			);
			const { output, error } = await run({
				parameters: parameters(operation),
				items: [{ cloudPcId: PC.adeleProvisioned }],
			});

			expect(error).toBeUndefined();
			const [first, second] = fnCalls();
			expect(first.batchRequestId).toBeDefined();
			expect(second).toMatchObject({ path: path(PC.adeleProvisioned), status: 200 });
			expect(second.query).toEqual({ $skiptoken: 'page2' });
			expect(second.batchRequestId).toBeUndefined();
			expect(spec.count(output[0].json)).toBe(3);
		});

		test('a later page that fails fails its item with that page’s request id (Continue On Fail)', async () => {
			const next = `${graph.url}${path(PC.adeleProvisioned)}?$skiptoken=page2`;
			graph.failNext(
				{ pathIncludes: path(PC.adeleProvisioned) },
				{ status: 200, body: { value: [spec.record(1)], '@odata.nextLink': next } },
			);
			graph.failNext({ queryHas: '$skiptoken' }, { status: 404, code: 'ResourceNotFound' });
			const { output } = await run({
				parameters: parameters(operation),
				items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: PC.adeleFailed }],
				continueOnFail: true,
			});

			const failedPage = fnCalls().find((r) => r.status === 404)!;
			expect(output[0].json).toMatchObject({
				cloudPcId: PC.adeleProvisioned,
				statusCode: 404,
				errorCode: 'ResourceNotFound',
				requestId: failedPage.requestId,
			});
			expect(output[1].json.cloudPcId).toBe(PC.adeleFailed);
			expect(output[1].json).not.toHaveProperty('statusCode');
			expect(output[1].json.error).toBeUndefined();
		});

		test('without Continue On Fail a later page that fails ends the run there, with its request id', async () => {
			for (const id of [PC.adeleProvisioned, PC.adeleFailed]) {
				graph.failNext(
					{ pathIncludes: path(id) },
					{
						status: 200,
						body: {
							value: [spec.record(1)],
							'@odata.nextLink': `${graph.url}${path(id)}?$skiptoken=${id}`,
						},
					},
				);
			}
			graph.failNext({ queryHas: '$skiptoken' }, { status: 404, code: 'ResourceNotFound' });
			const { output, error } = await run({
				parameters: parameters(operation),
				items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: PC.adeleFailed }],
			});

			const later = fnCalls().filter((r) => r.batchRequestId === undefined);
			expect(output).toEqual([]);
			expect(later).toHaveLength(1);
			expect(later[0].query).toEqual({ $skiptoken: PC.adeleProvisioned });
			expect(error?.message).toMatch(/^Item 0: Microsoft Graph answered 404 /);
			expect(error?.description).toContain(`Request ID: ${later[0].requestId}`);
		});

		test('a page that never ends stops with an error instead of reading for ever', async () => {
			const next = `${graph.url}${path(PC.adeleProvisioned)}?$skiptoken=again`;
			graph.failNext(
				{ pathIncludes: path(PC.adeleProvisioned) },
				{ status: 200, body: { value: [spec.record(1)], '@odata.nextLink': next } },
				2,
			);
			const { error } = await run({
				parameters: parameters(operation),
				items: [{ cloudPcId: PC.adeleProvisioned }],
			});

			expect(error?.message).toContain('Item 0');
			expect(error?.message).toContain('RepeatedNextLink');
			expect(fnCalls()).toHaveLength(2);
		});

		test('bad input names item and field and sends nothing', async () => {
			const empty = await run({
				parameters: parameters(operation),
				items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: '' }],
			});
			expect(empty.error?.message).toContain('Item 1: "Cloud PC" is empty');

			const malformed = await run({
				parameters: parameters(operation),
				items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: 'x' }],
			});
			expect(malformed.error?.message).toContain(
				'Item 1: "Cloud PC" must be a Cloud PC ID (a GUID); got "x"',
			);
			expect(graph.requests).toEqual([]);
		});

		test('Continue On Fail: an unknown Cloud PC (404) and a malformed ID fail their own items only', async () => {
			const { output, error } = await run({
				parameters: parameters(operation),
				items: [{ cloudPcId: UNKNOWN }, { cloudPcId: 'x' }, { cloudPcId: PC.adeleFailed }],
				continueOnFail: true,
			});

			expect(error).toBeUndefined();
			expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2].map((item) => ({ item })));
			const notFound = operations().find((r) => r.path === path(UNKNOWN))!;
			expect(notFound.status).toBe(404);
			expect(output[0].json).toMatchObject({
				cloudPcId: UNKNOWN,
				apiVersion: 'beta',
				outcome: 'failed',
				statusCode: 404,
				errorCode: expect.stringMatching(/NotFound$/),
				errorMessage: expect.any(String),
				requestId: notFound.requestId,
				hint: expect.stringContaining('No such Cloud PC'),
			});
			expect(output[1].json.error).toContain('Item 1: "Cloud PC" must be a Cloud PC ID');
			expect(output[2].json).toMatchObject({ cloudPcId: PC.adeleFailed, apiVersion: 'beta' });
			expect(output[2].json.error).toBeUndefined();
			expect(operations()).toHaveLength(2);
		});

		test('403 keeps code, message and request-id, with what to grant', async () => {
			const { output, error } = await run({
				credentials: delegatedCredential(graph.url, READER_TOKEN),
				parameters: parameters(operation),
				items: [{ cloudPcId: PC.adeleProvisioned }],
			});
			const [call] = operations();

			expect(output).toEqual([]);
			expect(call).toMatchObject({ path: path(PC.adeleProvisioned), status: 403 });
			expect(error?.message).toMatch(/^Item 0: Microsoft Graph answered 403 Forbidden: /);
			expect(error?.httpCode).toBe('403');
			expect(error?.description).toContain('admin consent');
			expect(error?.description).toContain(`Request ID: ${call.requestId}`);
		});
	});
}
