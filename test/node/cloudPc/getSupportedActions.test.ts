import { PC } from '../../fixtures';
import { adminReadContract } from '../../harness/admin-reads';
import { parameters, useOperationsServer } from '../../harness/graph-per-file';
import {
	capabilitiesOf,
	isActionDisabled,
} from '../../../nodes/MicrosoftCloudPc/actions/cloudPc/getSupportedActions.operation';

const server = useOperationsServer();
const { graph, run, operations } = server;

const NAMES = ['Restart', 'Rename', 'Restore', 'Resize', 'Reprovision', 'TroubleShoot'];

adminReadContract(server, {
	operation: 'getSupportedActions',
	segment: 'getSupportedCloudPcRemoteActions',
	record: (i) => ({ actionName: NAMES[i], actionCapability: 'enabled' }),
	count: (json) => Object.keys(json.capabilities as object).length,
});

describe('Get Supported Actions', () => {
	test('one item per Cloud PC: each action enabled or disabled, and the two lists', async () => {
		graph.disableAction(PC.adeleProvisioned, 'restore');
		graph.disableAction(PC.adeleProvisioned, 'resize');
		const { output, error } = await run({
			parameters: parameters('getSupportedActions'),
			items: [{ cloudPcId: PC.adeleProvisioned }, { cloudPcId: PC.adeleFailed }],
		});

		expect(error).toBeUndefined();
		const call = operations().find((r) => r.path.includes(PC.adeleProvisioned))!;
		expect(output[0].json).toEqual({
			cloudPcId: PC.adeleProvisioned,
			apiVersion: 'beta',
			enabledActions: [
				'restart',
				'rename',
				'troubleShoot',
				'reprovision',
				'changeUserAccountType',
				'placeUnderReview',
			],
			disabledActions: ['resize', 'restore'],
			capabilities: {
				restart: 'enabled',
				rename: 'enabled',
				troubleShoot: 'enabled',
				reprovision: 'enabled',
				resize: 'disabled',
				restore: 'disabled',
				changeUserAccountType: 'enabled',
				placeUnderReview: 'enabled',
			},
			requestId: call.requestId,
		});
		expect(output[1].json.disabledActions).toEqual([]);
	});

	test('names as Graph’s own example spells them ("Restart", "PlaceUnderReview") and newer capabilities pass through', async () => {
		graph.failNext(
			{ pathIncludes: 'getSupportedCloudPcRemoteActions' },
			{
				status: 200,
				body: {
					value: [
						{ actionName: 'Restart', actionCapability: 'disabled' },
						{ actionName: 'PlaceUnderReview', actionCapability: 'enabled' },
						{ actionName: 'SetDeviceName', actionCapability: 'comingSoon' },
						{ actionName: '__proto__', actionCapability: 'disabled' },
					],
				},
			},
		);
		const { output } = await run({
			parameters: parameters('getSupportedActions'),
			items: [{ cloudPcId: PC.alexProvisioned }],
		});

		expect(output[0].json).toMatchObject({
			enabledActions: ['placeUnderReview'],
			disabledActions: ['restart', '__proto__'],
			capabilities: {
				restart: 'disabled',
				placeUnderReview: 'enabled',
				setDeviceName: 'comingSoon',
			},
		});
		// a name that is also a prototype's key stays data, not the object's prototype
		expect(Object.getOwnPropertyDescriptor(output[0].json.capabilities, '__proto__')?.value).toBe(
			'disabled',
		);
	});

	test('isActionDisabled, for the engine: any case, an action not listed is not disabled', () => {
		const body = {
			value: [
				{ actionName: 'Restore', actionCapability: 'disabled' },
				{ actionName: 'restart', actionCapability: 'enabled' },
			],
		};
		expect(isActionDisabled(body, 'restore')).toBe(true);
		expect(isActionDisabled(body, 'RESTART')).toBe(false);
		expect(isActionDisabled(body, 'resize')).toBe(false);
		expect(capabilitiesOf({ value: 'not a list' } as never)).toEqual({});
	});
});
