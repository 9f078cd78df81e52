package dev.reelay.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

import dev.reelay.job.Job;
import dev.reelay.job.JobError;
import dev.reelay.job.JobStore;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.ProviderUsage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * How a step ends when it does not simply move on: tried again later (with the backoff, up to the give-up point),
 * due again at a given time, the provider paused after a 429, or the job failed. Every write goes through
 * {@link #change}, which adds what the step's provider calls left for the job.
 */
@Component
class StepOutcomes {

	private static final Logger log = LoggerFactory.getLogger(StepOutcomes.class);

	private final JobStore jobs;

	private final ProviderGate gate;

	private final GiveUpSettings giveUp;

	private final Backoff backoff;

	private final Clock clock;

	StepOutcomes(JobStore jobs, ProviderGate gate, DispatchSettings settings, GiveUpSettings giveUp,
			DispatchClock clock) {
		this.jobs = jobs;
		this.gate = gate;
		this.giveUp = giveUp;
		this.backoff = new Backoff(settings.retryBase(), settings.retryMax());
		this.clock = clock.clock();
	}

	/**
	 * Writes a change to {@code from} (one of {@link Job.Changes}' named transitions), adding what this step's
	 * provider calls left for the job (their number and the provider's last request id).
	 */
	Mono<Job> change(Job from, Consumer<Job.Changes> transition, boolean releaseLease) {
		return Mono.deferContextual((context) -> {
			ProviderCalls calls = context.getOrDefault(ProviderCalls.class, null);
			return this.jobs.change(from, (changes) -> {
				transition.accept(changes);
				if (calls != null) {
					calls.recordOn(changes);
				}
			}, releaseLease);
		});
	}

	Mono<Job> fail(Job job, JobError error) {
		return fail(job, error, null);
	}

	/** Ends the job with {@code error}; {@code reported} is what the provider said of its cost last, if anything. */
	Mono<Job> fail(Job job, JobError error, @Nullable ProviderUsage reported) {
		return change(job, (c) -> c.failed(error, reported), true);
	}

	/** Due again at {@code at}, not a failed try; {@code reason}, when given, replaces the one shown. */
	Mono<Job> retryAt(Job job, Instant at, @Nullable String reason) {
		return change(job, (c) -> c.postponed(at, reason), true);
	}

	/**
	 * Retries a poll, reconcile or download after a backoff that grows with the failures in a row (not with the
	 * submissions: a job submitted once would otherwise be retried every {@code retry-base} forever); at the
	 * give-up point the job fails instead.
	 */
	Mono<Job> retryLater(Job job, ProviderException error, @Nullable String reason) {
		int retries = job.stepRetries() + 1;
		if (retries > this.giveUp.retries()) {
			log.warn("job {} at {}: {} ({}); giving up after {} tries", job.id(), job.provider(), error.code(),
					error.getMessage(), retries);
			return fail(job, gaveUp(job, retries, error.getMessage()));
		}
		log.info("job {} at {}: {} ({}), retry {} of {}", job.id(), job.provider(), error.code(), error.getMessage(),
				retries, this.giveUp.retries());
		Instant at = now().plus(waitAfter(error, retries));
		return change(job, (c) -> c.retrying(at, retries, reason), true);
	}

	/**
	 * The poll budget had no permit for a call this step still had to make (the download after a poll, more list
	 * pages): the job is due again at once, and its next claim, which counts a permit, makes that call. Not a
	 * failed try.
	 */
	Mono<Job> waitForBudget(Job job, String reason) {
		log.debug("job {}: the poll budget of {} is spent for now; {} waits for the next claim", job.id(),
				job.provider(), reason);
		return retryAt(job, now(), reason);
	}

	/** A 429 stops every instance from calling the provider until it says; returns when calls may resume. */
	Mono<Instant> pauseProvider(Job job, ProviderException error) {
		Instant until = now().plus(waitAfter(error, job.attempts()));
		log.info("{} answered 429 ({}); pausing it until {}", job.provider(), error.code(), until);
		return this.gate.pause(job.provider(), until, error.getMessage()).thenReturn(until);
	}

	/** A 429 on a poll, reconcile or download: the provider paused, the job due when calls may resume. */
	Mono<Job> afterRateLimit(Job job, ProviderException error) {
		return pauseProvider(job, error).flatMap((until) -> retryAt(job, until, null));
	}

	/**
	 * Why a job that failed too often ended, with the code its billing rule reads: a video that finished at the
	 * provider but could not be saved ({@code content_unavailable}) was generated and billed all the same.
	 */
	private static JobError gaveUp(Job job, int tries, String last) {
		return switch (job.status()) {
			case DOWNLOADING -> new JobError("content_unavailable", "The video finished at " + job.provider()
					+ " but could not be saved after " + tries + " tries: " + last, true);
			case SUBMITTING, RECONCILING -> new JobError("submit_outcome_unknown", "Could not confirm whether "
					+ job.provider() + " received the job after " + tries + " tries, so it was not sent again: " + last,
					true);
			default -> new JobError("provider_unreachable", "Gave up following the job at " + job.provider()
					+ " after " + tries + " failed tries; it may still have run there (and been billed): " + last,
					true);
		};
	}

	/** The backoff for the {@code attempt}-th try, or longer when the provider asked for longer. */
	Duration waitAfter(ProviderException error, int attempt) {
		Duration computed = this.backoff.after(attempt);
		Duration asked = error.retryAfter();
		return (asked != null && asked.compareTo(computed) > 0) ? asked : computed;
	}

	Instant later(int attempt) {
		return now().plus(this.backoff.after(attempt));
	}

	Instant now() {
		return this.clock.instant();
	}

}
