package dev.reelay.tenant;

/**
 * Requests one tenant may still make: a token bucket refilled at a steady rate up to {@code burst}, kept as the
 * generic cell rate algorithm (one "theoretical arrival time" instead of a fractional token count), so the
 * arithmetic is exact in whole nanoseconds. Time is passed in, from any fixed origin, so tests move it by hand.
 */
final class TokenBucket {

	private final long interval;

	private final long tolerance;

	private long theoreticalArrival;

	TokenBucket(double perSecond, int burst, long now) {
		this.interval = Math.max(1, Math.round(1e9 / perSecond));
		this.tolerance = this.interval * (burst - 1L);
		this.theoreticalArrival = now;
	}

	/** The nanoseconds until a token will be there (0: there is one now), without taking it. */
	synchronized long peek(long now) {
		return Math.max(0, Math.max(this.theoreticalArrival, now) - now - this.tolerance);
	}

	/** Takes one request's token: 0 if there was one, else the nanoseconds until there will be. */
	synchronized long take(long now) {
		long arrival = Math.max(this.theoreticalArrival, now);
		long ahead = arrival - now;
		if (ahead > this.tolerance) {
			return ahead - this.tolerance;
		}
		this.theoreticalArrival = arrival + this.interval;
		return 0;
	}

}
