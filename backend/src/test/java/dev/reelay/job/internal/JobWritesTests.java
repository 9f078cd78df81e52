package dev.reelay.job.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

import dev.reelay.job.Job;
import dev.reelay.job.JobEventLog;
import dev.reelay.job.JobEventType;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.job.JobView;
import dev.reelay.job.NewJob;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Group commit on a real PostgreSQL. Each test holds the writer's only transaction slot on a job whose row another
 * transaction has locked, queues the changes under test behind it, then lets go: the queued changes are then
 * written as batches whose make-up the test knows.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "reelay.dispatch.enabled=false")
class JobWritesTests {

	private static final JobParameters PARAMETERS = new JobParameters(4, "16:9", "720p", null, null);

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@Autowired
	private JobStore store;

	@Autowired
	private JobRepository repository;

	@Autowired
	private JobRows rows;

	@Autowired
	private TransactionalOperator tx;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private JobEventLog log;

	@Autowired
	private JsonMapper json;

	@Test
	void changesQueuedTogetherShareOneTransactionAndEachGetsItsOwnEventInOrder() {
		JobWrites writes = writes(128, 4096);
		List<Job> jobs = create(5);
		List<Mono<JobWrites.Written>> queued = new ArrayList<>();
		Runnable release = holdSlot(writes);
		for (Job job : jobs) {
			queued.add(writes.write(submitting(job)).cache());
		}
		queued.forEach(Mono::subscribe);
		assertThat(writes.waiting()).isEqualTo(5);
		release.run();

		List<JobWrites.Written> written = Flux.concat(queued).collectList().block(TIMEOUT);
		assertThat(written).extracting((w) -> w.job().id()).containsExactlyElementsOf(ids(jobs));
		assertThat(written).allSatisfy((w) -> {
			assertThat(w.job().status()).isEqualTo(JobStatus.SUBMITTING);
			assertThat(w.job().version()).isEqualTo(1);
			assertThat(w.notice()).isNotNull();
			assertThat(w.notice().jobId()).isEqualTo(w.job().id());
			assertThat(w.notice().type()).isEqualTo(JobEventType.PROGRESS);
		});
		// One transaction wrote every row; the event ids follow the order the changes arrived in.
		assertThat(transactionsThatWrote(jobs)).isEqualTo(1);
		List<Long> eventIds = written.stream().map((w) -> w.notice().eventId()).toList();
		assertThat(eventIds).isSorted().doesNotHaveDuplicates();
		assertThat(eventIds).containsExactlyElementsOf(newestEventIds(jobs));
		// Each event, made before its statement ran, shows the job exactly as the statement stored it.
		for (Job job : jobs) {
			Job stored = this.store.find(job.id()).block(TIMEOUT);
			assertThat(this.log.latestForJob(job.id()).block(TIMEOUT).payload())
				.isEqualTo(this.json.writeValueAsString(JobView.of(stored)));
		}
	}

	@Test
	void aChangeThatEndsAJobCompletesItAndReleasesItsLease() {
		JobWrites writes = writes(128, 4096);
		Job job = create(1).get(0);
		JobWrites.Written written = writes.write(canceled(job)).block(TIMEOUT);
		assertThat(written.job().completedAt()).isEqualTo(written.job().updatedAt());
		assertThat(written.job().leaseOwner()).isNull();
		assertThat(this.log.latestForJob(job.id()).block(TIMEOUT).payload())
			.isEqualTo(this.json.writeValueAsString(JobView.of(written.job())));
	}

	@Test
	void aVersionConflictFailsOnlyThatChange() {
		JobWrites writes = writes(128, 4096);
		List<Job> jobs = create(3);
		Job moved = this.store.change(jobs.get(1), (c) -> c.status = JobStatus.SUBMITTING, false).block(TIMEOUT);
		Runnable release = holdSlot(writes);
		// jobs.get(1) is stale: the row is at version 1 now.
		List<Mono<JobWrites.Written>> queued = jobs.stream().map((job) -> writes.write(canceled(job)).cache()).toList();
		queued.forEach((write) -> write.subscribe((ok) -> {
		}, (error) -> {
		}));
		release.run();

		StepVerifier.create(queued.get(0)).assertNext((w) -> assertThat(w.job().status()).isEqualTo(JobStatus.CANCELED))
			.verifyComplete();
		StepVerifier.create(queued.get(1)).expectError(OptimisticLockingFailureException.class).verify(TIMEOUT);
		StepVerifier.create(queued.get(2)).assertNext((w) -> assertThat(w.job().status()).isEqualTo(JobStatus.CANCELED))
			.verifyComplete();
		Job stale = this.store.find(moved.id()).block(TIMEOUT);
		assertThat(stale.status()).isEqualTo(JobStatus.SUBMITTING);
		assertThat(stale.version()).isEqualTo(moved.version());
		assertThat(eventCount(moved.id())).isEqualTo(2);
		assertThat(eventCount(jobs.get(0).id())).isEqualTo(2);
	}

