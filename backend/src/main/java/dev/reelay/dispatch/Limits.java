package dev.reelay.dispatch;

import java.time.Duration;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What one provider instance allows; a missing limit means none. Rates are counted in sliding windows across
 * every Reelay instance on the database. Status polls and downloads have their own budget, apart from
 * submissions. Polls start at the provider instance's {@code poll-interval} and back off to
 * {@code maxPollInterval}. {@code submitGrace} is how long after a create ended unanswered (an error, a timeout, or
 * could have timed out) the provider may still be starting it or not listing it yet: before then, a create that
 * reconciliation does not find may still exist, so it is not sent again.
 */
record Limits(@Nullable Rate submits, @Nullable Integer submitsPerDay, @Nullable Integer maxInFlight,
		@Nullable Rate polls, @DefaultValue("30s") Duration maxPollInterval,
		@DefaultValue Map<String, ModelLimits> models, @DefaultValue("30s") Duration submitGrace) {

	static final Duration DEFAULT_SUBMIT_GRACE = Duration.ofSeconds(30);

	static final Limits NONE = new Limits(null, null, null, null, Duration.ofSeconds(30), Map.of());

	/** The bound constructor (the other one is a shorthand). */
	@ConstructorBinding
	Limits {
	}

	/** Limits with the default submit grace. */
	Limits(@Nullable Rate submits, @Nullable Integer submitsPerDay, @Nullable Integer maxInFlight,
			@Nullable Rate polls, Duration maxPollInterval, Map<String, ModelLimits> models) {
		this(submits, submitsPerDay, maxInFlight, polls, maxPollInterval, models, DEFAULT_SUBMIT_GRACE);
	}

	boolean limitsSubmissions() {
		return this.submits != null || this.submitsPerDay != null || this.maxInFlight != null || !this.models.isEmpty();
	}

	/**
	 * Whether creates are counted in a window (a rate of the provider's or of one of its models, or a daily cap): only
	 * then must a create's permit be fresh when it is sent. An in-flight limit is held by the claim itself (a claimed
	 * job holds its place until it ends), whenever its call goes out.
	 */
	boolean countsSubmissions() {
		return this.submits != null || this.submitsPerDay != null
				|| this.models.values().stream().anyMatch((model) -> model.submits() != null);
	}

	/** The longest window these limits count calls in (zero when they count none). */
	Duration longestWindow() {
		Duration longest = Duration.ZERO;
		if (this.submits != null) {
			longest = max(longest, this.submits.per());
		}
		if (this.submitsPerDay != null) {
			longest = max(longest, Duration.ofDays(1));
		}
		if (this.polls != null) {
			longest = max(longest, this.polls.per());
		}
		for (ModelLimits model : this.models.values()) {
			if (model.submits() != null) {
				longest = max(longest, model.submits().per());
			}
		}
		return longest;
	}

	private static Duration max(Duration a, Duration b) {
		return (a.compareTo(b) >= 0) ? a : b;
	}

	/** At most {@code count} calls in any window of length {@code per}. */
	record Rate(int count, @DefaultValue("1m") Duration per) {
	}

	/** Tighter limits for one model of the provider, on top of the provider's own. */
	record ModelLimits(@Nullable Rate submits, @Nullable Integer maxInFlight) {
	}

}
