package dev.reelay.dispatch;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with up to 25 % jitter, capped, so retries from many jobs do not arrive together. */
record Backoff(Duration base, Duration max) {

	Duration after(int attempt) {
		long exponent = Math.min(Math.max(attempt - 1, 0), 20);
		long millis = Math.min(this.base.toMillis() << exponent, this.max.toMillis());
		long jitter = (long) (millis * 0.25 * ThreadLocalRandom.current().nextDouble());
		return Duration.ofMillis(millis - jitter);
	}

}
