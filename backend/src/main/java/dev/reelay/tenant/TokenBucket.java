package dev.reelay.tenant;

/**
 * Requests one tenant may still make: refilled at a steady rate up to {@code burst}. Time is passed in (nanoseconds
 * from any fixed origin), so tests move it by hand.
 */
final class TokenBucket {

	private final double perNano;

	private final double burst;

	private double tokens;

	private long updated;

	TokenBucket(double perSecond, int burst, long now) {
		this.perNano = perSecond / 1e9;
		this.burst = burst;
		this.tokens = burst;
		this.updated = now;
	}

	/** Takes one request's token: 0 if there was one, else the nanoseconds until there will be. */
	synchronized long take(long now) {
		this.tokens = Math.min(this.burst, this.tokens + Math.max(0, now - this.updated) * this.perNano);
		this.updated = Math.max(this.updated, now);
		if (this.tokens >= 1) {
			this.tokens -= 1;
			return 0;
		}
		return (long) Math.ceil((1 - this.tokens) / this.perNano);
	}

}
