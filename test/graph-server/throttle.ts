/**
 * Graph throttles each app over a sliding window. Only admitted requests take a slot, so a
 * client that honours Retry-After is not punished for the requests it was refused.
 */
export class SlidingWindow {
	/** Per key, admission times in ascending order; never longer than `limit`. */
	private readonly admitted = new Map<string, number[]>();

	constructor(
		private readonly limit: number,
		private readonly windowMs: number,
	) {}

	/** Takes a slot and returns undefined, or returns the whole seconds until one frees (>= 1). */
	admit(key: string, now = Date.now()): number | undefined {
		let times = this.admitted.get(key);
		if (!times) this.admitted.set(key, (times = []));
		while (times.length > 0 && times[0] <= now - this.windowMs) times.shift();
		if (times.length < this.limit) {
			times.push(now);
			return undefined;
		}
		return Math.max(1, Math.ceil((times[0] + this.windowMs - now) / 1000));
	}

	clear(): void {
		this.admitted.clear();
	}
}
