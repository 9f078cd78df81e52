package dev.reelay.tenant;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The per-tenant token buckets on a hand-moved clock. */
class ApiRateLimiterTests {

	private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

	private final ApiRateLimiter limiter = new ApiRateLimiter(new TenantSettings.RateLimit(2, 3), this.nanos::get);

	@Test
	void aBurstGoesThroughThenRequestsWaitForTheRefill() {
		UUID tenant = UUID.randomUUID();
		for (int i = 0; i < 3; i++) {
			assertThat(this.limiter.acquire(tenant)).as("request %d of the burst", i).isZero();
		}
		assertThat(this.limiter.acquire(tenant)).isEqualTo(Duration.ofMillis(500));
		advance(Duration.ofMillis(499));
		assertThat(this.limiter.acquire(tenant)).isEqualTo(Duration.ofMillis(1));
		advance(Duration.ofMillis(1));
		assertThat(this.limiter.acquire(tenant)).isZero();
		assertThat(this.limiter.acquire(tenant)).isEqualTo(Duration.ofMillis(500));
	}

	@Test
	void tenantsHaveTheirOwnBuckets() {
		UUID busy = UUID.randomUUID();
		for (int i = 0; i < 3; i++) {
			this.limiter.acquire(busy);
		}
		assertThat(this.limiter.acquire(busy)).isPositive();
		assertThat(this.limiter.acquire(UUID.randomUUID())).isZero();
	}

	@Test
	void anIdleBucketRefillsOnlyUpToTheBurst() {
		UUID tenant = UUID.randomUUID();
		this.limiter.acquire(tenant);
		advance(Duration.ofHours(1));
		for (int i = 0; i < 3; i++) {
			assertThat(this.limiter.acquire(tenant)).isZero();
		}
		assertThat(this.limiter.acquire(tenant)).isPositive();
	}

	@Test
	void memoryIsBoundedHoweverManyTenantsCall() {
		for (int i = 0; i < ApiRateLimiter.MAX_TENANTS + 500; i++) {
			this.limiter.acquire(UUID.randomUUID());
		}
		assertThat(this.limiter.size()).isLessThanOrEqualTo(ApiRateLimiter.MAX_TENANTS);
		advance(Duration.ofSeconds(10));
		assertThat(this.limiter.size()).as("idle buckets, full again by now, are dropped").isZero();
	}

	@Test
	void aLimitThatWouldLetNothingThroughIsRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ApiRateLimiter(new TenantSettings.RateLimit(0, 10), this.nanos::get))
			.withMessageContaining("requests-per-second");
	}

	private void advance(Duration by) {
		this.nanos.addAndGet(by.toNanos());
	}

}
