package dev.reelay.dispatch;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import dev.reelay.job.Job;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import dev.reelay.job.StoredContent;
import dev.reelay.provider.ProviderUsage;
import dev.reelay.storage.VideoStorage;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.core.io.buffer.DataBufferUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One step at a time against a scripted provider, at a fixed instant: what each provider answer does to a job,
 * and that an unanswered create is looked for before anything is sent again.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = { "reelay.dispatch.enabled=false", "reelay.providers.instances.scripted.family=scripted",
				"reelay.providers.instances.scripted.poll-interval=2s",
				"reelay.providers.instances.scripted.api-key=scripted-key",
				"reelay.dispatch.limits.scripted.submits.count=1000", "reelay.dispatch.call-margin=1s",
				// The lease the claims below are taken with: a permit's claim time is told from it.
				"reelay.dispatch.lease=1m",
				"reelay.dispatch.thumbnail.retry-base=10ms", "reelay.catalog.custom-models[0].id=scripted-priced",
				"reelay.catalog.custom-models[0].display-name=Scripted, priced",
				"reelay.catalog.custom-models[0].provider=scripted",
				"reelay.catalog.custom-models[0].remote-model=scripted-model",
				"reelay.catalog.custom-models[0].durations=4", "reelay.catalog.custom-models[0].aspect-ratios=16:9",
				"reelay.catalog.custom-models[0].resolutions=720p",
				"reelay.catalog.custom-models[0].price.per-second.720p=0.25" })
class JobWorkerTests {

