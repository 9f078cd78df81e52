package dev.reelay.job;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import dev.reelay.provider.ProviderUsage;
import dev.reelay.support.Money;
import org.jspecify.annotations.Nullable;

/**
 * The job as clients see it, in API responses and in every event's data. {@code providerUsage} is the provider's
 * own account of the job's cost (credits held, charged); {@code estimatedCost} is Reelay's estimate from the catalog
 * price, reserved against the tenant's budget, and {@code actualCost} what its provider's billing rule gives once it
 * ended. {@code route} is the route serving the job and its attempts per route. {@code thumbnailUrl} is set once the job is completed with a stored thumbnail (also {@code links.thumbnail}).
 */
public record JobView(UUID id, JobStatus status, int progress, String model, String provider, String prompt,
		JobParameters parameters, int priority, @Nullable Instant notBefore, @Nullable String statusReason,
		@Nullable String remoteId, @Nullable String providerRequestId, @Nullable JobError error,
		@Nullable ContentView content, @Nullable ProviderUsage providerUsage, Instant createdAt, Instant updatedAt,
		@Nullable Instant completedAt, @Nullable Money estimatedCost, @Nullable Money actualCost,
		Map<String, String> links, @Nullable String thumbnailUrl, RouteView route) {

	public static JobView of(Job job) {
		String self = "/api/v1/jobs/" + job.id();
		Map<String, String> links = new LinkedHashMap<>();
		links.put("self", self);
		links.put("events", self + "/events");
		StoredContent stored = job.content();
		ContentView content = null;
		String thumbnailUrl = null;
		if (stored != null && job.status() == JobStatus.COMPLETED) {
			links.put("content", self + "/content");
			content = new ContentView(stored.contentType(), stored.length(), stored.sha256());
			if (stored.thumbnail() != null) {
				thumbnailUrl = self + "/thumbnail";
				links.put("thumbnail", thumbnailUrl);
			}
		}
		JobCost cost = job.cost();
		Money estimated = (cost != null) ? Money.of(cost.estimated(), cost.currency()) : null;
		Money actual = (cost != null && cost.actual() != null) ? Money.of(cost.actual(), cost.currency()) : null;
		return new JobView(job.id(), job.status(), job.progress(), job.model(), job.provider(), job.prompt(),
				job.parameters(), job.priority(), job.notBefore(), job.statusReason(), job.remoteId(),
				job.providerRequestId(), job.error(), content, job.providerUsage(), job.createdAt(), job.updatedAt(),
				job.completedAt(), estimated, actual, links, thumbnailUrl,
				new RouteView(job.provider(), (job.routeCost() != null && cost != null)
						? Money.of(job.routeCost(), cost.currency()) : null, job.routeAttempts()));
	}

	/**
	 * The route the job is on: the provider instance serving it (once accepted, the one that did), what the job costs
	 * there, and the creates sent through each route (more than one route: the first refused it before accepting).
	 */
	public record RouteView(String provider, @Nullable Money price, Map<String, Integer> attempts) {
	}

	/** What a client needs to know about the stored video before downloading it. */
	public record ContentView(String contentType, long length, String sha256) {
	}

}
