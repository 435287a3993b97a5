import { throughputOptions } from '../../nodes/MicrosoftCloudPc/actions/throughput';
import { retryAfterMs } from '../../nodes/MicrosoftCloudPc/transport/clock';
import { GraphFailure } from '../../nodes/MicrosoftCloudPc/transport/graphErrors';
import {
	backoffMs,
	DEFAULT_RETRY_POLICY,
	mayStillLand,
	outcomeIsUnknown,
	START_IN_FLIGHT,
	ThrottleGate,
} from '../../nodes/MicrosoftCloudPc/transport/retry';

describe('retry rules', () => {
	test('Retry-After in seconds or as an HTTP date', () => {
		const now = Date.parse('2026-11-29T04:00:00Z');
		expect(retryAfterMs({ 'retry-after': '7' }, now)).toBe(7000);
		expect(retryAfterMs({ 'Retry-After': 0 }, now)).toBe(0);
		expect(retryAfterMs({ 'retry-after': 'Sun, 29 Nov 2026 04:00:30 GMT' }, now)).toBe(30_000);
		expect(retryAfterMs({ 'retry-after': 'Sun, 29 Nov 2026 03:59:00 GMT' }, now)).toBe(0);
		expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
		expect(retryAfterMs({}, now)).toBeUndefined();
	});

	test('only 429 and a refused connection prove nothing ran; only no answer and 504 may still land', () => {
		const failure = (status: number, code = 'X') =>
			new GraphFailure(status, code, 'message', undefined, 'client-id');
		const unknown = [0, 500, 502, 503, 504, 599].map((status) => failure(status));
		expect(unknown.every(outcomeIsUnknown)).toBe(true);
		const ran = [400, 401, 403, 404, 409, 429].map((status) => failure(status));
		expect([...ran, failure(0, 'ECONNREFUSED')].some(outcomeIsUnknown)).toBe(false);

		const landing = [failure(0, 'ECONNABORTED'), failure(0, 'ECONNRESET'), failure(504)];
		expect(landing.every(mayStillLand)).toBe(true);
		const answered = [500, 502, 503].map((status) => failure(status));
		const unreadable = ['InvalidResponse', 'UnreadableAnswer', 'MissingBatchResponse'];
		const finished = [...answered, ...unreadable.map((code) => failure(0, code))];
		expect([...finished, failure(0, 'ECONNREFUSED')].some(mayStillLand)).toBe(false);
	});

	test('backoff doubles per retry up to the cap, with full jitter', () => {
		const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
		expect([0, 1, 2, 3, 4].map((retry) => backoffMs(retry, policy, () => 1))).toEqual([
			100, 200, 400, 800, 1000,
		]);
		expect(backoffMs(3, policy, () => 0)).toBe(0);
		expect(backoffMs(2, policy, () => 0.5)).toBe(200);
	});

	test('the throttle gate starts at 20 (or the ceiling, when lower), grows by one per clean batch, stops at the ceiling', () => {
		expect(START_IN_FLIGHT).toBe(20);
		const gate = new ThrottleGate(50);
		expect(gate.inFlightLimit).toBe(20);
		for (let i = 0; i < 20; i++) gate.succeeded(0);
		expect(gate.inFlightLimit).toBe(40);
		for (let i = 0; i < 100; i++) gate.succeeded(0);
		expect(gate.inFlightLimit).toBe(50);
		expect(new ThrottleGate(3).inFlightLimit).toBe(3);
		// never below one, whatever it is given
		for (const ceiling of [0, -2, 0.5, NaN])
			expect(new ThrottleGate(ceiling).inFlightLimit).toBe(1);
	});

	test('the throttle gate closes for the longest Retry-After and halves batches in flight', () => {
		const gate = new ThrottleGate(8);
		const now = 1_000_000;
		gate.throttled(5000, now);
		gate.throttled(2000, now);
		expect(gate.closedFor(now)).toBe(5000);
		expect(gate.closedFor(now + 5000)).toBe(0);
		expect(gate.inFlightLimit).toBe(4);
		gate.throttled(1000, now + 6000);
		expect(gate.inFlightLimit).toBe(2);
		// a batch sent before the last 429 does not grow it back
		gate.succeeded(now + 5999);
		expect(gate.inFlightLimit).toBe(2);
		gate.succeeded(now + 6000);
		gate.succeeded(now + 6001);
		expect(gate.inFlightLimit).toBe(4);
		for (let i = 0; i < 10; i++) gate.succeeded(now + 7000);
		expect(gate.inFlightLimit).toBe(8);
		for (let i = 0; i < 10; i++) gate.throttled(0, now + 10_000 + i);
		expect(gate.inFlightLimit).toBe(1);
	});
});

test('the editor shows the defaults the node uses when an option is left out', () => {
	const shown = Object.fromEntries(
		(throughputOptions.options as Array<{ name: string; default: unknown }>).map((option) => [
			option.name,
			option.default,
		]),
	);
	expect(shown.maxRetries).toBe(DEFAULT_RETRY_POLICY.maxRetries);
	expect(shown.maxWaitSeconds).toBe(DEFAULT_RETRY_POLICY.maxWaitMs / 1000);
});
