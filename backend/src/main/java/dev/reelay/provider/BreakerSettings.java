package dev.reelay.provider;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The circuit breaker each provider instance has (see {@link InstanceBreakers}): it opens after
 * {@code failures} retryable failures in a row, lets probes through after {@code coolDown}, and closes after
 * {@code successes} successful calls in a row.
 */
@ConfigurationProperties("reelay.routes.breaker")
public record BreakerSettings(@DefaultValue("5") int failures, @DefaultValue("60s") Duration coolDown,
		@DefaultValue("2") int successes) {

	public BreakerSettings {
		if (failures < 1 || successes < 1) {
			throw new IllegalArgumentException("reelay.routes.breaker.failures and .successes must be at least 1");
		}
	}

}
