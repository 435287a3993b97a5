import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { REMOTE_ACTIONS as SERVER_ACTIONS, type ActionScope } from '../../graph-server';
import { MicrosoftCloudPc } from '../../../nodes/MicrosoftCloudPc/MicrosoftCloudPc.node';
import { CLOUD_PC_STATUSES, type Scope } from '../../../nodes/MicrosoftCloudPc/model';
import type { RemoteActionDescriptor } from '../../../nodes/MicrosoftCloudPc/remoteActions/descriptor';
import {
	REMOTE_ACTIONS,
	remoteActionNamed,
	remoteActionOf,
} from '../../../nodes/MicrosoftCloudPc/remoteActions/registry';

/* The registry of remote actions: every descriptor complete, and the node built from it. */

const READ_OPERATIONS = [
	'get',
	'getMany',
	'getReprovisionStatus',
	'getActionStatus',
	'bulkReprovision',
];
const description = new MicrosoftCloudPc().description;
const operations = description.properties.find((p) => p.name === 'operation')!
	.options as INodePropertyOptions[];
const STATUSES: readonly string[] = CLOUD_PC_STATUSES.map(([, value]) => value);
/**
 * Actions whose Windows 365 bulk subtype the stand-in has but the node does not offer: Set
 * Review Status (cloudPcBulkSetReviewStatus nests its fields in `reviewStatus`, which the bulk
 * engine does not build yet).
 */
const BULK_LEFT_OUT: readonly string[] = ['setReviewStatus'];
const SCOPE_OF: Record<ActionScope, Scope> = { admin: 'organization', users: 'user', me: 'me' };

const each = REMOTE_ACTIONS.map((d) => [d.operation, d] as const);

describe('the registry of remote actions', () => {
	test('operation values are unique, and none is a read operation', () => {
		const values = REMOTE_ACTIONS.map((d) => d.operation);
		expect(new Set(values).size).toBe(values.length);
		for (const value of values) expect(READ_OPERATIONS).not.toContain(value);
		expect(new Set(REMOTE_ACTIONS.map((d) => d.actionName.toLowerCase())).size).toBe(values.length);
	});

	test.each(each)('%s: every field of its descriptor is set', (_, d: RemoteActionDescriptor) => {
		for (const text of [d.displayName, d.action, d.description, d.notice, d.segment]) {
			expect(text.trim()).not.toBe('');
		}
		expect(d.actionName).toMatch(/^[A-Z][A-Za-z]+$/);
		expect(d.segment).toMatch(/^[a-z][A-Za-z]+$/);
		expect(d.docs.length).toBeGreaterThan(0);
		for (const page of d.docs) {
			expect(page).toMatch(/^https:\/\/learn\.microsoft\.com\/graph\/api\//);
		}
		const versions = Object.keys(d.routes);
		expect(versions.length).toBeGreaterThan(0);
		for (const version of versions) {
			expect(['v1.0', 'beta']).toContain(version);
			expect(d.routes[version as 'v1.0' | 'beta']!.length).toBeGreaterThan(0);
			// the admin route is the one Graph always has, and the one Wait for Completion reads
			expect(d.routes[version as 'v1.0' | 'beta']).toContain('organization');
		}
		expect(d.acceptedStatuses.length).toBeGreaterThan(0);
		for (const status of d.acceptedStatuses) expect(STATUSES).toContain(status);
		if (d.runningStatus !== undefined) expect(STATUSES).toContain(d.runningStatus);
		expect(Object.keys(d.earlier.defaultByNodeVersion).map(Number)).toEqual(
			expect.arrayContaining([1, 2]),
		);
		expect(d.earlier.windowMinutes).toBeGreaterThan(0);
		expect(d.earlier.displayName).toMatch(/^Check for an Earlier /);
		expect(d.onlyIfReady.displayName).toMatch(/^Only If /);
		expect(d.words.noun.trim()).not.toBe('');
		expect(d.words.pastParticiple.trim()).not.toBe('');
		expect(d.statusHint.trim()).not.toBe('');
		for (const field of d.body) {
			expect(field.displayName.trim()).not.toBe('');
			expect(field.description.trim()).not.toBe('');
			if (field.kind === 'options') expect(field.options?.length).toBeGreaterThan(0);
			if (field.kind === 'number') expect(field.bounds).toBeDefined();
			if (!field.required) expect(d.optionsParameter).toBeDefined();
		}
		if (d.bulk) expect(d.bulk.odataType).toMatch(/^#microsoft\.graph\.cloudPcBulk[A-Z]\w+$/);
	});

	test.each(each)(
		'%s: a destructive action says DESTRUCTIVE where people and AI tools read it',
		(_, d: RemoteActionDescriptor) => {
			const option = operations.find((o) => o.value === d.operation)!;
			expect(option.description).toBe(d.description);
			if (d.destructive) expect(d.description).toContain('DESTRUCTIVE');
			else expect(d.description).not.toContain('DESTRUCTIVE');
		},
	);

	test.each(each)(
		"%s: segment, actionName, routes and bulk type are the Graph stand-in's",
		(_, d: RemoteActionDescriptor) => {
			const server = SERVER_ACTIONS.find((a) => a.segment === d.segment)!;
			expect(server).toBeDefined();
			expect(d.actionName).toBe(server.actionName);
			for (const version of ['v1.0', 'beta'] as const) {
				const scopes = (server.routes[version] ?? []).map((s) => SCOPE_OF[s]);
				expect([...(d.routes[version] ?? [])].sort()).toEqual(scopes.sort());
			}
			if (!BULK_LEFT_OUT.includes(d.operation)) expect(d.bulk?.odataType).toBe(server.bulkType);
			else expect(d.bulk).toBeUndefined();
			// a nested field (`within`) is the stand-in's object property, checked field by field
			const topLevel = [...new Set(d.body.map((f) => f.within ?? f.name))].sort();
			expect(topLevel).toEqual(server.body.map((f) => f.name).sort());
			for (const field of d.body.filter((f) => f.within)) {
				const object = server.body.find((f) => f.name === field.within);
				expect(object?.type).toBe('object');
				const inner = object?.type === 'object' ? object.fields : [];
				expect(inner.map((f) => f.name)).toContain(field.name);
				expect(inner.find((f) => f.name === field.name)?.required).toBe(field.required);
			}
			expect(d.runningStatus).toBe(server.runningStatus);
		},
	);

	test('lookups by operation and by actionName (any case)', () => {
		for (const d of REMOTE_ACTIONS) {
			expect(remoteActionOf(d.operation)).toBe(d);
			expect(remoteActionNamed(d.actionName.toUpperCase())).toBe(d);
		}
		expect(remoteActionOf('getMany')).toBeUndefined();
		expect(remoteActionOf('constructor')).toBeUndefined();
	});

	test('the node offers each action as an operation, with its fields shown for it alone', () => {
		for (const d of REMOTE_ACTIONS) {
			expect(operations.map((o) => o.value)).toContain(d.operation);
			const own = description.properties.filter((p: INodeProperties) =>
				p.displayOptions?.show?.operation?.includes(d.operation),
			);
			expect(own.map((p) => p.name)).toEqual(
				expect.arrayContaining(['scope', 'cloudPcId', 'safety']),
			);
			for (const p of own) expect(p.displayOptions?.show?.operation).toEqual([d.operation]);
		}
		const names = operations.map((o) => o.name);
		expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
	});
});
