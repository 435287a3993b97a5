import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { BatchOptions } from '../transport/batch';
import { DEFAULT_RETRY_POLICY, START_IN_FLIGHT } from '../transport/retry';
import { numberTypeOptions } from '../shared/descriptions';
import { rangeText, readCollection, readNumberOption } from './validate';
import type { NumberBounds } from '../shared/types';

/*
 * The bounds of "Throughput and Retries". Each holds n8n to something it can live with: at
 * least one batch moving (0 would spin the send loop), no retry storm, no wait an execution
 * cannot sit out (an hour per item at most), no request held longer than a gateway would.
 */
/**
 * The ceiling of the adaptive batches in flight (transport/retry.ts ThrottleGate): 50 × 20 =
 * 1,000 requests, a run of 1,000 items in one round trip once Graph has shown it keeps up.
 */
const BATCHES_IN_FLIGHT: NumberBounds = {
	displayName: 'Batches in Flight',
	min: 1,
	max: 50,
	default: 50,
	integer: true,
};
const MAX_RETRIES: NumberBounds = {
	displayName: 'Max Retries',
	min: 0,
	max: 20,
	default: DEFAULT_RETRY_POLICY.maxRetries,
	integer: true,
};
const MAX_WAIT_SECONDS: NumberBounds = {
	displayName: 'Max Wait per Item (Seconds)',
	min: 0,
	max: 3600,
	default: DEFAULT_RETRY_POLICY.maxWaitMs / 1000,
	integer: true,
};
const TIMEOUT_SECONDS: NumberBounds = {
	displayName: 'Request Timeout (Seconds)',
	min: 1,
	max: 300,
	default: 100,
	integer: true,
};

const FIELDS = {
	batchesInFlight: BATCHES_IN_FLIGHT,
	maxRetries: MAX_RETRIES,
	maxWaitSeconds: MAX_WAIT_SECONDS,
	timeoutSeconds: TIMEOUT_SECONDS,
};

function number(name: keyof typeof FIELDS, description: string): INodeProperties {
	const { default: initial, displayName } = FIELDS[name];
	return {
		displayName,
		name,
		type: 'number',
		typeOptions: numberTypeOptions(FIELDS[name]),
		default: initial,
		description: `${description}; takes ${rangeText(FIELDS[name])}`,
	};
}

export const throughputOptions: INodeProperties = {
	displayName: 'Throughput and Retries',
	name: 'throughput',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	description:
		'How fast and how patiently the node talks to Microsoft Graph. The defaults suit most tenants; when Graph asks it to slow down (throttling), it does so by itself.',
	options: [
		number(
			'batchesInFlight',
			`How many groups of up to 20 Cloud PCs may wait for Graph at once: higher finishes a large run sooner, lower leaves more of Graph's allowance to other workflows. A run starts at ${START_IN_FLIGHT} (or this, if lower) and slows down by itself when Graph throttles`,
		),
		number(
			'maxRetries',
			'How often an item is tried again after a passing Graph fault (503, 504, lost connection) before it fails; waiting because Graph throttles does not count',
		),
		number(
			'maxWaitSeconds',
			'An item fails once it has waited this long in all for Graph to take it; 0 fails it at its first wait',
		),
		number(
			'timeoutSeconds',
			"How long to wait for Graph's answer. A reprovision left without an answer is never sent twice: the node first asks Graph whether it ran",
		),
	],
};

/** The node's "Throughput and Retries", read from item 0 and checked against the bounds above. */
export function readThroughput(
	ctx: IExecuteFunctions,
): Pick<BatchOptions, 'policy' | 'batchesInFlight' | 'timeoutMs' | 'signal'> {
	const options = readCollection(
		ctx,
		0,
		'throughput',
		'Throughput and Retries',
		Object.keys(FIELDS),
	);
	const read = (name: keyof typeof FIELDS) => readNumberOption(ctx, 0, options, name, FIELDS[name]);
	return {
		batchesInFlight: read('batchesInFlight'),
		timeoutMs: read('timeoutSeconds') * 1000,
		policy: {
			...DEFAULT_RETRY_POLICY,
			maxRetries: read('maxRetries'),
			maxWaitMs: read('maxWaitSeconds') * 1000,
		},
		signal: ctx.getExecutionCancelSignal(),
	};
}
