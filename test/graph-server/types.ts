export interface SeedCloudPc {
	/** GUID */
	id: string;
	displayName: string;
	managedDeviceName?: string;
	/** Owner's UPN */
	userPrincipalName: string;
	/** Owner's object id (GUID) */
	userId: string;
	servicePlanName?: string;
	provisioningPolicyId?: string;
	imageDisplayName?: string;
	/** Only visible in beta; defaults to 'provisioned'. */
	status?: string;
	lastModifiedDateTime?: string;
}

export interface TokenGrant {
	/** Delegated token: the signed-in user's object id (what /me resolves to). Omit for app-only. */
	userId?: string;
	/** Reads need CloudPC.Read.All or CloudPC.ReadWrite.All; writes need CloudPC.ReadWrite.All. */
	scopes: string[];
	/** App-only tokens get 400 on /me routes. A grant without userId is app-only too. */
	appOnly?: boolean;
}

export interface GraphServerOptions {
	/** Default: SAMPLE_CLOUD_PCS. */
	cloudPcs?: SeedCloudPc[];
	/** Accepted bearer tokens and what they may do. Default: none (every Graph call is 401). */
	tokens?: Record<string, TokenGrant>;
	/** Server-driven page size for list endpoints (default 100); a smaller $top wins. */
	pageSize?: number;
	/** refresh_token → access token the token endpoint issues; that access token must be in `tokens`. */
	refreshTokens?: Record<string, { accessToken: string; expiresIn?: number }>;
}

export interface LoggedRequest {
	method: string;
	/** Path without the query, exactly as received (not decoded). */
	path: string;
	/** Decoded query parameters (last one wins when repeated). */
	query: Record<string, string>;
	/** Lower-cased names. */
	headers: Record<string, string>;
	/** Parsed JSON; the token endpoint's form as an object; otherwise the raw string; undefined when empty. */
	body: unknown;
	status: number;
	/** The request id the server answered with (`request-id`, or `x-ms-request-id` on the token endpoint). */
	requestId: string;
}

export interface LastReprovision {
	osVersion?: string;
	userAccountType?: string;
	/** ISO date of the accepted request */
	at: string;
}

export type CloudPcState = SeedCloudPc & { status: string; lastReprovision?: LastReprovision };

export interface FaultMatcher {
	method?: string;
	/** Substring of the raw path (without the query). */
	pathIncludes?: string;
}

export interface FaultResponse {
	status: number;
	code?: string;
	message?: string;
	headers?: Record<string, string>;
	/** Sent as-is (objects as JSON); without it an error body is built from code/message. */
	body?: unknown;
}

export interface GraphServer {
	/** 'http://127.0.0.1:PORT', no trailing slash. Graph base: url + '/v1.0' | '/beta'; login base: url. */
	url: string;
	port: number;
	/** Every request, in arrival order. The array is cleared in place by reset(). */
	requests: LoggedRequest[];
	/** Successful (204) reprovisions of that Cloud PC. */
	reprovisionCount(cloudPcId: string): number;
	/** A copy of the current state. */
	cloudPc(id: string): CloudPcState | undefined;
	setStatus(id: string, status: string): void;
	/** Injected answers for matching requests, checked before anything else; they have no side effect. */
	failNext(matcher: FaultMatcher, response: FaultResponse, times?: number): void;
	/** Clear the log and injected faults; restore the seeded state and counts. */
	reset(): void;
	close(): Promise<void>;
}
