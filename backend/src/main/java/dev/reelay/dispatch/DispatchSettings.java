package dev.reelay.dispatch;

import java.time.Duration;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How this instance works the queue. {@code concurrency} bounds jobs in hand at once (and so memory); a lease
 * longer than the slowest step (the download timeout) keeps two instances from working one job. {@code limits}
 * are per provider instance and hold across all instances sharing the database; {@code callMargin} widens every
 * rate window because a permit is counted when a job is claimed and the call reaches the provider a little later.
 */
@ConfigurationProperties("reelay.dispatch")
record DispatchSettings(@DefaultValue("true") boolean enabled, @DefaultValue("500ms") Duration tick,
		@DefaultValue("32") int concurrency, @DefaultValue("60s") Duration lease,
		@DefaultValue("50s") Duration downloadTimeout, @DefaultValue("2s") Duration retryBase,
		@DefaultValue("5m") Duration retryMax, @DefaultValue("8") int maxSubmitAttempts,
		@Nullable String instanceId, @DefaultValue("1s") Duration callMargin,
		@DefaultValue Map<String, Limits> limits) {

	Limits limitsFor(String provider) {
		return this.limits.getOrDefault(provider, Limits.NONE);
	}

}
