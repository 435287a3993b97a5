import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { BatchOptions } from '../transport/batch';
import { DEFAULT_RETRY_POLICY } from '../transport/retry';

const DEFAULT_BATCHES_IN_FLIGHT = 4;
const DEFAULT_TIMEOUT_SECONDS = 100;

export const throughputOptions: INodeProperties = {
	displayName: 'Throughput and Retries',
	name: 'throughput',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	description:
		'Requests go to Microsoft Graph 20 at a time in JSON batches; throttling is followed automatically',
	options: [
		{
			displayName: 'Batches in Flight',
			name: 'batchesInFlight',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 10 },
			default: DEFAULT_BATCHES_IN_FLIGHT,
			description: 'How many batches of up to 20 requests may be waiting for Graph at once',
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 20 },
			default: 5,
			description:
				'Retries per item after a transient Graph fault (503, 504, lost connection); waits for throttling (429) do not count',
		},
		{
			displayName: 'Max Wait per Item (Seconds)',
			name: 'maxWaitSeconds',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 900,
			description: 'An item fails once it has waited this long for throttling and retries',
		},
		{
			displayName: 'Request Timeout (Seconds)',
			name: 'timeoutSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: DEFAULT_TIMEOUT_SECONDS,
			description:
				'A batch unanswered for this long is sent again; a reprovision that turns out to have run is reported as requested, not repeated',
		},
	],
};

export function readThroughput(
	ctx: IExecuteFunctions,
): Pick<BatchOptions, 'policy' | 'batchesInFlight' | 'timeoutMs' | 'signal'> {
	const options = ctx.getNodeParameter('throughput', 0, {}) as IDataObject;
	const number = (name: string, fallback: number) =>
		typeof options[name] === 'number' ? (options[name] as number) : fallback;
	return {
		batchesInFlight: number('batchesInFlight', DEFAULT_BATCHES_IN_FLIGHT),
		timeoutMs: number('timeoutSeconds', DEFAULT_TIMEOUT_SECONDS) * 1000,
		policy: {
			...DEFAULT_RETRY_POLICY,
			maxRetries: number('maxRetries', DEFAULT_RETRY_POLICY.maxRetries),
			maxWaitMs: number('maxWaitSeconds', DEFAULT_RETRY_POLICY.maxWaitMs / 1000) * 1000,
		},
		signal: ctx.getExecutionCancelSignal(),
	};
}
