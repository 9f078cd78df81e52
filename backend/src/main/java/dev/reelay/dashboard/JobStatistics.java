package dev.reelay.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import dev.reelay.job.JobStatus;
import reactor.core.publisher.Flux;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/** Read-only aggregates over jobs and their events for dashboards; never locks or writes. */
@Component
public class JobStatistics {

	/**
	 * The reason the dispatcher writes when a provider answers 429 to a submit and the job goes back to the queue
	 * (see {@code dispatch.SubmitStep}): each such change is one {@code job.queued} event carrying it.
	 */
	static final String RATE_LIMITED_REASON = "waiting for rate limit at %";

	private final DatabaseClient db;

	JobStatistics(DatabaseClient db) {
		this.db = db;
	}

	/**
	 * {@code tenant}'s unfinished jobs per provider instance: how many wait in the queue and how many the provider
	 * has.
	 */
	public Flux<ProviderLoad> loadByProvider(UUID tenant) {
		return this.db.sql("SELECT provider, count(*) FILTER (WHERE status = 'queued') AS queued, "
				+ "count(*) FILTER (WHERE status <> 'queued') AS in_flight FROM jobs "
				+ "WHERE tenant_id = :tenant AND status NOT IN ('completed', 'failed', 'canceled') GROUP BY provider")
			.bind("tenant", tenant)
			.map((row) -> new ProviderLoad(row.get("provider", String.class), row.get("queued", Long.class),
					row.get("in_flight", Long.class)))
			.all();
	}

	/** Submits of {@code tenant}'s jobs refused with 429 since {@code since}, per provider instance. */
	public Flux<ProviderRateLimits> rateLimitedSince(UUID tenant, Instant since) {
		return this.db.sql("SELECT j.provider, count(*) AS refused FROM job_events e JOIN jobs j ON j.id = e.job_id "
				+ "WHERE j.tenant_id = :tenant AND e.type = 'job.queued' AND e.created_at >= :since "
				+ "AND e.payload ->> 'status_reason' LIKE :reason GROUP BY j.provider")
			.bind("tenant", tenant)
			.bind("since", since)
			.bind("reason", RATE_LIMITED_REASON)
			.map((row) -> new ProviderRateLimits(row.get("provider", String.class), row.get("refused", Long.class)))
			.all();
	}

	/**
	 * {@code tenant}'s jobs created since {@code from}, counted per time bucket (aligned to {@code from}) and by the
	 * status they are in now.
	 */
	public Flux<StatusCount> createdSince(UUID tenant, Instant from, Duration bucket) {
		return this.db.sql("SELECT date_bin(make_interval(secs => :bucket), created_at, :from) AS bucket, status, "
				+ "count(*) AS jobs FROM jobs WHERE tenant_id = :tenant AND created_at >= :from GROUP BY 1, 2 ORDER BY 1, 2")
			.bind("tenant", tenant)
			.bind("bucket", bucket.toMillis() / 1000.0)
			.bind("from", from)
			.map((row) -> new StatusCount(row.get("bucket", Instant.class),
					JobStatus.fromValue(row.get("status", String.class)), row.get("jobs", Long.class)))
			.all();
	}

	public record ProviderLoad(String provider, long queued, long inFlight) {
	}

	public record ProviderRateLimits(String provider, long refused) {
	}

	public record StatusCount(Instant bucket, JobStatus status, long jobs) {
	}

}
