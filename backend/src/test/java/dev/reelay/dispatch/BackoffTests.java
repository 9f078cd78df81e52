package dev.reelay.dispatch;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTests {

	private final Backoff backoff = new Backoff(Duration.ofSeconds(2), Duration.ofMinutes(5));

	@Test
	void doublesFromTheBaseWithAtMostAQuarterTakenOffAsJitter() {
		for (int attempt = 1; attempt <= 6; attempt++) {
			long full = 2_000L << (attempt - 1);
			for (int sample = 0; sample < 200; sample++) {
				long wait = this.backoff.after(attempt).toMillis();
				assertThat(wait).isBetween((long) (full * 0.75), full);
			}
		}
	}

	@Test
	void neverWaitsLongerThanTheCapHoweverManyAttempts() {
		for (int attempt = 9; attempt <= 200; attempt++) {
			assertThat(this.backoff.after(attempt)).isLessThanOrEqualTo(Duration.ofMinutes(5))
				.isGreaterThanOrEqualTo(Duration.ofSeconds(225));
		}
	}

}
