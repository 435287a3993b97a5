import type { INodeProperties } from 'n8n-workflow';

export const GUID_PATTERN =
	'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export type Scope = 'organization' | 'user' | 'me';

export const scopeProperty: INodeProperties = {
	displayName: 'Scope',
	name: 'scope',
	type: 'options',
	options: [
		{
			name: 'Organization (Admin)',
			value: 'organization',
			description:
				'Any Cloud PC in the tenant (/deviceManagement/virtualEndpoint); needs an admin or an app-only credential',
		},
		{
			name: 'Specific User',
			value: 'user',
			description: 'A Cloud PC of the given user (/users/{user})',
		},
		{
			name: 'Signed-In User',
			value: 'me',
			description: "A Cloud PC of the credential's signed-in user (/me); delegated credential only",
		},
	],
	default: 'organization',
	description: 'Whose Cloud PCs to act on, which also picks the Graph route',
};

export const userProperty: INodeProperties = {
	displayName: 'User',
	name: 'user',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'adele.vance@contoso.com',
	description: 'Object ID (GUID) or user principal name (UPN) of the Cloud PC owner',
	displayOptions: { show: { scope: ['user'] } },
};

export const cloudPcLocator: INodeProperties = {
	displayName: 'Cloud PC',
	name: 'cloudPcId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The Cloud PC to act on',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a Cloud PC...',
			typeOptions: { searchListMethod: 'searchCloudPcs', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: '4b5ad5e0-6a0b-4ffc-818d-36bb23cf4dbd',
			validation: [
				{
					type: 'regex',
					properties: { regex: GUID_PATTERN, errorMessage: 'Not a valid Cloud PC ID (a GUID)' },
				},
			],
		},
	],
};
