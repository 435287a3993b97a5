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
import { cloudPcPath, GUID_PATTERN, type Scope, SCOPES } from '../model';
import { cloudPcFields, newestFirst, text } from '../shared/outputFields';
import { listEntryName } from '../actions/cloudPc/listEntry';
import { snapshotFields, snapshotsRequest } from '../actions/cloudPc/getSnapshots.operation';

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
	const page = pageOf(await pickerRequest(this, graph, request));
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

/** A picker's Graph read; a failure says what to fix, then what Graph answered. */
async function pickerRequest(
	ctx: ILoadOptionsFunctions,
	graph: Awaited<ReturnType<typeof createGraphClient>>,
	request: GraphRequest,
) {
	return await graph.request<unknown>(request).catch((error: unknown) => {
		// The picker shows only the message: say what to fix, then what Graph answered.
		if (!(error instanceof GraphFailure)) throw error;
		const message = `${hintFor(error)} (${error.message})`;
		const refusal = new NodeOperationError(ctx.getNode(), message);
		// n8n swaps in canned text for a message containing ENOTFOUND, as "ResourceNotFound" does
		refusal.message = message;
		throw refusal;
	});
}

const CLOUD_PC_ID = new RegExp(GUID_PATTERN);

/** "2024-08-19 14:05 UTC": a snapshot's time as the picker shows it (the raw text if unreadable). */
function shownTime(value: string | null): string {
	const at = Date.parse(value ?? '');
	if (Number.isNaN(at)) return value ?? 'no date';
	return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The snapshots of the Cloud PC chosen in the node's "Cloud PC" field, for Restore's Snapshot
 * picker: beta retrieveSnapshots on the admin route (the only one Graph has; see
 * getSnapshots.operation.ts), each entry "date · type · status", newest first on each page
 * (Graph documents no order). A Cloud PC given by an expression cannot be read here: the list is
 * empty and the field's By ID mode takes the snapshot ID.
 */
export async function searchSnapshots(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const chosen = this.getCurrentNodeParameter('cloudPcId', { extractValue: true });
	const cloudPcId = typeof chosen === 'string' ? chosen.trim() : '';
	if (!cloudPcId || cloudPcId.startsWith('=')) return { results: [] };
	if (!CLOUD_PC_ID.test(cloudPcId)) {
		throw new NodeOperationError(
			this.getNode(),
			`"Cloud PC" must be a Cloud PC ID (a GUID) to list its snapshots; got ${JSON.stringify(cloudPcId)}`,
		);
	}
	const authentication = (this.getCurrentNodeParameter('authentication') ??
		'oAuth2') as Authentication;
	const graph = await createGraphClient(this, authentication);
	const request: GraphRequest = paginationToken
		? { method: 'GET', version: 'beta', url: paginationToken }
		: snapshotsRequest(cloudPcId);
	const page = pageOf(await pickerRequest(this, graph, request));
	const needle = filter?.trim().toLowerCase();
	const results = newestFirst(page.value.map(snapshotFields), 'createdDateTime')
		.filter((snapshot) => typeof snapshot.snapshotId === 'string')
		.map((snapshot) => ({
			name: [
				shownTime(text(snapshot.createdDateTime)),
				text(snapshot.snapshotType) ?? 'unknown type',
				text(snapshot.status) ?? 'unknown status',
			].join(' · '),
			value: snapshot.snapshotId as string,
		}))
		.filter(
			(entry) =>
				!needle ||
				entry.name.toLowerCase().includes(needle) ||
				entry.value.toLowerCase().includes(needle),
		);
	return { results, paginationToken: page.nextLink };
}
