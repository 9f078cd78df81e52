package dev.reelay.tenant;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What one tenant may hold at once, so that no tenant can crowd the others out (the same numbers for every tenant).
 * <ul>
 * <li>{@code maxQueuedJobs}: jobs waiting to be submitted (status {@code queued}, budget holds included); a
 * submission that would go over is refused whole with a 429 problem carrying {@code Retry-After:
 * queuedRetryAfter}.</li>
 * <li>{@code maxInFlightJobs}: jobs submitted to a provider and not yet ended (or claimed to be submitted); the
 * dispatcher claims no more for the tenant, the rest wait queued. It never refuses a submission.</li>
 * <li>{@code maxStreams}: open event streams (per job and all-jobs together), counted per instance; one more is a
 * 429 problem.</li>
 * </ul>
 */
@ConfigurationProperties("reelay.quotas")
public record TenantQuotas(@DefaultValue("10000") int maxQueuedJobs, @DefaultValue("200") int maxInFlightJobs,
		@DefaultValue("500") int maxStreams, @DefaultValue("30s") Duration queuedRetryAfter) {

	public TenantQuotas {
		positive("max-queued-jobs", maxQueuedJobs);
		positive("max-in-flight-jobs", maxInFlightJobs);
		positive("max-streams", maxStreams);
	}

	private static void positive(String name, int value) {
		if (value < 1) {
			throw new IllegalArgumentException("reelay.quotas." + name + " must be at least 1; got " + value);
		}
	}

}
