package dev.reelay.dispatch;

import java.time.Duration;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What one provider instance allows; a missing limit means none. Rates are counted in sliding windows across
 * every Reelay instance on the database. Status polls and downloads have their own budget, apart from
 * submissions. Polls start at the provider instance's {@code poll-interval} and back off to
 * {@code maxPollInterval}.
 */
record Limits(@Nullable Rate submits, @Nullable Integer submitsPerDay, @Nullable Integer maxInFlight,
		@Nullable Rate polls, @DefaultValue("30s") Duration maxPollInterval,
		@DefaultValue Map<String, ModelLimits> models) {

	static final Limits NONE = new Limits(null, null, null, null, Duration.ofSeconds(30), Map.of());

	boolean limitsSubmissions() {
		return this.submits != null || this.submitsPerDay != null || this.maxInFlight != null || !this.models.isEmpty();
	}

	/** At most {@code count} calls in any window of length {@code per}. */
	record Rate(int count, @DefaultValue("1m") Duration per) {
	}

	/** Tighter limits for one model of the provider, on top of the provider's own. */
	record ModelLimits(@Nullable Rate submits, @Nullable Integer maxInFlight) {
	}

}
