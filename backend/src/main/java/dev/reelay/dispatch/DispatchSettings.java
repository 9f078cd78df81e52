package dev.reelay.dispatch;

import java.time.Duration;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How this instance works the queue. {@code concurrency} bounds jobs in hand at once (and so memory); a claimed
 * job's {@code lease} is renewed every third of it while its step runs (see {@link LeaseKeeper}), so it bounds how
 * long a job waits after its instance died, not how long a step may take. On a graceful stop, running steps get
 * {@code drainTimeout} to finish (keep it below {@code spring.lifecycle.timeout-per-shutdown-phase}). {@code limits}
 * are per provider instance and hold across all instances sharing the database; {@code callMargin} widens every
 * rate window because a permit is counted when a job is claimed and the call reaches the provider a little later.
 */
@ConfigurationProperties("reelay.dispatch")
record DispatchSettings(@DefaultValue("true") boolean enabled, @DefaultValue("500ms") Duration tick,
		@DefaultValue("32") int concurrency, @DefaultValue("30s") Duration lease,
		@DefaultValue("50s") Duration downloadTimeout, @DefaultValue("2s") Duration retryBase,
		@DefaultValue("5m") Duration retryMax, @DefaultValue("8") int maxSubmitAttempts,
		@Nullable String instanceId, @DefaultValue("1s") Duration callMargin,
		@DefaultValue Map<String, Limits> limits, @DefaultValue("20s") Duration drainTimeout) {

	Limits limitsFor(String provider) {
		return this.limits.getOrDefault(provider, Limits.NONE);
	}

	/**
	 * How long the call ledger must keep a call: the longest window any configured limit counts in, widened by
	 * the call margin and a minute. Instances sharing the database should share their limits; one with shorter
	 * windows would prune calls another still counts.
	 */
	Duration ledgerKept() {
		Duration longest = Duration.ZERO;
		for (Limits provider : this.limits.values()) {
			Duration window = provider.longestWindow();
			if (window.compareTo(longest) > 0) {
				longest = window;
			}
		}
		return longest.plus(this.callMargin).plusMinutes(1);
	}

}
