import { ACCESS_TOKEN, PC, SECRETS } from '../../fixtures';
import { parameters, UNKNOWN, useOperationsServer } from '../../harness/graph-per-file';

const { run } = useOperationsServer();

test('no token or secret appears in any output or error', async () => {
	const runs = [
		await run({
			parameters: parameters('get', { scope: 'organization' }),
			items: [{ cloudPcId: PC.adeleFailed }, { cloudPcId: UNKNOWN }],
			continueOnFail: true,
		}),
		await run({ parameters: parameters('getMany', { scope: 'me', returnAll: true }) }),
		await run({
			parameters: parameters('getReprovisionStatus'),
			items: [{ cloudPcId: PC.adeleFailed }],
		}),
		await run({
			parameters: parameters('bulkReprovision'),
			items: [{ cloudPcId: UNKNOWN }],
		}),
	];
	for (const operation of [
		'getSnapshots',
		'getSupportedActions',
		'getConnectivityHistory',
		'getActionResults',
	]) {
		runs.push(
			await run({
				parameters: parameters(operation),
				items: [{ cloudPcId: PC.adeleFailed }, { cloudPcId: UNKNOWN }],
				continueOnFail: true,
			}),
		);
	}

	const everything = JSON.stringify(runs.map(({ run: r, error }) => [r, error, { ...error }]));
	for (const secret of [...SECRETS, ACCESS_TOKEN]) expect(everything).not.toContain(secret);
	expect(runs[3].error?.httpCode).toBe('400');
});
