import type {
	INodeCredentialDescription,
	INodeProperties,
	INodePropertyTypeOptions,
} from 'n8n-workflow';
import { CLOUD_PC_STATUSES, GUID_PATTERN } from '../model';
import type { NumberBounds } from './types';

/** The editor's limits of a number field: the same bounds the run checks (validate.ts). */
export function numberTypeOptions(bounds: NumberBounds): INodePropertyTypeOptions {
	return {
		minValue: bounds.min,
		maxValue: bounds.max,
		numberPrecision: bounds.integer ? 0 : 2,
	};
}

/** One credential per value of Authentication; the trigger node takes the same two. */
export const credentialsDescription: INodeCredentialDescription[] = [
	{
		name: 'microsoftCloudPcOAuth2Api',
		required: true,
		displayOptions: { show: { authentication: ['oAuth2'] } },
	},
	{
		name: 'microsoftCloudPcAppOnlyApi',
		required: true,
		displayOptions: { show: { authentication: ['appOnly'] } },
	},
];

/** The credential to sign in with; the trigger node offers the same two. */
export const authenticationProperty: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{
			name: 'OAuth2 (Delegated Sign-In)',
			value: 'oAuth2',
			description: 'Act as a signed-in work or school account',
		},
		{
			name: 'App-Only (Client Secret, Certificate or Managed Identity)',
			value: 'appOnly',
			description: 'Act as an app registration; for unattended, scheduled workflows',
		},
	],
	default: 'oAuth2',
};

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
	placeholder: 'AdeleV@contoso.onmicrosoft.com',
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
	// n8n's editor clears the choice when these change: a Cloud PC from another scope's list
	// (or another user's) must not stay selected
	typeOptions: { loadOptionsDependsOn: ['scope', 'user'] },
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

/** "Fields" of a read ($select); the output keeps its shape, unselected fields are null. */
export const cloudPcFieldsOption: INodeProperties = {
	displayName: 'Fields',
	name: 'fields',
	type: 'multiOptions',
	options: [
		{ name: 'Display Name', value: 'displayName' },
		{ name: 'Image Display Name', value: 'imageDisplayName' },
		{ name: 'Last Modified Date Time', value: 'lastModifiedDateTime' },
		{ name: 'Managed Device Name', value: 'managedDeviceName' },
		{ name: 'Provisioning Policy ID', value: 'provisioningPolicyId' },
		{ name: 'Service Plan Name', value: 'servicePlanName' },
		{ name: 'Status (Beta)', value: 'status' },
		{ name: 'Status Detail (Beta)', value: 'statusDetail' },
		{ name: 'User Principal Name', value: 'userPrincipalName' },
	],
	default: [],
	description:
		"Properties to ask Graph for ($select); the ID always comes back. Empty: all. Status and Status Detail exist only in Graph's beta API, so a read that returns them (all fields, or either chosen) goes through beta whatever the API Version says; choose fields without them to read through v1.0.",
};

/** For operations that exist only on the admin route and only in beta. */
/** The "Options" of the read operations: which fields to ask for. */
export const readOptionsCollection: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [cloudPcFieldsOption],
};

export const organizationBetaNotice: INodeProperties = {
	displayName:
		'Uses the Organization (Admin) route of the Graph beta API, whatever the API Version below says; the credential needs CloudPC.ReadWrite.All (or CloudPC.Read.All to read) and an admin role when delegated.',
	name: 'organizationBetaNotice',
	type: 'notice',
	default: '',
};

/**
 * The notice of a beta read on the Organization (Admin) route whose Graph page lists its own
 * permissions (`needs`: "CloudPC.Read.All", say).
 */
export function adminBetaReadNotice(name: string, needs: string): INodeProperties {
	return {
		displayName: `Uses the Organization (Admin) route of the Graph beta API, whatever the API Version below says; the credential needs ${needs}, and an admin role when delegated.`,
		name,
		type: 'notice',
		default: '',
	};
}

/** The documented statuses as editor options; an expression may give any other (newer) one. */
export const statusOptions = CLOUD_PC_STATUSES.map(([name, value]) => ({ name, value }));

/** Filters Graph applies to the admin list ($filter), in Get Many and in the trigger. */
export const displayNamePrefixFilter: INodeProperties = {
	displayName: 'Display Name Starts With',
	name: 'displayNamePrefix',
	type: 'string',
	default: '',
	placeholder: 'CPC-',
	description: 'Only Cloud PCs whose display name starts with this text (case-insensitive)',
};

export const userPrincipalNameFilter: INodeProperties = {
	displayName: 'User Principal Name',
	name: 'userPrincipalName',
	type: 'string',
	default: '',
	placeholder: 'AdeleV@contoso.onmicrosoft.com',
	description: "Only this user's Cloud PCs",
};
