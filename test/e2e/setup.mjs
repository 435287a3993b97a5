// What the end-to-end suite imports into n8n: the example workflows as shipped (pointed at the
// local servers) plus variants of the nightly one, and the credentials they use.
import { DEMO_TOKENS } from '../../scripts/lib/graph-server.mjs';
import { newestNodeTypeVersion } from '../../scripts/lib/n8n.mjs';
import {
	CREDENTIALS,
	WORKFLOWS,
	loadExamples,
	localGraphCredential,
	localizeWorkflow,
	ticketKeyCredential,
} from '../../scripts/lib/local-env.mjs';
import { RERUN_WORKFLOW, rerunWorkflow } from './rerun.e2e.mjs';

/** A signed-in account whose token only has CloudPC.Read.All: Graph answers writes with 403. */
export const READ_ONLY = {
	id: 'cloudPcReadOnly1',
	name: 'Microsoft Cloud PC (read only)',
	accessToken: 'e2e-read-only-access-token',
};

export const VARIANTS = {
	/** Nightly with the read-only credential and without Continue On Fail. */
	nightlyReadOnlyStops: 'cloudpcNightRO01',
	/** Nightly reprovisioning through beta with both admin-route options set. */
	nightlyWithOptions: 'cloudpcNightOpt1',
	/** "Run now" → Get Many with every setting left at its default. */
	getManyDefaults: 'cloudpcListDef01',
	/** "Run now" → Reprovision of a Cloud PC chosen From List. */
	reprovisionFromList: 'cloudpcFromList1',
};

/** Node names in those two variants. */
export const NODES = { getMany: 'Get many Cloud PCs', reprovision: 'Reprovision a Cloud PC' };

/** The From List choice the editor saves for `pc`: its ID, and the picker entry's text. */
function fromListChoice(pc, status) {
	// the picker's text, as test/node/list-search.test.ts shows it builds it
	const cachedResultName = [pc.displayName, status, pc.userPrincipalName].join(' · ');
	return { __rl: true, mode: 'list', value: pc.id, cachedResultName };
}

/** A delegated credential for US Government L4, never signed in: its sign-in URL is checked. */
export const US_GOV = {
	id: 'cloudPcUsGovL401',
	name: 'Microsoft Cloud PC (US Gov L4)',
	tenantId: 'contoso.onmicrosoft.us',
	clientId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
};

export const TICKET_KEY = 'e2e-ticket-key-7f3a9c';

/** The stale access token the suite starts from: the first Graph call gets 401, n8n refreshes. */
export const STALE_ACCESS_TOKEN = 'e2e-expired-access-token';

export function graphCredential(graphUrl, accessToken = STALE_ACCESS_TOKEN) {
	return localGraphCredential(graphUrl, { accessToken, refreshToken: DEMO_TOKENS.refreshToken });
}

function withNode(workflow, nodeName, change) {
	const copy = structuredClone(workflow);
	const node = copy.nodes.find((n) => n.name === nodeName);
	if (!node) throw new Error(`${workflow.id} has no node "${nodeName}"`);
	change(node, copy);
	return copy;
}

export async function importForTests({ n8n, graph, sink, samples }) {
	const examples = loadExamples();
	for (const id of Object.values(WORKFLOWS)) {
		if (!examples[id]) throw new Error(`examples/ has no workflow with id ${id}`);
	}
	const local = (workflow) => localizeWorkflow(workflow, { notifyUrl: sink.url });
	const nightly = local(examples[WORKFLOWS.nightly]);
	const ticket = local(examples[WORKFLOWS.ticket]);

	const readOnlyRef = { id: READ_ONLY.id, name: READ_ONLY.name };
	let readOnlyStops = {
		...structuredClone(nightly),
		id: VARIANTS.nightlyReadOnlyStops,
		name: 'e2e: nightly, read-only credential, stop on error',
	};
	for (const name of ['Get failed Cloud PCs', 'Reprovision Cloud PC']) {
		readOnlyStops = withNode(readOnlyStops, name, (node) => {
			node.credentials = { [CREDENTIALS.graph.type]: readOnlyRef };
		});
	}
	readOnlyStops = withNode(readOnlyStops, 'Reprovision Cloud PC', (node) => {
		delete node.onError;
	});

	const withOptions = withNode(
		{
			...structuredClone(nightly),
			id: VARIANTS.nightlyWithOptions,
			name: 'e2e: nightly, beta, with options',
		},
		'Reprovision Cloud PC',
		(node) => {
			node.parameters.apiVersion = 'beta';
			node.parameters.reprovisionOptions = {
				osVersion: 'windows10',
				userAccountType: 'administrator',
			};
		},
	);

	// the nightly's manual trigger straight into its Cloud PC node `from`, renamed `to`
	const single = (id, name, from, to, parameters) => {
		const workflow = withNode({ ...structuredClone(nightly), id, name }, from, (node) => {
			node.name = to;
			node.parameters = { authentication: 'oAuth2', resource: 'cloudPc', ...parameters };
		});
		workflow.nodes = workflow.nodes.filter((n) => ['Run now', to].includes(n.name));
		workflow.connections = { 'Run now': { main: [[{ node: to, type: 'main', index: 0 }]] } };
		return workflow;
	};
	const getManyDefaults = single(
		VARIANTS.getManyDefaults,
		'e2e: Get Many, default settings',
		'Get failed Cloud PCs',
		NODES.getMany,
		{ operation: 'getMany' },
	);
	const adele02 = samples.find((pc) => pc.displayName === 'AdeleV-02');
	const reprovisionFromList = single(
		VARIANTS.reprovisionFromList,
		'e2e: Reprovision a Cloud PC chosen From List',
		'Reprovision Cloud PC',
		NODES.reprovision,
		{ operation: 'reprovision', cloudPcId: fromListChoice(adele02, adele02.status) },
	);

	await n8n.importCredentials([
		graphCredential(graph.url),
		{
			...graphCredential(graph.url, READ_ONLY.accessToken),
			id: READ_ONLY.id,
			name: READ_ONLY.name,
		},
		ticketKeyCredential(TICKET_KEY),
		{
			id: US_GOV.id,
			name: US_GOV.name,
			type: CREDENTIALS.graph.type,
			data: {
				environment: 'usGovL4',
				tenantId: US_GOV.tenantId,
				clientId: US_GOV.clientId,
				clientSecret: 'e2e-not-a-secret',
			},
		},
	]);
	const workflows = {
		nightly,
		ticket,
		readOnlyStops,
		withOptions,
		getManyDefaults,
		reprovisionFromList,
		rerun: rerunWorkflow(newestNodeTypeVersion()),
	};
	await n8n.importWorkflows(Object.values(workflows));
	// its production webhooks, for rerun.e2e.mjs in the ticket scenarios' n8n start
	await n8n.activateWorkflow(RERUN_WORKFLOW);
	return { workflows };
}
