package dev.reelay.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.reelay.job.Job;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import dev.reelay.tenant.CallerTenant;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.transaction.reactive.TransactionalOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's aggregates and the claim order on a real PostgreSQL. Each test writes inside a transaction it
 * rolls back, so dispatchers of other test contexts on the same database never see (or move) its jobs.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "reelay.dispatch.enabled=false")
class JobStatisticsTests {

	@Autowired
	private JobStore store;

	@Autowired
	private JobStatistics statistics;

	@Autowired
	private TransactionalOperator tx;

	@Test
	void loadCountsQueuedAndInFlightJobsPerProvider() {
		String provider = "stats-" + UUID.randomUUID();
		Mono<Map<String, JobStatistics.ProviderLoad>> load = create(provider, 0)
			.then(create(provider, 0))
			.then(create(provider, 0).flatMap((job) -> this.store.change(job,
					(c) -> c.status = JobStatus.SUBMITTING, false)))
			.then(create(provider, 0).flatMap((job) -> this.store.cancel(job.id())))
			.thenMany(this.statistics.loadByProvider(CallerTenant.LOCAL))
			.collectMap(JobStatistics.ProviderLoad::provider, Function.identity());
		StepVerifier.create(rolledBack(load))
			.assertNext((byProvider) -> assertThat(byProvider.get(provider))
				.isEqualTo(new JobStatistics.ProviderLoad(provider, 2, 1)))
			.verifyComplete();
	}

	@Test
	void aSubmitRefusedWith429CountsAsARecentRateLimit() {
		String provider = "limited-" + UUID.randomUUID();
		Instant since = Instant.now().minusSeconds(60);
		Mono<Map<String, Long>> refused = create(provider, 0)
			.flatMap((job) -> this.store.change(job, (c) -> c.status = JobStatus.SUBMITTING, false))
			// What the dispatcher writes when the provider answers 429 to a submit.
			.flatMap((job) -> this.store.change(job, (c) -> {
				c.status = JobStatus.QUEUED;
				c.statusReason = "waiting for rate limit at " + provider;
			}, true))
			.flatMap((job) -> this.store.change(job, (c) -> c.status = JobStatus.SUBMITTING, false))
			// A submit whose outcome is unknown is not a 429.
			.flatMap((job) -> this.store.change(job, (c) -> c.statusReason = "checking whether it was received", true))
			.then(create(provider, 0))
			.thenMany(this.statistics.rateLimitedSince(CallerTenant.LOCAL, since))
			.collectMap(JobStatistics.ProviderRateLimits::provider, JobStatistics.ProviderRateLimits::refused);
		StepVerifier.create(rolledBack(refused))
			.assertNext((byProvider) -> assertThat(byProvider).containsEntry(provider, 1L))
			.verifyComplete();
	}

	@Test
	void jobsCreatedAreCountedInTheirBucketByTheirStatusNow() {
		Instant from = Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
		Mono<List<Map<JobStatus, Long>>> counts = totals(from)
			.flatMap((before) -> create("activity", 0)
				.then(create("activity", 0).flatMap((job) -> this.store.cancel(job.id())))
				.then(totals(from))
				.map((after) -> List.of(before, after)));
		StepVerifier.create(rolledBack(counts)).assertNext((beforeAndAfter) -> {
			Map<JobStatus, Long> before = beforeAndAfter.get(0);
			Map<JobStatus, Long> after = beforeAndAfter.get(1);
			long added = after.values().stream().mapToLong(Long::longValue).sum()
					- before.values().stream().mapToLong(Long::longValue).sum();
			assertThat(added).isEqualTo(2);
			assertThat(after.getOrDefault(JobStatus.CANCELED, 0L)).isGreaterThan(before.getOrDefault(JobStatus.CANCELED, 0L));
		}).verifyComplete();
		StepVerifier.create(this.statistics.createdSince(CallerTenant.LOCAL, from, Duration.ofMinutes(1)).map(JobStatistics.StatusCount::bucket))
			.thenConsumeWhile((bucket) -> !bucket.isBefore(from) && bucket.getEpochSecond() % 60 == from.getEpochSecond() % 60)
			.verifyComplete();
	}

	private Mono<Map<JobStatus, Long>> totals(Instant from) {
		return this.statistics.createdSince(CallerTenant.LOCAL, from, Duration.ofMinutes(1))
			.collect(Collectors.groupingBy(JobStatistics.StatusCount::status,
					Collectors.summingLong(JobStatistics.StatusCount::jobs)));
	}

	private Mono<Job> create(String provider, int priority) {
		return this.store.create(new NewJob("sim-video", provider, "statistics " + provider,
				new JobParameters(4, "16:9", "720p", null, null), priority, null));
	}

	private <T> Mono<T> rolledBack(Mono<T> work) {
		return this.tx.execute((status) -> {
			status.setRollbackOnly();
			return work;
		}).single();
	}

}