	/** Later than any job's creation time, so every job is due. */
	static final Instant NOW = Instant.now().plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);

	private static final Duration LEASE = Duration.ofMinutes(1);

	@Autowired
	private JobWorker worker;

	@Autowired
	private ProviderGate gate;

	@Autowired
	private JobStore jobs;

	@Autowired
	private ScriptedProvider provider;

	@Autowired
	private CallLedger ledger;

	@Autowired
	private DispatchSettings settings;

	@Autowired
	private VideoStorage storage;

	private Limits limits;

	@Autowired
	private org.springframework.r2dbc.core.DatabaseClient db;

	@org.junit.jupiter.api.BeforeEach
	void limitsOfTheScriptedProviderAndNoPause() {
		this.limits = this.settings.limitsFor("scripted");
		this.db.sql("DELETE FROM provider_pauses WHERE provider = 'scripted'").fetch().rowsUpdated().block();
		this.provider.resetThumbnails();
	}

	@Test
	void aRateLimitedSubmitWaitsForRetryAfterAndPausesTheProvider() {
		this.provider.script(ScriptedProvider.Outcome.RATE_LIMIT);
		Job job = stepNewJob("rate limited");
		assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
		assertThat(job.attempts()).isZero();
		assertThat(job.statusReason()).isEqualTo("waiting for rate limit at scripted");
		assertThat(job.nextAttemptAt()).isEqualTo(NOW.plus(ScriptedProvider.RETRY_AFTER));
		assertThat(this.ledger.pausedUntil("scripted", NOW).block()).isEqualTo(NOW.plus(ScriptedProvider.RETRY_AFTER));
		assertThat(this.provider.createsFor(job.prompt())).isZero();
	}

	@Test
	void aLostAnswerIsReconciledNotResubmitted() {
		this.provider.script(ScriptedProvider.Outcome.LOSE_ANSWER);
		Job job = stepNewJob("lost answer");
		assertThat(job.status()).isEqualTo(JobStatus.RECONCILING);
		assertThat(job.remoteId()).isNull();
		Job reconciled = step(job);
		assertThat(reconciled.status()).isEqualTo(JobStatus.IN_PROGRESS);
		assertThat(reconciled.remoteId()).startsWith("gen_");
		assertThat(this.provider.createsFor(job.prompt())).isEqualTo(1);
	}

	@Test
	void aLostAnswerWhereJobsCannotBeLookedUpFailsRatherThanRiskPayingTwice() {
		this.provider.script(ScriptedProvider.Outcome.LOSE_ANSWER);
		this.provider.canLookUp = false;
		try {
			Job job = stepNewJob("cannot look up");
			assertThat(job.status()).isEqualTo(JobStatus.RECONCILING);
			Job failed = step(job);
			assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
			assertThat(failed.error().code()).isEqualTo("submit_outcome_unknown");
			assertThat(failed.error().retryable()).isTrue();
			assertThat(this.provider.createsFor(job.prompt())).isEqualTo(1);
		}
		finally {
			this.provider.canLookUp = true;
		}
	}

	@Test
	void aCreateThatNeverArrivedIsQueuedAgainAndSentOnce() {
		this.provider.script(ScriptedProvider.Outcome.FAIL_BEFORE);
		Job job = stepNewJob("never arrived");
		assertThat(job.status()).isEqualTo(JobStatus.RECONCILING);
		Job requeued = step(job);
		assertThat(requeued.status()).isEqualTo(JobStatus.QUEUED);
		assertThat(this.provider.createsFor(job.prompt())).isZero();
		Job submitted = step(requeued);
		assertThat(submitted.status()).isEqualTo(JobStatus.SUBMITTED);
		assertThat(submitted.attempts()).isEqualTo(2);
		assertThat(this.provider.createsFor(job.prompt())).isEqualTo(1);
	}

	@Test
	void aCreateThatWouldBeSentLongAfterItsPermitIsNotSentWhenTheWindowIsFullByThen() {
		Job job = this.jobs.create(new NewJob("scripted-model", "scripted", "stalled " + UUID.randomUUID(),
				new JobParameters(4, "16:9", "720p", null, null))).block();
		// Claimed five seconds before "now": the permit's window has moved on by the time the worker gets to it.
		Job claimed = this.gate.claimSubmissions("scripted", this.limits, 100, "worker", NOW.minusSeconds(5), LEASE)
			.filter((candidate) -> candidate.id().equals(job.id()))
			.blockFirst();
		// Meanwhile the window filled up: no permit can be taken again at the call.
		this.ledger.record("scripted", CallLedger.SUBMIT, NOW, this.limits.submits().count()).block();
		try {
			this.worker.run(claimed).block();
		}
		finally {
			this.db.sql("DELETE FROM provider_calls WHERE scope = 'scripted' AND at = :now").bind("now", NOW)
				.fetch()
				.rowsUpdated()
				.block();
		}
		Job after = this.jobs.find(job.id()).block();
		assertThat(after.status()).isEqualTo(JobStatus.QUEUED);
		assertThat(after.statusReason()).isEqualTo("waiting for rate limit at scripted");
		assertThat(after.attempts()).isZero();
		assertThat(after.leaseOwner()).isNull();
		assertThat(this.provider.createsFor(job.prompt())).isZero();
	}

	@Test
	void aCreateWhosePermitLapsedIsSentOnAPermitTakenAgainAtTheCall() {
		Job job = this.jobs.create(new NewJob("scripted-model", "scripted", "late write " + UUID.randomUUID(),
				new JobParameters(4, "16:9", "720p", null, null))).block();
		Instant claimedAt = NOW.minusSeconds(5);
		Job claimed = this.gate.claimSubmissions("scripted", this.limits, 100, "worker", claimedAt, LEASE)
			.filter((candidate) -> candidate.id().equals(job.id()))
			.blockFirst();
		long atTheClaim = permitsAt(claimedAt);
		long atTheCall = permitsAt(NOW);

		this.worker.run(claimed).block();

		assertThat(this.jobs.find(job.id()).block().status()).isEqualTo(JobStatus.SUBMITTED);
		assertThat(this.provider.createsFor(job.prompt())).isEqualTo(1);
		// The claim's permit was given back and one counted at the call, in the same windows.
		assertThat(permitsAt(claimedAt)).isEqualTo(atTheClaim - 1);
		assertThat(permitsAt(NOW)).isEqualTo(atTheCall + 1);
	}

	private long permitsAt(Instant at) {
		return this.db.sql("SELECT count(*) AS n FROM provider_calls WHERE scope = 'scripted' AND kind = 'submit' "
				+ "AND at = :at")
			.bind("at", at)
			.map((row) -> row.get("n", Long.class))
			.one()
			.block();
	}

	@Test
	void aRejectedJobFailsAtOnceInPlainWords() {
		this.provider.script(ScriptedProvider.Outcome.REJECT);
		Job job = stepNewJob("rejected");
		assertThat(job.status()).isEqualTo(JobStatus.FAILED);
		assertThat(job.error().code()).isEqualTo("invalid_request");
		assertThat(job.error().message()).isEqualTo("scripted rejected the request: prompt too vague");
		assertThat(job.error().retryable()).isFalse();
	}

	@Test
	void anAcceptedJobIsPolledDownloadedAndCompleted() {
		Job submitted = stepNewJob("happy path");
		assertThat(submitted.status()).isEqualTo(JobStatus.SUBMITTED);
		assertThat(submitted.nextAttemptAt()).isEqualTo(NOW.plusSeconds(2));
		Job completed = step(submitted);
		assertThat(completed.status()).isEqualTo(JobStatus.COMPLETED);
		assertThat(completed.content().length()).isEqualTo(ScriptedProvider.VIDEO.length);
		assertThat(completed.leaseOwner()).isNull();
		StoredContent.Thumbnail thumbnail = completed.content().thumbnail();
		assertThat(thumbnail.contentType()).isEqualTo("image/webp");
		assertThat(thumbnail.length()).isEqualTo(ScriptedProvider.THUMBNAIL.length);
		assertThat(thumbnail.sha256()).isEqualTo(sha256(ScriptedProvider.THUMBNAIL));
		assertThat(thumbnail.location()).isNotEqualTo(completed.content().location());
		assertThat(this.storage.read(thumbnail.location(), 0, thumbnail.length() - 1)
			.flatMap((body) -> DataBufferUtils.join(body))
			.map((joined) -> {
				byte[] bytes = new byte[joined.readableByteCount()];
				joined.read(bytes);
				DataBufferUtils.release(joined);
				return bytes;
			})
			.block()).isEqualTo(ScriptedProvider.THUMBNAIL);
	}

	@Test
	void aThumbnailThatFailsOnceIsTriedAgainInTheSameStep() {
		this.provider.thumbnailFailures.set(1);
		Job completed = step(stepNewJob("thumbnail retried"));
		assertThat(completed.status()).isEqualTo(JobStatus.COMPLETED);
		assertThat(completed.content().thumbnail()).isNotNull();
		assertThat(this.provider.thumbnailCalls).hasValue(2);
	}

	@Test
	void aThumbnailThatKeepsFailingNeitherFailsNorHoldsBackTheJob() {
		this.provider.thumbnailFailures.set(1_000);
		Job completed = step(stepNewJob("thumbnail never"));
		assertThat(completed.status()).isEqualTo(JobStatus.COMPLETED);
		assertThat(completed.content().length()).isEqualTo(ScriptedProvider.VIDEO.length);
		assertThat(completed.content().thumbnail()).isNull();
		assertThat(this.provider.thumbnailCalls).as("three attempts, then on without one").hasValue(3);
	}

	@Test
	void noThumbnailIsAskedForWhereTheFamilyOffersNone() {
		this.provider.offersThumbnail = false;
		Job completed = step(stepNewJob("no thumbnails here"));
		assertThat(completed.status()).isEqualTo(JobStatus.COMPLETED);
		assertThat(completed.content().thumbnail()).isNull();
		assertThat(this.provider.thumbnailCalls).hasValue(0);
	}

	private static String sha256(byte[] bytes) {
		try {
			return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void whatTheProviderSaysAJobCostsIsKeptFromCreateToCompletion() {
		Job submitted = stepNewJob("usage");
		assertThat(submitted.providerUsage()).isEqualTo(ScriptedProvider.HELD);
		Job completed = step(submitted);
		assertThat(completed.status()).isEqualTo(JobStatus.COMPLETED);
		// The later report adds the charge; the hold it did not mention is kept.
		ProviderUsage usage = this.jobs.find(completed.id()).block().providerUsage();
		assertThat(usage).isEqualTo(new ProviderUsage("per_second", new BigDecimal("40"), new BigDecimal("38.5"), null,
				new BigDecimal("0.55")));
	}

	@Test
	void aStepThatKeepsFailingUnexpectedlyRetriesWithBackoffThenFailsTheJobInPlainWords() {
		Job current = stepNewJob("poison");
		assertThat(current.status()).isEqualTo(JobStatus.SUBMITTED);
		this.provider.statusFails = new IllegalStateException("a bug in a stand-in adapter");
		Instant previous = NOW;
		for (int retry = 1; retry < 5; retry++) {
			current = step(current);
			assertThat(current.status()).as("after unexpected error %d", retry).isEqualTo(JobStatus.SUBMITTED);
			assertThat(current.stepRetries()).isEqualTo(retry);
			assertThat(current.nextAttemptAt()).as("backoff after error %d", retry).isAfter(previous);
			previous = current.nextAttemptAt();
		}
		Job failed = step(current);
		assertThat(failed.status()).as("the fifth unexpected error in a row ends the job").isEqualTo(JobStatus.FAILED);
		assertThat(failed.error().code()).isEqualTo("internal_error");
		assertThat(failed.error().message()).contains("gave up on this job after 5 failed tries")
			.doesNotContain("IllegalStateException")
			.doesNotContain("a bug in");
	}

	@Test
	void aCostTheLedgerCannotHoldIsSetAsideAndTheJobCompletesAtItsEstimate() {
		for (String reported : new String[] { "-3", "100000000", "1000" }) {
			this.provider.charged = new ProviderUsage(null, null, null, null, new BigDecimal(reported));
			Job job = this.jobs.create(new NewJob("scripted-priced", "scripted", "odd cost " + UUID.randomUUID(),
					new JobParameters(4, "16:9", "720p", null, null))).block();
			assertThat(job.cost()).as("the model is priced").isNotNull();
			Job completed = step(step(job));
			assertThat(completed.status()).as("reported cost %s", reported).isEqualTo(JobStatus.COMPLETED);
			assertThat(completed.cost().actual()).as("reported cost %s", reported)
				.isEqualByComparingTo(completed.cost().estimated());
		}
		// A plausible figure still counts.
		this.provider.charged = ScriptedProvider.CHARGED;
		Job job = this.jobs.create(new NewJob("scripted-priced", "scripted", "fair cost " + UUID.randomUUID(),
				new JobParameters(4, "16:9", "720p", null, null))).block();
		Job completed = step(step(job));
		assertThat(completed.cost().actual()).isEqualByComparingTo("0.55");
	}

	private Job stepNewJob(String prompt) {
		Job job = this.jobs.create(new NewJob("scripted-model", "scripted", prompt + " " + UUID.randomUUID(),
				new JobParameters(4, "16:9", "720p", null, null))).block();
		return step(job);
	}

	/** Claims the job as the dispatcher would and runs one step of it. */
	private Job step(Job job) {
		Job claimed = ((job.status() == JobStatus.QUEUED)
				? this.gate.claimSubmissions("scripted", this.limits, 100, "worker", NOW, LEASE)
				: this.gate.claimRunning("scripted", this.limits, 100, "worker", NOW.plusSeconds(60), LEASE))
			.filter((candidate) -> candidate.id().equals(job.id()))
			.blockFirst();
		assertThat(claimed).as("job %s is due", job.id()).isNotNull();
		this.worker.run(claimed).block();
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
