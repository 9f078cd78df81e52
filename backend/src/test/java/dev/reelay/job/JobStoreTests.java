package dev.reelay.job;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import dev.reelay.tenant.CallerTenant;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Jobs and their events on a real PostgreSQL: one transaction per change, versions, leases. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "reelay.dispatch.enabled=false")
class JobStoreTests {

	@Autowired
	private JobStore store;

	@Autowired
	private JobQueue queue;

	@Autowired
	private JobEventLog log;

	@Autowired
	private DatabaseClient db;

	@Test
	void createStoresTheJobAndItsQueuedEvent() {
		Job job = create("store-create");
		assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
		assertThat(job.version()).isZero();
		StepVerifier.create(this.log.forJobAfter(job.id(), 0))
			.assertNext((event) -> {
				assertThat(event.type()).isEqualTo(JobEventType.QUEUED);
				assertThat(event.payload()).contains("\"status\":\"queued\"").contains(job.id().toString());
			})
			.verifyComplete();
	}

	@Test
	void aChangeBumpsTheVersionAndAppendsOneEvent() {
		Job job = create("store-change");
		Job submitting = this.store.change(job, (c) -> c.status = JobStatus.SUBMITTING, false).block();
		Job progressed = this.store.change(submitting, (c) -> {
			c.status = JobStatus.IN_PROGRESS;
			c.progress = 40;
		}, true).block();
		assertThat(progressed.version()).isEqualTo(2);
		assertThat(progressed.progress()).isEqualTo(40);
		StepVerifier.create(this.log.forJobAfter(job.id(), 0).map(JobEvent::type))
			.expectNext(JobEventType.QUEUED, JobEventType.PROGRESS, JobEventType.PROGRESS)
			.verifyComplete();
	}

	@Test
	void progressNeverGoesDown() {
		Job job = create("store-progress");
		Job at60 = this.store.change(job, (c) -> {
			c.status = JobStatus.SUBMITTING;
		}, false).flatMap((j) -> this.store.change(j, (c) -> {
			c.status = JobStatus.IN_PROGRESS;
			c.progress = 60;
		}, false)).block();
		Job after = this.store.change(at60, (c) -> c.progress = 30, false).block();
		assertThat(after.progress()).isEqualTo(60);
	}

	@Test
	void aStaleWriterLosesAndWritesNothing() {
		Job job = create("store-stale");
		this.store.change(job, (c) -> c.status = JobStatus.SUBMITTING, false).block();
		StepVerifier.create(this.store.change(job, (c) -> c.status = JobStatus.CANCELED, true))
			.expectError(OptimisticLockingFailureException.class)
			.verify(Duration.ofSeconds(5));
		assertThat(eventCount(job.id())).isEqualTo(2);
	}

	@Test
	void aForbiddenTransitionIsRefusedAndNothingIsWritten() {
		Job job = create("store-forbidden");
		StepVerifier.create(this.store.change(job, (c) -> c.status = JobStatus.COMPLETED, true))
			.expectError(IllegalStateException.class)
			.verify(Duration.ofSeconds(5));
		assertThat(this.store.find(job.id()).block().status()).isEqualTo(JobStatus.QUEUED);
		assertThat(eventCount(job.id())).isEqualTo(1);
	}

	@Test
	void aProvidersIdBelongsToOneJobOnly() {
		String remoteId = "video_" + UUID.randomUUID();
		Job holder = this.store.change(create("store-remote-a"), (c) -> c.status = JobStatus.SUBMITTING, false)
			.flatMap((j) -> this.store.change(j, (c) -> {
				c.status = JobStatus.SUBMITTED;
				c.remoteId = remoteId;
			}, true))
			.block();
		Job other = this.store.change(create("store-remote-b"), (c) -> c.status = JobStatus.SUBMITTING, false).block();
		StepVerifier.create(this.store.change(other, (c) -> {
			c.status = JobStatus.SUBMITTED;
			c.remoteId = remoteId;
		}, true)).expectError(DataIntegrityViolationException.class).verify(Duration.ofSeconds(5));
		assertThat(this.store.find(other.id()).block().remoteId()).isNull();
		assertThat(this.queue.remoteIdsHeldByOthers(holder.provider(), List.of(remoteId, "video_none"), other.id())
			.collectList()
			.block()).containsExactly(remoteId);
	}

	@Test
	void anEndedJobTakesALateRemoteIdOnceAndKeepsItsStatus() {
		Job canceled = this.store.change(create("store-late-id"), (c) -> c.status = JobStatus.SUBMITTING, false)
			.flatMap((j) -> this.store.cancel(j.id()))
			.block();
		String remoteId = "video_" + UUID.randomUUID();
		Job recorded = this.store.recordRemoteIdAfterEnd(canceled, remoteId).block();
		assertThat(recorded.status()).isEqualTo(JobStatus.CANCELED);
		assertThat(recorded.remoteId()).isEqualTo(remoteId);
		assertThat(recorded.version()).isEqualTo(canceled.version() + 1);
		StepVerifier.create(this.store.recordRemoteIdAfterEnd(canceled, "video_other"))
			.expectError(OptimisticLockingFailureException.class)
			.verify(Duration.ofSeconds(5));
		StepVerifier.create(this.store.recordRemoteIdAfterEnd(recorded, "video_other"))
			.expectError(IllegalStateException.class)
			.verify(Duration.ofSeconds(5));
	}

