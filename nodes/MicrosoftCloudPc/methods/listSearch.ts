import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import type { Scope } from '../actions/common.descriptions';
import { cloudPcPath } from '../actions/cloudPc/routes';
import { createGraphClient, type Authentication, type GraphVersion } from '../transport/graph';

interface CloudPcPage {
	value: Array<{
		id: string;
		displayName?: string;
		managedDeviceName?: string;
		userPrincipalName?: string;
	}>;
	'@odata.nextLink'?: string;
}

/** Cloud PCs for the "From List" picker, in the node's current scope, one Graph page at a time. */
export async function searchCloudPcs(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const scope = (this.getCurrentNodeParameter('scope') ?? 'organization') as Scope;
	const user =
		scope === 'user' ? String(this.getCurrentNodeParameter('user') ?? '').trim() : undefined;
	const version = (this.getCurrentNodeParameter('apiVersion') ?? 'v1.0') as GraphVersion;
	if (scope === 'user' && !user) return { results: [] };

	const authentication = (this.getCurrentNodeParameter('authentication') ??
		'oAuth2') as Authentication;
	const graph = await createGraphClient(this, authentication);
	const { body } = await graph.request<CloudPcPage>(
		paginationToken
			? { method: 'GET', version, url: paginationToken }
			: {
					method: 'GET',
					version,
					path: cloudPcPath(scope, user),
					qs: { $select: 'id,displayName,managedDeviceName,userPrincipalName' } as IDataObject,
				},
	);
	const needle = filter?.trim().toLowerCase();
	const results = body.value
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
	return { results, paginationToken: body['@odata.nextLink'] };
}