	@Test
	void twoChangesOfOneJobGoInSuccessiveBatchesAndTheSecondMeetsTheFirstsVersion() {
		JobWrites writes = writes(128, 4096);
		Job job = create(1).get(0);
		Runnable release = holdSlot(writes);
		Mono<JobWrites.Written> first = writes.write(submitting(job)).cache();
		Mono<JobWrites.Written> second = writes.write(canceled(job)).cache();
		first.subscribe();
		second.subscribe((ok) -> {
		}, (error) -> {
		});
		release.run();

		StepVerifier.create(first).assertNext((w) -> assertThat(w.job().version()).isEqualTo(1)).verifyComplete();
		StepVerifier.create(second).expectError(OptimisticLockingFailureException.class).verify(TIMEOUT);
		assertThat(this.store.find(job.id()).block(TIMEOUT).status()).isEqualTo(JobStatus.SUBMITTING);
		assertThat(eventCount(job.id())).isEqualTo(2);
	}

	@Test
	void aChangeTheDatabaseRefusesFailsAloneWhileTheRestOfItsBatchIsWritten() {
		JobWrites writes = writes(128, 4096);
		List<Job> jobs = create(3);
		Runnable release = holdSlot(writes);
		List<JobChange> changes = List.of(submitting(jobs.get(0)),
				// progress is 0..100 in the table: this one breaks the whole multi-row statement.
				change(jobs.get(1), (c) -> c.progress = 150, JobEventType.PROGRESS), submitting(jobs.get(2)));
		List<Mono<JobWrites.Written>> queued = changes.stream().map((c) -> writes.write(c).cache()).toList();
		queued.forEach((write) -> write.subscribe((ok) -> {
		}, (error) -> {
		}));
		release.run();

		StepVerifier.create(queued.get(0)).expectNextCount(1).verifyComplete();
		StepVerifier.create(queued.get(1)).expectError(DataIntegrityViolationException.class).verify(TIMEOUT);
		StepVerifier.create(queued.get(2)).expectNextCount(1).verifyComplete();
		assertThat(this.store.find(jobs.get(1).id()).block(TIMEOUT).version()).isZero();
		assertThat(eventCount(jobs.get(1).id())).isEqualTo(1);
		assertThat(this.store.find(jobs.get(2).id()).block(TIMEOUT).status()).isEqualTo(JobStatus.SUBMITTING);
	}

	@Test
	void batchesHoldAtMostBatchSizeChanges() {
		JobWrites writes = writes(2, 4096);
		List<Job> jobs = create(5);
		Runnable release = holdSlot(writes);
		List<Mono<JobWrites.Written>> queued = jobs.stream().map((job) -> writes.write(submitting(job)).cache()).toList();
		queued.forEach(Mono::subscribe);
		release.run();
		Flux.concat(queued).blockLast(TIMEOUT);
		assertThat(transactionsThatWrote(jobs)).isEqualTo(3);
	}

	@Test
	void aChangeBeyondCapacityIsRefusedAtOnceAndTheQueuedOnesAreStillWritten() {
		JobWrites writes = writes(2, 2);
		List<Job> jobs = create(3);
		Runnable release = holdSlot(writes);
		Mono<JobWrites.Written> first = writes.write(submitting(jobs.get(0))).cache();
		Mono<JobWrites.Written> second = writes.write(submitting(jobs.get(1))).cache();
		first.subscribe();
		second.subscribe();
		StepVerifier.create(writes.write(submitting(jobs.get(2))))
			.expectError(TransientDataAccessResourceException.class)
			.verify(TIMEOUT);
		assertThat(writes.waiting()).isEqualTo(2);
		release.run();

		StepVerifier.create(Flux.concat(first, second)).expectNextCount(2).verifyComplete();
		assertThat(this.store.find(jobs.get(2).id()).block(TIMEOUT).version()).isZero();
		assertThat(writes.waiting()).isZero();
	}

