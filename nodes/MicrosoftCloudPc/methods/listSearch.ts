import {
	NodeOperationError,
	type IDataObject,
	type ILoadOptionsFunctions,
	type INodeListSearchResult,
} from 'n8n-workflow';

import { readPage } from '../actions/cloudPc/pages';
import { userProblem } from '../actions/validate';
import { createGraphClient, type Authentication } from '../transport/graph';
import { cloudPcPath, type Scope, SCOPES } from '../model';
import { cloudPcFields } from '../actions/cloudPc/output';

/** Cloud PCs for the "From List" picker, in the node's current scope, one Graph page at a time. */
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
	const version = this.getCurrentNodeParameter('apiVersion') === 'beta' ? 'beta' : 'v1.0';

	const authentication = (this.getCurrentNodeParameter('authentication') ??
		'oAuth2') as Authentication;
	const graph = await createGraphClient(this, authentication);
	const response = await graph.request<unknown>(
		paginationToken
			? { method: 'GET', version, url: paginationToken }
			: {
					method: 'GET',
					version,
					path: cloudPcPath(scope as Scope, user),
					qs: { $select: 'id,displayName,managedDeviceName,userPrincipalName' } as IDataObject,
				},
	);
	const page = readPage(response);
	const needle = filter?.trim().toLowerCase();
	const results = page.value
		.map((pc) => {
			const fields = cloudPcFields(pc);
			return {
				id: fields.cloudPcId as string | null,
				displayName: fields.cloudPcName as string | null,
				managedDeviceName: fields.managedDeviceName as string | null,
				userPrincipalName: fields.userPrincipalName as string | null,
			};
		})
		.filter((pc): pc is typeof pc & { id: string } => pc.id !== null)
		.filter(
			(pc) =>
				!needle ||
				[pc.displayName, pc.managedDeviceName, pc.userPrincipalName, pc.id].some((field) =>
					field?.toLowerCase().includes(needle),
				),
		)
		.map((pc) => ({
			name: [pc.displayName ?? pc.managedDeviceName ?? pc.id, pc.userPrincipalName]
				.filter(Boolean)
				.join(' · '),
			value: pc.id,
		}));
	return { results, paginationToken: page.nextLink };
}
