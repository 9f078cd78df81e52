package dev.reelay.callback;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Outbound webhooks. {@code schedule} is the delay before each attempt (the first is usually immediate); after the
 * last one a delivery is failed. {@code allowHttp} and {@code allowPrivateAddresses} exist for local use and tests
 * only. {@code secretKey} (base64, 32 bytes) encrypts the tenants' signing secrets at rest. {@code lease} must
 * outlast one attempt (connect plus response timeout).
 */
@ConfigurationProperties("reelay.callbacks")
record CallbackSettings(@DefaultValue("true") boolean enabled, @DefaultValue("false") boolean allowHttp,
		@DefaultValue("false") boolean allowPrivateAddresses,
		@DefaultValue({ "0s", "5s", "5m", "30m", "2h", "5h", "10h", "10h" }) List<Duration> schedule,
		@DefaultValue("16") int concurrency, @DefaultValue("1s") Duration poll, @DefaultValue("2m") Duration lease,
		@DefaultValue("5s") Duration connectTimeout, @DefaultValue("15s") Duration responseTimeout,
		@DefaultValue("4KB") DataSize responseExcerpt, @DefaultValue("10000") int maxPendingPerTenant,
		@DefaultValue("1000") int forwardChunk, @DefaultValue("30s") Duration gapGrace,
		@DefaultValue("24h") Duration rotationGrace, @Nullable String secretKey) {

	CallbackSettings {
		if (schedule.isEmpty()) {
			throw new IllegalArgumentException("reelay.callbacks.schedule needs at least one attempt");
		}
		if (concurrency < 1) {
			throw new IllegalArgumentException("reelay.callbacks.concurrency must be at least 1");
		}
	}

	/** When the attempt after {@code attemptsMade} attempts is due, or null when the schedule is used up. */
	@Nullable Duration delayAfter(int attemptsMade) {
		return (attemptsMade < this.schedule.size()) ? this.schedule.get(attemptsMade) : null;
	}

}