	@Test
	void aChangeThatMustNotBeRefusedIsQueuedBeyondCapacity() {
		JobWrites writes = writes(1, 1);
		List<Job> jobs = create(3);
		Runnable release = holdSlot(writes);
		Mono<JobWrites.Written> first = writes.write(submitting(jobs.get(0))).cache();
		first.subscribe();
		StepVerifier.create(writes.write(submitting(jobs.get(1))))
			.expectError(TransientDataAccessResourceException.class)
			.verify(TIMEOUT);
		// A remote id's write: refused, the generation would be lost.
		Mono<JobWrites.Written> recordsId = writes.write(submitting(jobs.get(2)), true).cache();
		recordsId.subscribe();
		assertThat(writes.waiting()).isEqualTo(2);
		release.run();

		StepVerifier.create(Flux.concat(first, recordsId)).expectNextCount(2).verifyComplete();
		assertThat(this.store.find(jobs.get(2).id()).block(TIMEOUT).version()).isEqualTo(1);
	}

	@Test
	void aCanceledWaitingChangeIsNotWritten() {
		JobWrites writes = writes(128, 4096);
		Job job = create(1).get(0);
		Runnable release = holdSlot(writes);
		Disposable waiting = writes.write(submitting(job)).subscribe();
		waiting.dispose();
		release.run();
		// A later change of the same job at the same version still succeeds: the canceled one never ran.
		StepVerifier.create(writes.write(canceled(job)))
			.assertNext((w) -> assertThat(w.job().version()).isEqualTo(1))
			.verifyComplete();
		assertThat(this.store.find(job.id()).block(TIMEOUT).status()).isEqualTo(JobStatus.CANCELED);
	}

	@Test
	void aChangeMadeInACallersTransactionRollsBackWithIt() {
		Job job = create(1).get(0);
		Mono<Job> change = this.store.change(job, (c) -> c.status = JobStatus.SUBMITTING, false);
		StepVerifier.create(this.tx.execute((status) -> {
			status.setRollbackOnly();
			return change;
		}).single()).assertNext((changed) -> assertThat(changed.version()).isEqualTo(1)).verifyComplete();
		assertThat(this.store.find(job.id()).block(TIMEOUT).version()).isZero();
		assertThat(eventCount(job.id())).isEqualTo(1);
	}

