package dev.reelay.job;

import java.util.Set;
import java.util.UUID;

/**
 * Which events a stream wants. An empty set does not restrict; the sets restrict together (an event must match
 * every non-empty one). {@code statuses} is the job's status right after the event.
 */
public record JobEventFilter(Set<UUID> jobIds, Set<JobStatus> statuses, Set<String> models, Set<String> providers) {

	public static final JobEventFilter ALL = new JobEventFilter(Set.of(), Set.of(), Set.of(), Set.of());

	public JobEventFilter {
		jobIds = Set.copyOf(jobIds);
		statuses = Set.copyOf(statuses);
		models = Set.copyOf(models);
		providers = Set.copyOf(providers);
	}

	public static JobEventFilter job(UUID jobId) {
		return new JobEventFilter(Set.of(jobId), Set.of(), Set.of(), Set.of());
	}

	public boolean matches(JobEvent event) {
		return (this.jobIds.isEmpty() || this.jobIds.contains(event.jobId()))
				&& (this.statuses.isEmpty() || this.statuses.contains(event.status()))
				&& (this.models.isEmpty() || this.models.contains(event.model()))
				&& (this.providers.isEmpty() || this.providers.contains(event.provider()));
	}

}
