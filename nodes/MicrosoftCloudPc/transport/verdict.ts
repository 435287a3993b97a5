import type { IDataObject } from 'n8n-workflow';

import type { GraphFailure } from './graphErrors';
import type { GraphResponse } from './graph';

/** What Graph's own records say of an attempt whose answer was lost. */
export type Verdict =
	/** it took effect; `evidence` says how we know, `body` is what was found (a bulk action, say) */
	| { verdict: 'acted'; evidence: string; body?: IDataObject }
	/** Graph has no record of it: it did not run */
	| { verdict: 'notActed' }
	/** nothing could tell: never sent again automatically */
	| { verdict: 'unknown'; reason: string };

/** The success a check confirmed, carrying the ids of the attempt whose answer was lost. */
export function confirmedResponse(
	lost: GraphFailure,
	clientRequestId: string,
	body: IDataObject = {},
): GraphResponse {
	return {
		statusCode: lost.status,
		body,
		headers: {},
		requestId: lost.requestId,
		clientRequestId,
	};
}

/** A request that may or may not have run, and why nobody can tell. */
export function unknownOutcome(lost: GraphFailure, reason: string): GraphFailure {
	return lost.rephrased(
		'OutcomeUnknown',
		`The answer was lost (${lost.message}) and ${reason}. It may have run: it was not sent again.`,
	);
}

export const CANCELLED = 'The execution was cancelled before this request finished';

/** A request the run ended while it waited to go again: its last answer, and why it ended. */
export function endedBy(last: GraphFailure, reason: string): GraphFailure {
	return last.rephrased(last.code, `${last.graphMessage}; then: ${reason}`);
}
