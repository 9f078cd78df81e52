package dev.reelay.job;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Claims take turns across tenants on a real PostgreSQL: a tenant with a deep backlog does not make another wait
 * behind it, priority still orders each tenant's own jobs, and no tenant gets more than its in-flight quota. Each
 * test queues for a provider of its own, which no dispatcher of any test context serves.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = { "reelay.dispatch.enabled=false", "reelay.quotas.max-in-flight-jobs=3" })
class FairClaimTests {

	private static final JobParameters PARAMETERS = new JobParameters(4, "16:9", "720p", null, null);

	private static final Duration LEASE = Duration.ofMinutes(5);

	@Autowired
	private JobStore store;

	@Autowired
	private JobQueue queue;

	@Autowired
	private DatabaseClient db;

	@Test
	void aSecondTenantsJobIsInTheFirstClaimAfterItWasQueuedBehindTwoThousandOfAnother() {
		String provider = "fair-" + UUID.randomUUID();
		UUID a = tenant("backlog A");
		UUID b = tenant("newcomer B");
		this.store.createBatch(IntStream.range(0, 2000)
			.mapToObj((i) -> new NewJob(a, "sim-video", provider, "A's job " + i, PARAMETERS, 0, null, null))
			.toList(), null).block();
		// The dispatcher is working through A's backlog: two of A's jobs are claimed before B comes.
		assertThat(claim(provider, "earlier", Instant.now(), 2)).extracting(Job::tenantId).containsOnly(a);
		Job newcomer = this.store.create(new NewJob(b, "sim-video", provider, "B's only job", PARAMETERS, 0, null, null))
			.block();

		// The very next claim, even of a single job, is B's, though 1,998 of A's jobs are older.
		List<Job> claimed = claim(provider, "claimer", Instant.now(), 1);

		assertThat(claimed).extracting(Job::id).containsExactly(newcomer.id());
		assertThat(claim(provider, "after", Instant.now(), 1)).extracting(Job::tenantId).containsOnly(a);
	}

	@Test
	void tenantsTakeTurnsAndEachTenantsJobsKeepTheirPriorityOrder() {
		String provider = "turns-" + UUID.randomUUID();
		UUID a = tenant("turns A");
		UUID b = tenant("turns B");
		Job aFirst = create(a, provider, "A first", 0);
		Job aSecond = create(a, provider, "A second", 0);
		Job bLow = create(b, provider, "B low", 0);
		Job aUrgent = create(a, provider, "A urgent", 9);
		Job bHigh = create(b, provider, "B high", 5);
		Instant now = Instant.now();

		// One job per turn and tenant; within a turn, the higher priority goes first.
		List<UUID> order = List.of(claim(provider, "one", now, 1), claim(provider, "two", now, 1),
				claim(provider, "three", now, 1), claim(provider, "four", now, 1), claim(provider, "five", now, 1))
			.stream()
			.map((jobs) -> jobs.get(0).id())
			.toList();
		assertThat(order).containsExactly(aUrgent.id(), bHigh.id(), aFirst.id(), bLow.id(), aSecond.id());
	}

	@Test
	void aTenantNeverGetsMoreThanItsInFlightQuota() {
		String provider = "in-flight-" + UUID.randomUUID();
		UUID busy = tenant("busy tenant");
		UUID other = tenant("other tenant");
		IntStream.range(0, 8).forEach((i) -> create(busy, provider, "busy " + i, 0));
		create(other, provider, "other 0", 0);
		create(other, provider, "other 1", 0);
		Instant now = Instant.now();

		// The quota is 3: the busy tenant's claim stops there, the other tenant's jobs are not held back by it.
		List<Job> first = claim(provider, "first", now, 100);
		assertThat(first).filteredOn((job) -> job.tenantId().equals(busy)).hasSize(3);
		assertThat(first).filteredOn((job) -> job.tenantId().equals(other)).hasSize(2);
		// Claimed (leased, about to be submitted) counts as in flight, and so does a job at the provider.
		Job submitted = first.stream().filter((job) -> job.tenantId().equals(busy)).findFirst().orElseThrow();
		Job atProvider = this.store.change(submitted, (c) -> c.status = JobStatus.SUBMITTING, true).block();
		assertThat(claim(provider, "second", now, 100)).isEmpty();

		// A job that ends frees one place, and only one.
		this.store.change(atProvider, (c) -> c.status = JobStatus.FAILED, true).block();
		List<Job> third = claim(provider, "third", now, 100);
		assertThat(third).hasSize(1).allSatisfy((job) -> assertThat(job.tenantId()).isEqualTo(busy));
		assertThat(claim(provider, "fourth", now, 100)).isEmpty();

		// Leases that lapsed (their claimer died) are not in flight: those jobs are claimable again, within the quota.
		List<Job> later = claim(provider, "later", now.plus(LEASE).plusSeconds(1), 100);
		assertThat(later).filteredOn((job) -> job.tenantId().equals(busy)).hasSize(3);
	}

	private List<Job> claim(String provider, String owner, Instant now, int limit) {
		return this.queue.claimQueued(provider, null, Set.of(), owner, now, LEASE, limit).collectList().block();
	}

	private Job create(UUID tenant, String provider, String prompt, int priority) {
		return this.store.create(new NewJob(tenant, "sim-video", provider, prompt, PARAMETERS, priority, null, null))
			.block();
	}

	private UUID tenant(String name) {
		UUID id = UUID.randomUUID();
		this.db.sql("INSERT INTO tenants (id, name) VALUES (:id, :name)").bind("id", id).bind("name", name)
			.then()
			.block();
		return id;
	}

}
