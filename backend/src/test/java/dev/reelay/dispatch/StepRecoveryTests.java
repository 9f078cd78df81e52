package dev.reelay.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.reelay.job.Job;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobQueue;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.BDDMockito.willAnswer;

/**
 * What a step does after an unexpected error (finding D and the lease theft of finding 2): the write that puts
 * its job back is retried when the database fails it too, so the job does not wait out its lease; and it is not
 * written at all on a row that another holder has claimed meanwhile. Also how a running step keeps its lease
 * ({@link LeaseKeeper}): cut off once another holder has the job, left to finish when a cancel released it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = { "reelay.dispatch.enabled=false", "reelay.providers.instances.recovering.family=scripted",
				"reelay.providers.instances.recovering.poll-interval=2s",
				"reelay.providers.instances.recovering.api-key=scripted-key" })
class StepRecoveryTests {

	static final Instant NOW = Instant.now().plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);

	private static final Duration LEASE = Duration.ofMinutes(1);

	@Autowired
	private JobWorker worker;

	@Autowired
	private ProviderGate gate;

	@MockitoSpyBean
	private JobStore jobs;

	@Autowired
	private JobQueue queue;

	@Autowired
	private DispatchSettings settings;

	@Autowired
	private DatabaseClient db;

	@Test
	void aRecoveryWriteThatFailsLikeTheStepIsTriedAgainAndReleasesTheLease() {
		Job submitted = step(newJob("recovery"));
		assertThat(submitted.status()).isEqualTo(JobStatus.SUBMITTED);
		// The database fails the step's own write and the first write that puts the job back, then is back.
		AtomicInteger failures = new AtomicInteger(2);
		willAnswer((call) -> (failures.getAndDecrement() > 0)
				? Mono.error(new TransientDataAccessResourceException("the database went away"))
				: call.callRealMethod()).given(this.jobs).change(any(), any(), anyBoolean());

		Job after = step(submitted);

		assertThat(failures.get()).as("both injected failures were met").isNegative();
		assertThat(after.leaseOwner()).as("lease after the step").isNull();
		assertThat(after.status()).isEqualTo(JobStatus.SUBMITTED);
		assertThat(after.nextAttemptAt()).isAfter(NOW);
	}

	@Test
	void aRecoveryWriteIsNotMadeOnARowAnotherHolderClaimed() {
		Job submitted = step(newJob("stolen"));
		Instant theirs = NOW.plus(Duration.ofMinutes(5));
		// Mid-step, the lease lapses and another instance claims the job; the step then fails unexpectedly.
		AtomicInteger failures = new AtomicInteger(1);
		willAnswer((call) -> {
			if (failures.getAndDecrement() > 0) {
				return this.db.sql("UPDATE jobs SET lease_owner = 'other', lease_until = :until, version = version + 1 "
						+ "WHERE id = :id")
					.bind("until", theirs)
					.bind("id", submitted.id())
					.then()
					.then(Mono.error(new TransientDataAccessResourceException("the database went away")));
			}
			return call.callRealMethod();
		}).given(this.jobs).change(any(), any(), anyBoolean());

		Job after = step(submitted);

		assertThat(failures.get()).as("the step's own write was the only one tried").isZero();
		assertThat(after.leaseOwner()).as("the other holder's lease").isEqualTo("other");
		assertThat(after.leaseUntil()).isEqualTo(theirs);
	}

	/** Finding 1/A: should the instance stop or die mid-create, nobody may look for the create while it may answer. */
	@Test
	void aSubmittingJobIsNotDueBeforeItsCreateCouldHaveBeenAnsweredAndListed() {
		java.util.List<Job> written = new java.util.concurrent.CopyOnWriteArrayList<>();
		willAnswer((call) -> ((Mono<?>) call.callRealMethod()).doOnNext((job) -> written.add((Job) job))).given(this.jobs).change(any(), any(), anyBoolean());

		step(newJob("submitting"));

		assertThat(written).first().satisfies((submitting) -> {
			assertThat(submitting.status()).isEqualTo(JobStatus.SUBMITTING);
			// The instance's timeout (60 s by default) plus the default grace (30 s).
			assertThat(submitting.nextAttemptAt()).isEqualTo(NOW.plusSeconds(90));
		});
	}

	/** Finding A: a job found still submitting is not given up on ("not found") before that deadline. */
	@Test
	void aCreateNotFoundBeforeItsDeadlineIsLookedForAgainNotSentAgain() {
		Job job = newJob("early look");
		// As an older instance left it: submitting since just now, yet due at once.
		this.db.sql("UPDATE jobs SET status = 'submitting', submit_started_at = :started, attempts = 1, "
				+ "next_attempt_at = :started WHERE id = :id")
			.bind("started", NOW.minusSeconds(5))
			.bind("id", job.id())
			.then()
			.block();

		Job after = step(this.jobs.find(job.id()).block());

		assertThat(after.status()).as("not queued to be sent again").isEqualTo(JobStatus.SUBMITTING);
		assertThat(after.nextAttemptAt()).isEqualTo(NOW.minusSeconds(5).plusSeconds(90));
		assertThat(after.leaseOwner()).isNull();
	}

	@Test
	void aStepWhoseLeaseAnotherHolderTookIsCutOff() {
		Job held = leasedFor(Duration.ofMillis(900));
		AtomicBoolean finished = new AtomicBoolean();
		LeaseKeeper keeper = keeperWithLease(Duration.ofMillis(900));
		this.db.sql("UPDATE jobs SET lease_owner = 'other', lease_until = now() + interval '1 minute', "
				+ "version = version + 1 WHERE id = :id").bind("id", held.id()).then().block();

		StepVerifier.create(keeper.keep(held, () -> Mono.delay(Duration.ofSeconds(20))
			.doOnNext((done) -> finished.set(true))
			.then())).expectComplete().verify(Duration.ofSeconds(15));

		assertThat(finished).as("the step ran to its end").isFalse();
		assertThat(this.jobs.find(held.id()).block().leaseOwner()).isEqualTo("other");
	}

	@Test
	void aStepWhoseLeaseACancelReleasedFinishesAndALiveOneIsRenewed() {
		Job held = leasedFor(Duration.ofMillis(900));
		AtomicBoolean finished = new AtomicBoolean();
		AtomicReference<Instant> renewedTo = new AtomicReference<>();
		LeaseKeeper keeper = keeperWithLease(Duration.ofMillis(900));

		// Renewed while it runs: after a few renewals the lease ends later than it first did.
		StepVerifier.create(keeper.keep(held, () -> Mono.delay(Duration.ofSeconds(3))
			.then(this.jobs.find(held.id()))
			.doOnNext((row) -> renewedTo.set(row.leaseUntil()))
			.then(this.db.sql("UPDATE jobs SET lease_owner = NULL, lease_until = NULL WHERE id = :id")
				.bind("id", held.id())
				.then())
			.then(Mono.delay(Duration.ofSeconds(2)))
			.doOnNext((done) -> finished.set(true))
			.then())).expectComplete().verify(Duration.ofSeconds(30));

		assertThat(renewedTo.get()).as("the lease's end after 3 s").isAfter(held.leaseUntil().plusSeconds(1));
		assertThat(finished).as("the step ran to its end after the release").isTrue();
	}

	/** A queued job leased by "keeper" for {@code lease} from now, as read back (to the microsecond). */
	private Job leasedFor(Duration lease) {
		Job job = newJob("kept");
		this.db.sql("UPDATE jobs SET lease_owner = 'keeper', lease_until = :until WHERE id = :id")
			.bind("until", Instant.now().plus(lease))
			.bind("id", job.id())
			.then()
			.block();
		return this.jobs.find(job.id()).block();
	}

	private LeaseKeeper keeperWithLease(Duration lease) {
		DispatchSettings s = this.settings;
		return new LeaseKeeper(this.jobs, this.queue, new DispatchSettings(s.enabled(), s.tick(), s.concurrency(), lease,
				s.downloadTimeout(), s.retryBase(), s.retryMax(), s.maxSubmitAttempts(), s.instanceId(), s.callMargin(),
				s.limits(), s.drainTimeout()), new DispatchClock(Clock.systemUTC()));
	}

	private Job newJob(String prompt) {
		return this.jobs.create(new NewJob("scripted-model", "recovering", prompt + " " + UUID.randomUUID(),
				new JobParameters(4, "16:9", "720p", null, null))).block();
	}

	/** Claims the job as the dispatcher would and runs one step of it. */
	private Job step(Job job) {
		Limits limits = this.settings.limitsFor("recovering");
		Job claimed = ((job.status() == JobStatus.QUEUED)
				? this.gate.claimSubmissions("recovering", limits, 100, "worker", NOW, LEASE)
				: this.gate.claimRunning("recovering", limits, 100, "worker", NOW.plusSeconds(60), LEASE))
			.filter((candidate) -> candidate.id().equals(job.id()))
			.blockFirst();
		assertThat(claimed).as("job %s is due", job.id()).isNotNull();
		this.worker.run(claimed).block(Duration.ofSeconds(60));
		return this.jobs.find(job.id()).block();
	}

	@TestConfiguration
	static class Scripted {

		@Bean
		ScriptedProvider scriptedProvider() {
			return new ScriptedProvider();
		}

		@Bean
		@Primary
		DispatchClock fixedDispatchClock() {
			return new DispatchClock(Clock.fixed(NOW, ZoneOffset.UTC));
		}

	}

}
