import {
	NodeHelpers,
	Workflow,
	type INode,
	type INodeProperties,
	type INodePropertyOptions,
} from 'n8n-workflow';

import { SAMPLE_USERS } from '../../graph-server';
import { NODE_TYPE, nodeTypes } from '../../harness/run-workflow';
import { MicrosoftCloudPc } from '../../../nodes/MicrosoftCloudPc/MicrosoftCloudPc.node';
import { MicrosoftCloudPcTrigger } from '../../../nodes/MicrosoftCloudPcTrigger/MicrosoftCloudPcTrigger.node';

/* What the editor shows, read from the node's description the way n8n's editor reads it. */

const description = new MicrosoftCloudPc().description;
const properties = description.properties;
const operations = properties.find((p) => p.name === 'operation')!
	.options as INodePropertyOptions[];

const node = (parameters: INode['parameters'], typeVersion = 1): INode => ({
	id: 'node',
	name: 'Microsoft Cloud PC',
	type: NODE_TYPE,
	typeVersion,
	position: [0, 0],
	parameters,
});

/** Whether the editor shows `parameter` for these node parameters (inside `path`, if given). */
const shown = (
	parameters: INode['parameters'],
	parameter: INodeProperties,
	path = '',
	typeVersion = 1,
) =>
	NodeHelpers.displayParameterPath(
		parameters,
		parameter,
		path,
		node(parameters, typeVersion),
		description,
	);

describe('the node in the editor', () => {
	test('action names say "Cloud PC" as the product is spelled, in sentence case', () => {
		expect(operations.map((o) => o.action)).toEqual([
			'Run a bulk action on Cloud PCs',
			'Bulk reprovision Cloud PCs',
			'Change the user account type on a Cloud PC',
			'Create a snapshot of a Cloud PC',
			'End the grace period of a Cloud PC',
			'Get a Cloud PC',
			'Get the remote action results of a Cloud PC',
			'Get the status of a remote action on a Cloud PC',
			'Get the connectivity history of a Cloud PC',
			'Get many Cloud PCs',
			'Get the reprovision status of a Cloud PC',
			'Get the snapshots of a Cloud PC',
			'Get the supported remote actions of a Cloud PC',
			'Power off a Cloud PC',
			'Power on a Cloud PC',
			'Reboot a Cloud PC',
			'Rename a Cloud PC',
			'Reprovision a Cloud PC',
			'Resize a Cloud PC',
			'Restore a Cloud PC',
			'Retry the partner agent installation on a Cloud PC',
			'Set the review status of a Cloud PC',
			'Start a Cloud PC',
			'Stop a Cloud PC',
			'Troubleshoot a Cloud PC',
		]);
		expect(description.defaults.name).toBe('Microsoft Cloud PC');
	});

	test("the nodes panel: n8n's wording, and the trigger's events as the product spells them", () => {
		const trigger = new MicrosoftCloudPcTrigger().description;
		expect(description.description).toMatch(/^Consume the .* API/);
		expect(trigger.description).toMatch(/^Starts the workflow when .* events occur$/);
		// without `action` n8n's panel lists an event as "On " + its name in lower case
		const events = trigger.properties.find((p) => p.name === 'event')!
			.options as INodePropertyOptions[];
		expect(events.map((e) => e.action)).toEqual([
			'On Cloud PC remote action finished',
			'On Cloud PC added',
			'On Cloud PC removed',
			'On Cloud PC reprovision finished',
			'On Cloud PC status changed',
		]);
	});

	test.each(operations.map((o) => [o.value as string, `${o.name}: Cloud PC`]))(
		'the canvas subtitle of %s reads "%s"',
		(operation, expected) => {
			const parameters = { resource: 'cloudPc', operation };
			const workflow = new Workflow({
				nodes: [node(parameters)],
				connections: {},
				active: false,
				nodeTypes,
			});
			// as n8n's editor evaluates a node's subtitle
			const subtitle = workflow.expression.getSimpleParameterValue(
				node(parameters),
				description.subtitle,
				'internal',
				{},
			);
			expect(subtitle).toBe(expected);
		},
	);

	test.each([
		['getSnapshots', 'snapshotsNotice'],
		['getSupportedActions', 'supportedActionsNotice'],
		['getConnectivityHistory', 'connectivityHistoryNotice'],
		['getActionResults', 'actionResultsNotice'],
	])('%s shows its permission notice and the Cloud PC, no Scope or API Version', (op, notice) => {
		const parameters = { authentication: 'oAuth2', resource: 'cloudPc', operation: op };
		const visible = properties.filter((p) => shown(parameters, p)).map((p) => p.name);
		expect(visible).toEqual(
			expect.arrayContaining(['authentication', 'resource', notice, 'cloudPcId']),
		);
		expect(visible).not.toContain('scope');
		expect(visible).not.toContain('apiVersion');
		expect(visible.filter((name) => name.endsWith('Notice'))).toEqual([notice]);
	});

	test('Poll Interval and Wait Timeout are offered only once Wait for Completion is on', () => {
		const reprovision = { resource: 'cloudPc', operation: 'reprovision' };
		const safety = properties.find((p) => p.name === 'safety')!;
		const option = (name: string) =>
			(safety.options as INodeProperties[]).find((o) => o.name === name)!;
		const waitOptions = ['pollIntervalSeconds', 'waitTimeoutMinutes'].map(option);

		for (const values of [{}, { waitForCompletion: false }, { dryRun: true }]) {
			const parameters = { ...reprovision, safety: values };
			for (const o of waitOptions) expect(shown(parameters, o, 'safety')).toBe(false);
			expect(shown(parameters, option('waitForCompletion'), 'safety')).toBe(true);
		}
		const waiting = { ...reprovision, safety: { waitForCompletion: true } };
		for (const o of waitOptions) expect(shown(waiting, o, 'safety')).toBe(true);
	});

	test('new nodes are version 2, whose Check for an Earlier Reprovision is Always; version 1 keeps On Retry', () => {
		expect(description.version).toEqual([1, 2]);
		expect(description.defaultVersion).toBe(2);
		const reprovision = { resource: 'cloudPc', operation: 'reprovision', safety: {} };
		const safety = properties.find((p) => p.name === 'safety')!;
		const checks = (safety.options as INodeProperties[]).filter(
			(o) => o.name === 'checkEarlierReprovision',
		);
		for (const [typeVersion, expected] of [
			[1, 'onRetry'],
			[2, 'always'],
		] as const) {
			const offered = checks.filter((o) => shown(reprovision, o, 'safety', typeVersion));
			expect(offered.map((o) => o.default)).toEqual([expected]);
		}
	});

	test("a change of Scope or User clears the Cloud PC chosen from the other scope's list", () => {
		// n8n's editor resets a resource locator whose `loadOptionsDependsOn` values change
		const locators = properties.filter((p) => p.name === 'cloudPcId');
		expect(locators.length).toBeGreaterThan(0);
		for (const locator of locators) {
			expect(locator.type).toBe('resourceLocator');
			expect(locator.typeOptions?.loadOptionsDependsOn).toEqual(['scope', 'user']);
		}
	});

	test("User placeholders are in the demo's sample domain", () => {
		const domain = SAMPLE_USERS.adele.userPrincipalName.split('@')[1];
		const placeholders = JSON.stringify(properties).match(/"placeholder":"[^"]*@[^"]*"/g) ?? [];
		expect(placeholders.length).toBeGreaterThanOrEqual(2);
		for (const placeholder of placeholders) expect(placeholder).toContain(`@${domain}"`);
	});
});
