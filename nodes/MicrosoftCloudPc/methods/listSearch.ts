import {
	NodeOperationError,
	type IDataObject,
	type ILoadOptionsFunctions,
	type INodeListSearchResult,
} from 'n8n-workflow';

import { pageOf } from '../shared/paging';
import { userProblem } from '../shared/textChecks';
import { GraphFailure, hintFor } from '../transport/graphErrors';
import { createGraphClient, type Authentication, type GraphRequest } from '../transport/graph';
import { cloudPcPath, type Scope, SCOPES } from '../model';
import { cloudPcFields, text } from '../shared/outputFields';
import { listEntryName } from '../actions/cloudPc/listEntry';

/** Output fields the picker's search text is looked for in. */
const SEARCHED = ['cloudPcName', 'managedDeviceName', 'userPrincipalName', 'status', 'cloudPcId'];

/**
 * Cloud PCs for the "From List" picker, in the node's current scope, one Graph page at a time.
 * Read through beta whatever the API Version says: each entry shows the Cloud PC's status,
 * which v1.0 does not have.
 */
export async function searchCloudPcs(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const scope = this.getCurrentNodeParameter('scope') ?? 'organization';
	if (!SCOPES.includes(scope as Scope)) {
		throw new NodeOperationError(this.getNode(), `"Scope" must be one of ${SCOPES.join(', ')}`);
	}
	const user =
		scope === 'user' ? String(this.getCurrentNodeParameter('user') ?? '').trim() : undefined;
	if (scope === 'user' && !user) return { results: [] };
	// the same check as a run, so the path below cannot fail to encode
	const problem = user === undefined ? undefined : userProblem(user);
	if (problem !== undefined) throw new NodeOperationError(this.getNode(), `"User" ${problem}`);

	const authentication = (this.getCurrentNodeParameter('authentication') ??
		'oAuth2') as Authentication;
	const graph = await createGraphClient(this, authentication);
	const request: GraphRequest = paginationToken
		? { method: 'GET', version: 'beta', url: paginationToken }
		: {
				method: 'GET',
				version: 'beta',
				path: cloudPcPath(scope as Scope, user),
				qs: {
					$select: 'id,displayName,managedDeviceName,userPrincipalName,status',
				} as IDataObject,
			};
	const response = await graph.request<unknown>(request).catch((error: unknown) => {
		// The picker shows only the message: say what to fix, then what Graph answered.
		if (!(error instanceof GraphFailure)) throw error;
		const message = `${hintFor(error)} (${error.message})`;
		const refusal = new NodeOperationError(this.getNode(), message);
		// n8n swaps in canned text for a message containing ENOTFOUND, as "ResourceNotFound" does
		refusal.message = message;
		throw refusal;
	});
	const page = pageOf(response);
	const needle = filter?.trim().toLowerCase();
	const results = page.value
		.map((pc) => cloudPcFields(pc))
		.filter((pc) => typeof pc.cloudPcId === 'string')
		.filter(
			(pc) => !needle || SEARCHED.some((key) => text(pc[key])?.toLowerCase().includes(needle)),
		)
		.map((pc) => ({
			name: listEntryName({
				id: pc.cloudPcId as string,
				displayName: text(pc.cloudPcName),
				userPrincipalName: text(pc.userPrincipalName),
				status: text(pc.status),
			}),
			value: pc.cloudPcId as string,
		}));
	return { results, paginationToken: page.nextLink };
}
