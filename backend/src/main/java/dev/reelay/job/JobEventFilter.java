package dev.reelay.job;

import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * Which events a stream wants. An empty set does not restrict; the sets restrict together (an event must match
 * every non-empty one). {@code statuses} is the job's status right after the event. {@code tenant}, when set,
 * keeps the stream to that tenant's jobs: every stream a client opens has one (only internal readers have none).
 */
public record JobEventFilter(Set<UUID> jobIds, Set<JobStatus> statuses, Set<String> models, Set<String> providers,
		@Nullable UUID tenant) {

	public static final JobEventFilter ALL = new JobEventFilter(Set.of(), Set.of(), Set.of(), Set.of());

	public JobEventFilter {
		jobIds = Set.copyOf(jobIds);
		statuses = Set.copyOf(statuses);
		models = Set.copyOf(models);
		providers = Set.copyOf(providers);
	}

	public JobEventFilter(Set<UUID> jobIds, Set<JobStatus> statuses, Set<String> models, Set<String> providers) {
		this(jobIds, statuses, models, providers, null);
	}

	public static JobEventFilter job(UUID jobId) {
		return new JobEventFilter(Set.of(jobId), Set.of(), Set.of(), Set.of());
	}

	/** The same filter, kept to {@code tenant}'s jobs. */
	public JobEventFilter forTenant(UUID tenant) {
		return new JobEventFilter(this.jobIds, this.statuses, this.models, this.providers, tenant);
	}

	public boolean matches(JobEvent event) {
		return (this.tenant == null || this.tenant.equals(event.tenantId()))
				&& (this.jobIds.isEmpty() || this.jobIds.contains(event.jobId()))
				&& (this.statuses.isEmpty() || this.statuses.contains(event.status()))
				&& (this.models.isEmpty() || this.models.contains(event.model()))
				&& (this.providers.isEmpty() || this.providers.contains(event.provider()));
	}

}