	@Test
	void cancelEndsAnActiveJobAndLeavesAFinishedOneAlone() {
		Job job = create("store-cancel");
		Job canceled = this.store.cancel(job.id()).block();
		assertThat(canceled.status()).isEqualTo(JobStatus.CANCELED);
		assertThat(canceled.completedAt()).isNotNull();
		assertThat(this.store.cancel(job.id()).block().version()).isEqualTo(canceled.version());
	}

	@Test
	void listPagesNewestFirstWithACursor() {
		String tag = "page-" + UUID.randomUUID();
		List<Job> created = Flux.range(0, 5).concatMap((i) -> this.store.create(newJob(tag + "-" + i))).collectList().block();
		JobPage first = this.store.list(CallerTenant.LOCAL, Set.of(JobStatus.QUEUED), null, 100).block();
		List<String> prompts = first.data().stream().map(JobView::prompt).filter((p) -> p.startsWith(tag)).toList();
		assertThat(prompts).containsExactly(tag + "-4", tag + "-3", tag + "-2", tag + "-1", tag + "-0");
		JobPage two = this.store.list(CallerTenant.LOCAL, null, null, 2).block();
		assertThat(two.data()).hasSize(2);
		assertThat(two.nextCursor()).isNotNull();
		JobPage next = this.store.list(CallerTenant.LOCAL, null, two.nextCursor(), 2).block();
		assertThat(next.data()).extracting(JobView::id).doesNotContainAnyElementsOf(
				two.data().stream().map(JobView::id).toList());
		assertThat(created).hasSize(5);
	}

	@Test
	void twoClaimsNeverLeaseTheSameJob() {
		String provider = "claims-" + UUID.randomUUID();
		for (int i = 0; i < 6; i++) {
			this.store.create(new NewJob("sim-video", provider, "claim-" + i, PARAMETERS)).block();
		}
		Instant now = Instant.now();
		List<Job> first = this.queue.claimQueued(provider, null, Set.of(), "instance-a", now, Duration.ofMinutes(1), 3)
			.collectList()
			.block();
		List<Job> second = this.queue.claimQueued(provider, null, Set.of(), "instance-b", now, Duration.ofMinutes(1), 100)
			.collectList()
			.block();
		assertThat(first).hasSize(3).allSatisfy((job) -> assertThat(job.leaseOwner()).isEqualTo("instance-a"));
		assertThat(second).hasSize(3).extracting(Job::id)
			.doesNotContainAnyElementsOf(first.stream().map(Job::id).toList());
		assertThat(this.queue.countInFlight(provider, null, now).block()).isEqualTo(6);
		// Once the leases lapse, the jobs can be claimed again (their holder died).
		assertThat(this.queue.claimQueued(provider, null, Set.of(), "instance-c", now.plus(Duration.ofMinutes(2)),
				Duration.ofMinutes(1), 100).collectList().block()).hasSize(6);
	}

	@Test
	void claimsTakeHigherPriorityFirstThenOldestFirstAndWaitForNotBefore() {
		String provider = "priority-" + UUID.randomUUID();
		Instant now = Instant.now();
		Job low = this.store.create(new NewJob("sim-video", provider, "low", PARAMETERS, 0, null)).block();
		Job high = this.store.create(new NewJob("sim-video", provider, "high", PARAMETERS, 5, null)).block();
		Job lowLater = this.store.create(new NewJob("sim-video", provider, "low later", PARAMETERS, 0, null)).block();
		Job scheduled = this.store.create(new NewJob("sim-video", provider, "tonight", PARAMETERS, 9,
				now.plus(Duration.ofHours(6)))).block();
		assertThat(scheduled.statusReason()).startsWith("scheduled for");
		List<UUID> order = Flux.range(0, 4)
			.concatMap((i) -> this.queue.claimQueued(provider, null, Set.of(), "me", now.plusSeconds(1),
					Duration.ofHours(1), 1))
			.map(Job::id)
			.collectList()
			.block();
		assertThat(order).containsExactly(high.id(), low.id(), lowLater.id());
		// Past its not_before the scheduled job is due, and its priority puts it ahead of anything else queued.
		this.store.create(new NewJob("sim-video", provider, "low, after", PARAMETERS, 0, null)).block();
		assertThat(this.queue.claimQueued(provider, null, Set.of(), "me", now.plus(Duration.ofHours(7)),
				Duration.ofMinutes(1), 1).map(Job::id).collectList().block()).containsExactly(scheduled.id());
	}

	private Job create(String prompt) {
		return this.store.create(newJob(prompt)).block();
	}

	private static final JobParameters PARAMETERS = new JobParameters(4, "16:9", "720p", null, null);

	private static NewJob newJob(String prompt) {
		return new NewJob("sim-video", "store-tests", prompt, PARAMETERS);
	}

	private long eventCount(UUID jobId) {
		return this.db.sql("SELECT count(*) AS n FROM job_events WHERE job_id = :id")
			.bind("id", jobId)
			.map((row) -> row.get("n", Long.class))
			.one()
			.block();
	}

}
