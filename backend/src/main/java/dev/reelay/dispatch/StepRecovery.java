package dev.reelay.dispatch;

import java.time.Duration;
import java.time.Instant;

import dev.reelay.job.Job;
import dev.reelay.job.JobError;
import dev.reelay.job.JobNotFoundException;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import io.r2dbc.spi.R2dbcTransientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.stereotype.Component;

/**
 * What follows a step that did not end as planned: an unexpected error (the job put back, or failed once such
 * errors repeat), or a row that moved on under the step (most often a cancel, whose remote job is then stopped).
 */
@Component
class StepRecovery {

	private static final Logger log = LoggerFactory.getLogger(StepRecovery.class);

	/**
	 * Tries of the write that puts a job back after an unexpected error. That error is often the database's, and
	 * the first try fails with it; without more tries the job would wait for its lease to run out.
	 */
	private static final int RECOVERY_RETRIES = 4;

	private static final Duration RECOVERY_BACKOFF = Duration.ofMillis(250);

	private final JobStore jobs;

	private final StepOutcomes outcomes;

	private final GiveUpSettings giveUp;

	private final MeteredProviders providers;

	StepRecovery(JobStore jobs, StepOutcomes outcomes, GiveUpSettings giveUp, MeteredProviders providers) {
		this.jobs = jobs;
		this.outcomes = outcomes;
		this.giveUp = giveUp;
		this.providers = providers;
	}

	/**
	 * After an unexpected error, puts the job back to be tried later and lets go of its lease, but only while the row
	 * is still leased to this step: a row another claim took (or this step's own write already released) is not
	 * this step's to write, and writing it would steal the other holder's lease. The write is tried a few times;
	 * if it never lands, the job waits for its lease to run out (short, as it is no longer renewed). The job is
	 * never made due earlier than it was: a create's job stays away from reconciliation while it may be answering.
	 */
	Mono<Void> recover(Job job, Throwable unexpected) {
		log.error("job {} step failed unexpectedly", job.id(), unexpected);
		return Mono.deferContextual((context) -> {
			Lease lease = context.getOrDefault(Lease.class, null);
			Lease held = (lease != null) ? lease : Lease.of(job);
			return Mono.defer(() -> this.jobs.find(job.id()))
				.flatMap((current) -> (current.status().isTerminal() || !held.heldOn(current)) ? Mono.<Job>empty()
						: afterUnexpected(current, unexpected))
				.retryWhen(Retry.backoff(RECOVERY_RETRIES, RECOVERY_BACKOFF)
					.filter((error) -> !(error instanceof JobNotFoundException)))
				.onErrorResume((error) -> {
					log.warn("job {}: could not put it back after an unexpected error ({}); it resumes once its "
							+ "lease runs out", job.id(), Exceptions.unwrap(error).toString());
					return Mono.empty();
				})
				.then();
		});
	}

	/**
	 * An error nobody expected (a bug, a row Reelay cannot read) is retried with the backoff, counted like a failed
	 * try, and ends the job at {@code give-up.unexpected-errors} rather than looping forever.
	 */
	private Mono<Job> afterUnexpected(Job current, Throwable unexpected) {
		if (notTheJobsFault(unexpected)) {
			// The database is busy or unreachable: every job suffers alike, and none should fail for it.
			return this.outcomes.change(current, (c) -> c.postponed(latest(current.nextAttemptAt(),
					this.outcomes.later(Math.max(current.stepRetries(), 1))), null), true);
		}
		int retries = current.stepRetries() + 1;
		if (retries >= this.giveUp.unexpectedErrors() || retries > this.giveUp.retries()) {
			// The exception itself goes to the log (above), not to the tenant: its text is Reelay's internals.
			return this.outcomes.fail(current, new JobError("internal_error", "Reelay gave up on this job after "
					+ retries + " failed tries, the last one an internal error (the server log has it under job "
					+ current.id() + ").", true));
		}
		// Never earlier than it was due: a create's job stays away from reconciliation while it may answer.
		return this.outcomes.change(current,
				(c) -> c.retrying(latest(current.nextAttemptAt(), this.outcomes.later(retries)), retries, null), true);
	}

	private static boolean notTheJobsFault(Throwable error) {
		return error instanceof TransientDataAccessException || error instanceof DataAccessResourceFailureException
				|| error instanceof R2dbcTransientException;
	}

	private static Instant latest(Instant one, Instant other) {
		return one.isAfter(other) ? one : other;
	}

	/** The row moved on under the step, most often a cancel: nothing to undo unless a remote job is left running. */
	Mono<Void> afterConcurrentChange(Job job) {
		return this.jobs.find(job.id()).flatMap((current) -> {
			if (current.status() == JobStatus.CANCELED && current.remoteId() != null) {
				return this.providers.get(current.provider())
					.cancel(current.remoteId())
					.doOnNext((outcome) -> log.info("job {} canceled; remote {} cancel: {}", job.id(),
							current.remoteId(), outcome))
					.onErrorResume((ignored) -> Mono.empty())
					.then();
			}
			return Mono.empty();
		});
	}

}
