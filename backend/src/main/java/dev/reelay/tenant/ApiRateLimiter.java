package dev.reelay.tenant;

import java.time.Duration;
import java.util.UUID;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

/**
 * A token bucket per tenant, in memory, so the limit holds per instance. Caffeine bounds the map: at most
 * {@link #MAX_TENANTS} buckets (about 100 bytes each), and a bucket idle for longer than it takes to refill is
 * dropped, which loses nothing (a new one starts full, as the old one would be by then).
 */
final class ApiRateLimiter {

	static final int MAX_TENANTS = 10_000;

	private final TenantSettings.RateLimit limit;

	private final Ticker ticker;

	private final Cache<UUID, TokenBucket> buckets;

	ApiRateLimiter(TenantSettings.RateLimit limit, Ticker ticker) {
		if (limit.requestsPerSecond() <= 0 || limit.burst() < 1) {
			throw new IllegalArgumentException("reelay.security.rate-limit needs requests-per-second above 0 and a "
					+ "burst of at least 1; got " + limit.requestsPerSecond() + " and " + limit.burst());
		}
		this.limit = limit;
		this.ticker = ticker;
		Duration refill = Duration.ofNanos((long) Math.ceil(limit.burst() / limit.requestsPerSecond() * 1e9));
		this.buckets = Caffeine.newBuilder()
			.maximumSize(MAX_TENANTS)
			.expireAfterAccess(refill.plusSeconds(1))
			.ticker(ticker)
			.build();
	}

	/** Counts a request of {@code tenant}: {@link Duration#ZERO} if it may go ahead, else how long to wait. */
	Duration acquire(UUID tenant) {
		long now = this.ticker.read();
		TokenBucket bucket = this.buckets.get(tenant,
				(key) -> new TokenBucket(this.limit.requestsPerSecond(), this.limit.burst(), now));
		return Duration.ofNanos(bucket.take(now));
	}

	/** Buckets held now (for tests). */
	long size() {
		this.buckets.cleanUp();
		return this.buckets.estimatedSize();
	}

}
