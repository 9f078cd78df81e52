package dev.reelay.job;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-tenant queued counts that V190's triggers keep, and the queued quota checks instead of counting the queue,
 * follow the jobs table through every kind of write: new jobs, jobs leaving the queue and coming back, several
 * tenants' jobs changed by one statement, rows deleted. Real PostgreSQL; each test has its own tenants.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "reelay.dispatch.enabled=false")
class QueuedCountTests {

	private static final Duration WAIT = Duration.ofSeconds(60);

	private static final JobParameters PARAMETERS = new JobParameters(4, "16:9", "720p", null, null);

	@Autowired
	private JobStore store;

	@Autowired
	private DatabaseClient db;

	@Test
	void theCountFollowsJobsIntoAndOutOfTheQueue() {
		UUID tenant = tenant();
		List<Job> jobs = Flux.range(0, 12)
			.flatMap((i) -> this.store.create(job(tenant, "counted " + i)).subscribeOn(Schedulers.parallel()))
			.collectList()
			.block(WAIT);
		assertCounted(tenant, 12);

		this.store.cancel(tenant, jobs.get(0).id()).block(WAIT);
		Job submitting = this.store.change(jobs.get(1), (c) -> c.status = JobStatus.SUBMITTING, false).block(WAIT);
		assertCounted(tenant, 10);

		// Back in the queue, as a job that waits for a rate limit goes.
		this.store.change(submitting, (c) -> c.status = JobStatus.QUEUED, false).block(WAIT);
		assertCounted(tenant, 11);

		this.db.sql("WITH events AS (DELETE FROM job_events WHERE job_id = ANY(:ids)) DELETE FROM jobs WHERE id = ANY(:ids)")
			.bind("ids", new UUID[] { jobs.get(2).id(), jobs.get(3).id(), jobs.get(0).id() })
			.then()
			.block(WAIT);
		assertCounted(tenant, 9);
	}

	@Test
	void oneStatementChangingSeveralTenantsJobsCountsEachTenant() {
		UUID first = tenant();
		UUID second = tenant();
		List<Job> jobs = Flux.concat(Flux.range(0, 4).concatMap((i) -> this.store.create(job(first, "first " + i))),
				Flux.range(0, 3).concatMap((i) -> this.store.create(job(second, "second " + i))))
			.collectList()
			.block(WAIT);

		this.db.sql("UPDATE jobs SET status = 'canceled', completed_at = now() WHERE id = ANY(:ids)")
			.bind("ids", new UUID[] { jobs.get(0).id(), jobs.get(1).id(), jobs.get(4).id() })
			.then()
			.block(WAIT);

		assertCounted(first, 2);
		assertCounted(second, 2);
	}

	/** What the quota reads equals what counting the queue gives. */
	private void assertCounted(UUID tenant, long queued) {
		long counted = this.db.sql("SELECT count(*) AS n FROM jobs WHERE tenant_id = :t AND status = 'queued'")
			.bind("t", tenant)
			.map((row) -> row.get("n", Long.class))
			.one()
			.block(WAIT);
		long kept = this.db.sql("SELECT coalesce(sum(queued), 0)::bigint AS n FROM tenant_queued_jobs WHERE tenant_id = :t")
			.bind("t", tenant)
			.map((row) -> row.get("n", Long.class))
			.one()
			.block(WAIT);
		assertThat(counted).isEqualTo(queued);
		assertThat(kept).isEqualTo(queued);
	}

	private static NewJob job(UUID tenant, String prompt) {
		return new NewJob(tenant, "sim-video", "simulator", prompt, PARAMETERS, 0, null, null);
	}

	private UUID tenant() {
		UUID id = UUID.randomUUID();
		this.db.sql("INSERT INTO tenants (id, name) VALUES (:id, :name)")
			.bind("id", id)
			.bind("name", "queued-count-" + id)
			.then()
			.block(WAIT);
		return id;
	}

}
