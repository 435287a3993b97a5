import {
	ICredentialsHelper,
	NodeHelpers,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type ICredentials,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeParameters,
	type INodeProperties,
	type INodeTypes,
	type IRequestOptionsSimplified,
} from 'n8n-workflow';

/**
 * The part of n8n's CredentialsHelper (packages/cli/src/credentials-helper.ts) that a node
 * meets during an execution: stored data by credential id, type defaults filled in, `={{ }}`
 * expressions resolved with `$self` as n8n does, parent types for OAuth2 dispatch, and
 * token updates written back so a refreshed token is used by later requests.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	/** credential id → stored (decrypted) data */
	readonly store = new Map<string, ICredentialDataDecryptedObject>();

	/** every OAuth token write-back n8n-core asked for, in order */
	readonly tokenUpdates: Array<{ id: string; oauthTokenData: unknown }> = [];

	private readonly types: Map<string, ICredentialType>;

	constructor(
		credentialTypes: ICredentialType[],
		private readonly nodeTypes: INodeTypes,
	) {
		super();
		this.types = new Map(credentialTypes.map((type) => [type.name, type]));
	}

	getParentTypes(name: string): string[] {
		const parents = this.types.get(name)?.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.types.get(type)?.properties ?? [];
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
	): Promise<IHttpRequestOptions> {
		const authenticate = this.types.get(typeName)?.authenticate;
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		return requestOptions as IHttpRequestOptions;
	}

	async preAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('getCredentials is not used by executions in this harness');
	}

	async getDecrypted(
		_additionalData: unknown,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		_mode: unknown,
		_executeData?: unknown,
		raw?: boolean,
	): Promise<ICredentialDataDecryptedObject> {
		const stored = nodeCredentials.id ? this.store.get(nodeCredentials.id) : undefined;
		if (!stored) throw new Error(`No credential "${nodeCredentials.id}" of type ${type}`);
		const data = structuredClone(stored);
		if (raw === true) return data;
		return this.applyDefaults(type, data);
	}

	/** Type defaults, then expressions resolved against the credential itself (`$self`). */
	applyDefaults(
		type: string,
		data: ICredentialDataDecryptedObject,
	): ICredentialDataDecryptedObject {
		const withDefaults = {
			...data,
			...(NodeHelpers.getNodeParameters(
				this.getCredentialsProperties(type),
				data as INodeParameters,
				true,
				false,
				null,
				null,
			) as ICredentialDataDecryptedObject),
		};
		const workflow = new Workflow({
			nodes: [],
			connections: {},
			active: false,
			nodeTypes: this.nodeTypes,
		});
		const mockNode: INode = {
			id: 'credential',
			name: 'credential',
			type: 'mock',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		};
		return workflow.expression.getComplexParameterValue(
			mockNode,
			withDefaults as INodeParameters,
			'internal',
			{},
			undefined,
			undefined,
			withDefaults,
		) as ICredentialDataDecryptedObject;
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		_type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		if (nodeCredentials.id) this.store.set(nodeCredentials.id, structuredClone(data));
	}

	async updateCredentialsOauthTokenData(
		nodeCredentials: INodeCredentialsDetails,
		_type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const id = nodeCredentials.id;
		if (!id) return;
		const stored = this.store.get(id) ?? {};
		this.store.set(id, { ...stored, oauthTokenData: structuredClone(data.oauthTokenData) });
		this.tokenUpdates.push({ id, oauthTokenData: data.oauthTokenData });
	}
}
