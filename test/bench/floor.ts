import { MAX_BATCH_SIZE } from '../../nodes/MicrosoftCloudPc/transport/batchEnvelope';
import { START_IN_FLIGHT } from '../../nodes/MicrosoftCloudPc/transport/retry';

/** The node's default "Batches in Flight": the ceiling the benchmarks run with. */
export const CEILING = 50;

/**
 * Round trips to send `n` requests as the throttle gate schedules them when Graph never
 * throttles: START_IN_FLIGHT batches of 20 first, one more per batch answered, up to the ceiling.
 */
export function roundTrips(n: number, ceiling = CEILING): number {
	let batches = Math.ceil(n / MAX_BATCH_SIZE);
	let limit = Math.min(START_IN_FLIGHT, ceiling);
	let rounds = 0;
	while (batches > 0) {
		const sent = Math.min(limit, batches);
		batches -= sent;
		limit = Math.min(ceiling, limit + sent);
		rounds++;
	}
	return rounds;
}

/** The network floor of `n` reprovisions: those round trips at `latencyMs` each, nothing else. */
export const floorMs = (n: number, latencyMs: number, ceiling = CEILING) =>
	roundTrips(n, ceiling) * latencyMs;
