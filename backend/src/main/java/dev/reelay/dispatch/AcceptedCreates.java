package dev.reelay.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;

import dev.reelay.job.Job;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.provider.RemoteJob;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.VideoProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.stereotype.Component;

/**
 * Makes sure a provider's id, once a create (or a reconcile) has it, ends up on the job. The write is retried on
 * database errors within the lease (each try is guarded by the row's version, so a retry can never overwrite
 * another holder's work); when it finally fails, the id is logged at ERROR with the job id, so a person can find the
 * generation. When the write loses to another change (most often a cancel while the create was on the wire), the
 * id still goes on the job: a canceled job gets it, its generation is stopped where the family can stop one, and its
 * cost is settled again as its billing rule says for a job the provider accepted.
 */
@Component
class AcceptedCreates {

	private static final Logger log = LoggerFactory.getLogger(AcceptedCreates.class);

	/** Retries of the id's write start this far apart and double, up to {@link #RETRY_MAX}. */
	static final Duration RETRY_FIRST = Duration.ofMillis(100);

	static final Duration RETRY_MAX = Duration.ofSeconds(2);

	/**
	 * The least time the id's write is retried for, even when the create answered after the lease ran out: the version
	 * guard keeps such a write from clobbering another holder, and dropping the id would lose the generation.
	 */
	static final Duration LEAST_RETRY_WINDOW = Duration.ofSeconds(10);

	private final JobStore jobs;

	private final Clock clock;

	private final StepOutcomes outcomes;

	private final PollSchedule polls;

	AcceptedCreates(JobStore jobs, DispatchClock clock, StepOutcomes outcomes, PollSchedule polls) {
		this.jobs = jobs;
		this.clock = clock.clock();
		this.outcomes = outcomes;
		this.polls = polls;
	}

	/**
	 * {@code from}'s create was accepted (or a reconcile found it) as {@code remote}: the job becomes {@code accepted}
	 * with the provider's id, recorded however its write goes (see {@link #record}).
	 */
	Mono<Job> accept(Job from, RemoteJob remote, VideoProvider provider) {
		return record(from, remote, provider, (row) -> this.outcomes.change(row,
				(c) -> c.accepted(remote.remoteId(), remote.status() == RemoteStatus.IN_PROGRESS, remote.progress(),
						remote.usage(), this.polls.next(row, remote)),
				true));
	}

	/**
	 * Records {@code remote}'s id on {@code from} with {@code write} (which applies the accepted change to the row
	 * it is given); answers the job as it then stands.
	 */
	Mono<Job> record(Job from, RemoteJob remote, VideoProvider provider, Function<Job, Mono<Job>> write) {
		Instant deadline = deadline(from);
		return Mono.defer(() -> write.apply(from))
			.retryWhen(retryUntil(from, deadline))
			.onErrorResume(OptimisticLockingFailureException.class,
					(moved) -> afterLostRace(from, remote, provider, write, deadline))
			.doOnError((failed) -> log.error("job {}: {} accepted it as remote id {}, but that id could not be recorded "
					+ "on the job: {}", from.id(), from.provider(), remote.remoteId(), reason(failed)));
	}

	private Mono<Job> afterLostRace(Job from, RemoteJob remote, VideoProvider provider,
			Function<Job, Mono<Job>> write, Instant deadline) {
		String remoteId = remote.remoteId();
		return this.jobs.find(from.id()).flatMap((current) -> {
			if (remoteId.equals(current.remoteId())) {
				// Written after all: a try whose commit was not heard of.
				return Mono.just(current);
			}
			if (current.remoteId() == null && current.status().isTerminal()) {
				return recordOnEnded(current, remoteId, provider, deadline);
			}
			if (current.remoteId() == null
					&& (current.status() == JobStatus.SUBMITTING || current.status() == JobStatus.RECONCILING)
					&& Objects.equals(current.submitStartedAt(), from.submitStartedAt())) {
				// Still this very create's job; only its row moved (a lease taken over, a reconcile started).
				return write.apply(current);
			}
			log.error("job {}: {} accepted it as remote id {}, but the job moved on ({}, remote id {}); that "
					+ "generation is not tracked", from.id(), from.provider(), remoteId, current.status().value(),
					current.remoteId());
			return Mono.just(current);
		});
	}

	/**
	 * Records {@code remote}'s id on a job that ended without one (a look after a cancel found its generation): the
	 * cost is settled again as the billing rule says for an accepted job, and a canceled job's generation stopped
	 * where the family can.
	 */
	Mono<Job> recordOnEnded(Job ended, RemoteJob remote, VideoProvider provider) {
		return recordOnEnded(ended, remote.remoteId(), provider, deadline(ended))
			.doOnError((failed) -> log.error("job {}: {} shows its generation as remote id {}, but that id could not be "
					+ "recorded on the job: {}", ended.id(), ended.provider(), remote.remoteId(), reason(failed)));
	}

	private Mono<Job> recordOnEnded(Job ended, String remoteId, VideoProvider provider, Instant deadline) {
		return this.jobs.recordRemoteIdAfterEnd(ended, remoteId)
			.retryWhen(retryUntil(ended, deadline))
			.flatMap((recorded) -> (recorded.status() == JobStatus.CANCELED) ? stop(recorded, provider)
					: Mono.just(recorded));
	}

	/** Stops a canceled job's generation where the family can; where it cannot, its result is discarded. */
	private Mono<Job> stop(Job canceled, VideoProvider provider) {
		String remoteId = Objects.requireNonNull(canceled.remoteId());
		return provider.cancel(remoteId)
			.doOnNext((outcome) -> log.info("job {} was canceled while its create was on the wire; remote {} cancel: {}",
					canceled.id(), remoteId, outcome))
			.onErrorResume((failed) -> {
				log.warn("job {} was canceled while its create was on the wire; canceling remote {} failed: {}",
						canceled.id(), remoteId, failed.toString());
				return Mono.empty();
			})
			.thenReturn(canceled);
	}

	private Instant deadline(Job from) {
		Instant least = this.clock.instant().plus(LEAST_RETRY_WINDOW);
		Instant leaseUntil = from.leaseUntil();
		return (leaseUntil != null && leaseUntil.isAfter(least)) ? leaseUntil : least;
	}

	/** Database trouble is retried until {@code deadline}; a lost race or a refused value is an answer, not trouble. */
	private Retry retryUntil(Job job, Instant deadline) {
		return Retry.backoff(Long.MAX_VALUE, RETRY_FIRST)
			.maxBackoff(RETRY_MAX)
			.filter((error) -> !(error instanceof OptimisticLockingFailureException)
					&& !(error instanceof DataIntegrityViolationException) && !(error instanceof IllegalStateException)
					&& this.clock.instant().isBefore(deadline))
			.doBeforeRetry((signal) -> log.warn("job {}: recording its remote id failed ({}); retrying", job.id(),
					reason(signal.failure())));
	}

	/** The database's own words, without the statement (long, and made of job data) that Spring wraps them in. */
	private static String reason(Throwable failed) {
		Throwable cause = NestedExceptionUtils.getMostSpecificCause(failed);
		return cause.getClass().getSimpleName() + ": " + cause.getMessage();
	}

}
