import {
	ADELE,
	PC,
	READER_TOKEN,
	delegatedCredential,
	reprovisionParameters,
} from '../../../fixtures';
import { useReprovisionServer } from '../../../harness/graph-per-file';

const { graph, run, reprovisionCalls } = useReprovisionServer();

describe('Graph errors', () => {
	test('403 keeps code, message and request-id and tells the admin what to grant', async () => {
		const { output, error } = await run({
			credentials: delegatedCredential(graph.url, READER_TOKEN),
			parameters: reprovisionParameters(),
			items: [{ cloudPcId: PC.adeleProvisioned }],
		});
		const [call] = reprovisionCalls();

		expect(output).toEqual([]);
		expect(call.status).toBe(403);
		expect(error?.message).toMatch(/^Item 0: Microsoft Graph answered 403 Forbidden: /);
		expect(error?.httpCode).toBe('403');
		expect(error?.description).toContain('CloudPC.ReadWrite.All');
		expect(error?.description).toContain('admin consent');
		expect(error?.description).toContain(`Request ID: ${call.requestId}`);
	});

	test("404 for a Cloud PC that is not the user's", async () => {
		const { error } = await run({
			parameters: reprovisionParameters({ scope: 'user', user: ADELE.upn }),
			items: [{ cloudPcId: PC.alexProvisioned }],
		});

		expect(error?.httpCode).toBe('404');
		// Graph's own words, not n8n's canned "connection cannot be established" for ENOTFOUND
		expect(error?.message).toMatch(/^Item 0: Microsoft Graph answered 404 \w*NotFound: /);
		expect(error?.description).toContain('belongs to that user');
		expect(error?.description).not.toContain('No user');
		expect(graph.reprovisionCount(PC.alexProvisioned)).toBe(0);
	});

	test('404 for a mistyped user names the user, not the Cloud PC', async () => {
		const typo = ADELE.upn.replace('adele', 'adel');
		const { error } = await run({
			parameters: reprovisionParameters({ scope: 'user', user: typo }),
			items: [{ cloudPcId: PC.adeleProvisioned }],
		});

		expect(error?.httpCode).toBe('404');
		expect(error?.message).toContain(`Request_ResourceNotFound: Resource '${typo}' does not exist`);
		expect(error?.description).toMatch(
			new RegExp(`^No user "${typo}" in this tenant: check the spelling of "User"`),
		);
		expect(error?.description).not.toContain('No such Cloud PC');
		expect(graph.reprovisionCount(PC.adeleProvisioned)).toBe(0);
	});

	test('400 for a Cloud PC that is not in a reprovisionable state', async () => {
		const { error } = await run({
			parameters: reprovisionParameters(),
			items: [{ cloudPcId: PC.alexProvisioning }],
		});

		expect(error?.httpCode).toBe('400');
		expect(error?.message).toContain('provisioning');
		expect(error?.description).toContain('"provisioned" or "failed"');
	});

	test('401 that survives a token refresh says to reconnect', async () => {
		graph.failNext(
			{ pathIncludes: '$batch' },
			{
				status: 401,
				code: 'InvalidAuthenticationToken',
				message: 'Access token has expired or is not yet valid.',
			},
			2,
		);
		const { error } = await run({
			parameters: reprovisionParameters(),
			items: [{ cloudPcId: PC.adeleProvisioned }],
		});

		expect(error?.httpCode).toBe('401');
		expect(error?.description).toContain('reconnect the credential');
		expect(graph.reprovisionCount(PC.adeleProvisioned)).toBe(0);
	});

	test('Continue On Fail: one item out per item in, errors as data', async () => {
		const { output, error } = await run({
			parameters: reprovisionParameters(),
			items: [
				{ cloudPcId: PC.adeleProvisioned },
				{ cloudPcId: 'not-a-guid' },
				{ cloudPcId: PC.alexProvisioning },
				{ cloudPcId: PC.adeleFailed },
			],
			continueOnFail: true,
		});

		expect(error).toBeUndefined();
		expect(output).toHaveLength(4);
		expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
		expect(output.map((item) => item.json.outcome)).toEqual([
			'requested',
			'failed',
			'failed',
			'requested',
		]);
		expect(output[1].json.error).toContain('Item 1: "Cloud PC" must be a Cloud PC ID');
		// the same failure fields as a Graph error, so a ticket step needs no fallbacks
		expect(output[1].json).toMatchObject({
			outcome: 'failed',
			statusCode: null,
			errorMessage: expect.stringContaining('Item 1: "Cloud PC" must be a Cloud PC ID'),
			hint: 'Nothing was sent to Microsoft Graph for this item.',
			requestId: null,
		});
		const rejected = graph.requests.find((r) => r.path.includes(PC.alexProvisioning))!;
		expect(output[2].json).toMatchObject({
			cloudPcId: PC.alexProvisioning,
			statusCode: 400,
			errorCode: 'BadRequest',
			requestId: rejected.requestId,
			hint: expect.stringContaining('"provisioned" or "failed"'),
		});
		expect(reprovisionCalls()).toHaveLength(3);
	});
});
