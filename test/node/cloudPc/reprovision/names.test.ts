import type { INodeParameters } from 'n8n-workflow';

import {
	ADELE,
	PC,
	delegatedCredential,
	getManyParameters,
	reprovisionParameters,
} from '../../../fixtures';
import { useReprovisionServer } from '../../../harness/graph-per-file';
import { searchCloudPcs } from '../../../harness/run-workflow';

/*
 * Reprovision names the Cloud PC (cloudPcName, userPrincipalName) when it knows them without
 * an extra request: from the input item, a From List choice, a UPN given as the user, or the
 * read of Only If Reprovisionable.
 */

const { graph, run, reprovisionCalls } = useReprovisionServer();

/** The Cloud PC parameter as n8n stores a From List choice: the entry's name comes with it. */
async function chosenFromList(cloudPcId: string): Promise<INodeParameters> {
	const { results } = await searchCloudPcs({
		credentials: delegatedCredential(graph.url),
		parameters: reprovisionParameters({ scope: 'organization' }),
	});
	const entry = results.find((r) => r.value === cloudPcId)!;
	graph.reset();
	return { __rl: true, mode: 'list', value: entry.value, cachedResultName: entry.name };
}

describe('Reprovision names the Cloud PC', () => {
	test('chosen From List: its name and user as the picker showed them, no extra request', async () => {
		const cloudPcId = await chosenFromList(PC.adeleFailed);
		expect(cloudPcId.cachedResultName).toBe(`CPC-adele-02 · failed · ${ADELE.upn}`);

		const { output, error } = await run({ parameters: reprovisionParameters({ cloudPcId }) });

		expect(error).toBeUndefined();
		expect(graph.requests.filter((r) => r.method === 'GET')).toEqual([]);
		expect(reprovisionCalls()).toHaveLength(1);
		expect(output[0].json).toMatchObject({
			cloudPcId: PC.adeleFailed,
			cloudPcName: 'CPC-adele-02',
			userPrincipalName: ADELE.upn,
			outcome: 'requested',
		});
	});

	test('Get Many → Reprovision: the names the input item carries, no extra request', async () => {
		const listed = await run({
			parameters: getManyParameters({
				filters: { status: 'failed' },
			}),
		});
		expect(listed.error).toBeUndefined();
		graph.reset();

		const { output, error } = await run({
			parameters: reprovisionParameters(),
			items: listed.output.map((item) => item.json),
		});

		expect(error).toBeUndefined();
		expect(graph.requests.filter((r) => r.method === 'GET')).toEqual([]);
		expect(output.map((item) => item.json)).toEqual([
			expect.objectContaining({
				cloudPcId: PC.adeleFailed,
				cloudPcName: 'CPC-adele-02',
				userPrincipalName: ADELE.upn,
				outcome: 'requested',
			}),
		]);
		expect(Object.keys(output[0].json).slice(0, 3)).toEqual([
			'cloudPcName',
			'userPrincipalName',
			'cloudPcId',
		]);
	});

	test("an item's names count only for the Cloud PC it names", async () => {
		const { output } = await run({
			parameters: reprovisionParameters({
				cloudPcId: { __rl: true, mode: 'id', value: PC.adeleFailed },
			}),
			items: [{ cloudPcId: PC.alexProvisioned, cloudPcName: 'CPC-alex-01' }],
		});

		expect(output[0].json).toMatchObject({ cloudPcId: PC.adeleFailed, cloudPcName: null });
	});

	test("the user's route: the UPN given as the user names the user", async () => {
		const { output, error } = await run({
			parameters: reprovisionParameters({ scope: 'user', user: ADELE.upn }),
			items: [{ cloudPcId: PC.adeleFailed }],
		});

		expect(error).toBeUndefined();
		expect(output[0].json).toMatchObject({ userPrincipalName: ADELE.upn, cloudPcName: null });
	});

	test.each([
		['"name · user", no status', `CPC-adele-02 · ${ADELE.upn}`],
		['"name · user · status"', `CPC-adele-02 · ${ADELE.upn} · failed`],
	])('a choice saved by an earlier picker (%s) is read as well', async (_format, entry) => {
		const { output } = await run({
			parameters: reprovisionParameters({
				cloudPcId: { __rl: true, mode: 'list', value: PC.adeleFailed, cachedResultName: entry },
			}),
		});

		expect(output[0].json).toMatchObject({
			cloudPcName: 'CPC-adele-02',
			userPrincipalName: ADELE.upn,
		});
	});

	test.each([
		['By ID', { __rl: true, mode: 'id', value: PC.adeleFailed }],
		['an expression', { __rl: true, mode: 'id', value: '={{ $json.cloudPcId }}' }],
		[
			'an expression in list mode, over a stale choice',
			{
				__rl: true,
				mode: 'list',
				value: '={{ $json.cloudPcId }}',
				cachedResultName: 'CPC-alex-01 · someone@contoso.com · provisioned',
			},
		],
	])('given %s: null, with the same keys', async (_name, cloudPcId) => {
		const { output } = await run({
			parameters: reprovisionParameters({ cloudPcId }),
			items: [{ cloudPcId: PC.adeleFailed }],
		});

		expect(output[0].json).toMatchObject({
			cloudPcId: PC.adeleFailed,
			cloudPcName: null,
			userPrincipalName: null,
			outcome: 'requested',
		});
	});

	test('with Only If Reprovisionable the read before the request names it, fresher than the list', async () => {
		const stale = await chosenFromList(PC.adeleFailed);
		stale.cachedResultName = `CPC-old-name · ${ADELE.upn} · failed`;

		const { output } = await run({
			parameters: reprovisionParameters({
				cloudPcId: stale,
				safety: { onlyIfReprovisionable: true },
			}),
		});

		expect(output[0].json).toMatchObject({
			cloudPcName: 'CPC-adele-02',
			userPrincipalName: ADELE.upn,
			status: 'failed',
			outcome: 'requested',
		});
	});

	test('every output item has the keys, whatever its outcome (Continue On Fail)', async () => {
		const { output } = await run({
			parameters: reprovisionParameters(),
			// the second is provisioning: Graph refuses it with 400
			items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: PC.alexProvisioning }],
			continueOnFail: true,
		});

		expect(output.map((item) => item.json.outcome)).toEqual(['requested', 'failed']);
		const keys = output.map((item) => Object.keys(item.json));
		for (const itemKeys of keys) {
			expect(itemKeys).toEqual(expect.arrayContaining(['cloudPcName', 'userPrincipalName']));
		}
		expect(output.map((item) => item.json.cloudPcName)).toEqual([null, null]);
	});
});
