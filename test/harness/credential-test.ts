import { ExecuteContext, RoutingNode } from 'n8n-core';
import {
	createRunExecutionData,
	NodeConnectionTypes,
	Workflow,
	type ICredentialDataDecryptedObject,
	type INode,
	type INodeType,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { TestCredentialsHelper } from './credentials-helper';
import { credentialTypes, nodeTypes } from './run-workflow';

/**
 * Runs a credential type's `test` request the way n8n's CredentialsTester does for the editor's
 * "Test" button: defaults and `$self` expressions applied to the stored data, then the request
 * sent by n8n-core's RoutingNode through the credential's `authenticate`.
 */
export async function testCredential(
	type: string,
	data: ICredentialDataDecryptedObject,
): Promise<{ status: 'OK' | 'Error'; message: string }> {
	const credentialType = credentialTypes.find((candidate) => candidate.name === type);
	const request = credentialType?.test?.request;
	if (!request) throw new Error(`credential-test: ${type} has no test request`);

	const credentialsHelper = new TestCredentialsHelper(credentialTypes, nodeTypes);
	// Stored too, as in n8n: OAuth2 requests read the credential again by id.
	credentialsHelper.store.set('credential-under-test', data);
	const credentialsDecrypted = {
		id: 'credential-under-test',
		name: 'credential under test',
		type,
		data: credentialsHelper.applyDefaults(type, data),
	};
	const nodeType: INodeType = {
		description: {
			displayName: 'Credential Test',
			name: 'credentialTest',
			group: ['transform'],
			version: 1,
			description: 'Sends the credential test request',
			defaults: { name: 'Credential Test' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: type, required: true }],
			properties: [
				{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request }, default: '' },
			],
		},
	};
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: 'credentialTest',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [type]: { id: credentialsDecrypted.id, name: credentialsDecrypted.name } },
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: {
			getByName: () => nodeType,
			getByNameAndVersion: () => nodeType,
			getKnownTypes: () => ({}),
		},
	});
	const additionalData = {
		credentialsHelper,
		variables: {},
		executionId: 'credential-test',
		// n8n-core builds resume URLs from these while resolving parameters.
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
	} as unknown as IWorkflowExecuteAdditionalData;
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		createRunExecutionData(),
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	try {
		await new RoutingNode(context, nodeType, credentialsDecrypted).runNode();
		return { status: 'OK', message: 'Connection successful!' };
	} catch (thrown) {
		// The tester's choice of what to show, in its order.
		const error = thrown as Error & {
			cause?: { code?: string; response?: { status: number; statusText?: string } };
		};
		const { response, code } = error.cause ?? {};
		if (response) {
			return {
				status: 'Error',
				message: response.statusText || `Received HTTP status code: ${response.status}`,
			};
		}
		return { status: 'Error', message: code ?? String(error.message) };
	}
}