	@Test
	void aBatchOfSubmissionsIsStoredInOrderWithItsEventsInOrder() {
		List<NewJob> requests = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			requests.add(new NewJob("sim-video", "writes-tests", "batch " + i, PARAMETERS));
		}
		List<Job> jobs = this.store.createBatch(requests, null).block(TIMEOUT).jobs();
		assertThat(jobs).extracting(Job::prompt).containsExactly("batch 0", "batch 1", "batch 2", "batch 3");
		assertThat(transactionsThatWrote(jobs)).isEqualTo(1);
		assertThat(newestEventIds(jobs)).isSorted().doesNotHaveDuplicates();
	}

	@Test
	void aChangeThatThrowsWhileItsStatementIsBuiltFailsItsCallerAndGivesTheSlotBack() {
		JobWrites writes = writes(128, 4096, poisonRows());
		List<Job> jobs = create(2);
		Job poison = createPoison();
		StepVerifier.create(writes.write(submitting(poison)))
			.expectErrorMessage("poisoned event")
			.verify(TIMEOUT);
		// The writer has one slot: had the throw kept it, this write would wait forever.
		StepVerifier.create(writes.write(submitting(jobs.get(0))))
			.assertNext((w) -> assertThat(w.job().version()).isEqualTo(1))
			.expectComplete()
			.verify(TIMEOUT);
		assertThat(this.store.find(poison.id()).block(TIMEOUT).version()).isZero();
	}

	@Test
	void aChangeThatThrowsWhileItsBatchIsBuiltFailsAloneWhileTheRestOfItsBatchIsWritten() {
		JobWrites writes = writes(128, 4096, poisonRows());
		List<Job> jobs = create(2);
		Job poison = createPoison();
		Runnable release = holdSlot(writes);
		List<Mono<JobWrites.Written>> queued = List.of(submitting(jobs.get(0)), submitting(poison),
				submitting(jobs.get(1))).stream().map((c) -> writes.write(c).cache()).toList();
		queued.forEach((write) -> write.subscribe((ok) -> {
		}, (error) -> {
		}));
		release.run();

		StepVerifier.create(queued.get(0)).expectNextCount(1).expectComplete()
			.verify(TIMEOUT);
		StepVerifier.create(queued.get(1)).expectErrorMessage("poisoned event").verify(TIMEOUT);
		StepVerifier.create(queued.get(2)).expectNextCount(1).expectComplete()
			.verify(TIMEOUT);
		StepVerifier.create(writes.write(canceled(this.store.find(jobs.get(0).id()).block(TIMEOUT))))
			.expectNextCount(1)
			.expectComplete()
			.verify(TIMEOUT);
		assertThat(writes.waiting()).isZero();
	}

	/** Rows whose event of a job prompted "poison" cannot be made, as when a payload cannot be serialized. */
	private JobRows poisonRows() {
		return new JobRows(this.json) {
			@Override
			public JobEventLog.NewEvent event(Job job, JobEventType type) {
				if (job.prompt().startsWith("poison")) {
					throw new IllegalStateException("poisoned event");
				}
				return super.event(job, type);
			}
		};
	}

	private Job createPoison() {
		return this.store.create(new NewJob("sim-video", "writes-tests", "poison " + UUID.randomUUID(), PARAMETERS))
			.block(TIMEOUT);
	}

	/** A writer with one transaction slot, so the make-up of its batches follows from the order of writes. */
	private JobWrites writes(int batchSize, int capacity) {
		return writes(batchSize, capacity, this.rows);
	}

	private JobWrites writes(int batchSize, int capacity, JobRows rows) {
		return new JobWrites(this.repository, rows, new JobWriteSettings(batchSize, 1, capacity),
				new SimpleMeterRegistry());
	}

	/**
	 * Occupies the writer's only slot: a change of a job whose row another transaction holds locked. Returns what
	 * lets that transaction (and so the slot) go.
	 */
	private Runnable holdSlot(JobWrites writes) {
		Job blocker = create(1).get(0);
		Sinks.Empty<Void> locked = Sinks.empty();
		Sinks.Empty<Void> unlock = Sinks.empty();
		this.db.sql("SELECT id FROM jobs WHERE id = :id FOR UPDATE")
			.bind("id", blocker.id())
			.fetch()
			.rowsUpdated()
			.then(Mono.fromRunnable(locked::tryEmitEmpty))
			.then(unlock.asMono())
			.as(this.tx::transactional)
			.subscribe();
		locked.asMono().block(TIMEOUT);
		Mono<JobWrites.Written> held = writes.write(submitting(blocker)).cache();
		held.subscribe();
		return () -> {
			unlock.tryEmitEmpty();
			held.block(TIMEOUT);
		};
	}

	private List<Job> create(int count) {
		return Flux.range(0, count)
			.concatMap((i) -> this.store.create(new NewJob("sim-video", "writes-tests", "write " + i, PARAMETERS)))
			.collectList()
			.block(TIMEOUT);
	}

	private static JobChange submitting(Job job) {
		return change(job, (c) -> c.status = JobStatus.SUBMITTING, JobEventType.PROGRESS);
	}

	private static JobChange canceled(Job job) {
		return new JobChange(job.with((c) -> c.status = JobStatus.CANCELED), true, true, JobEventType.CANCELED);
	}

	private static JobChange change(Job job, Consumer<Job.Changes> edit, JobEventType event) {
		return new JobChange(job.with(edit), false, false, event);
	}

	private static List<UUID> ids(List<Job> jobs) {
		return jobs.stream().map(Job::id).toList();
	}

	private long transactionsThatWrote(List<Job> jobs) {
		return this.db.sql("SELECT count(DISTINCT xmin::text) AS n FROM jobs WHERE id = ANY(:ids)")
			.bind("ids", ids(jobs).toArray(UUID[]::new))
			.map((row) -> row.get("n", Long.class))
			.one()
			.block(TIMEOUT);
	}

	private List<Long> newestEventIds(List<Job> jobs) {
		List<Long> newest = new ArrayList<>();
		for (Job job : jobs) {
			newest.add(this.db.sql("SELECT max(id) AS id FROM job_events WHERE job_id = :id")
				.bind("id", job.id())
				.map((row) -> row.get("id", Long.class))
				.one()
				.block(TIMEOUT));
		}
		return newest;
	}

	private long eventCount(UUID jobId) {
		return this.db.sql("SELECT count(*) AS n FROM job_events WHERE job_id = :id")
			.bind("id", jobId)
			.map((row) -> row.get("n", Long.class))
			.one()
			.block(TIMEOUT);
	}

}
