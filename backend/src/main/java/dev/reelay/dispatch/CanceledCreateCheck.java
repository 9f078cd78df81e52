package dev.reelay.dispatch;

import java.time.Instant;
import java.util.Objects;

import dev.reelay.job.Job;
import dev.reelay.job.JobQueue;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.VideoProvider;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.stereotype.Component;

/**
 * The one look at the provider that a job canceled while its create was out unanswered is due for, once that create
 * could no longer be answering (see {@code Job.Changes#canceled}). A generation the create started is recorded on
 * the job, its cost settled again by the billing rule, and stopped where the family can ({@link AcceptedCreates});
 * none found, or none that is surely this job's, ends the look. Failed looks are retried with the backoff up to the
 * give-up point, like a reconcile.
 */
@Component
class CanceledCreateCheck {

	private static final Logger log = LoggerFactory.getLogger(CanceledCreateCheck.class);

	private final JobQueue jobs;

	private final StepOutcomes outcomes;

	private final GenerationRequests requests;

	private final LostCreateSearch lostCreates;

	private final AcceptedCreates accepted;

	private final GiveUpSettings giveUp;

	CanceledCreateCheck(JobQueue jobs, StepOutcomes outcomes, GenerationRequests requests,
			LostCreateSearch lostCreates, AcceptedCreates accepted, GiveUpSettings giveUp) {
		this.jobs = jobs;
		this.outcomes = outcomes;
		this.requests = requests;
		this.lostCreates = lostCreates;
		this.accepted = accepted;
		this.giveUp = giveUp;
	}

	Mono<Job> run(Job job, VideoProvider provider) {
		if (!provider.canFindSubmitted()) {
			return over(job, job.provider() + " offers no way to find it");
		}
		Instant since = Objects.requireNonNullElse(job.submitStartedAt(), job.createdAt());
		return this.requests.of(job)
			.flatMap((request) -> this.lostCreates.find(job, provider, request, since))
			.flatMap((found) -> {
				log.info("job {} was canceled while its create was out; {} shows its generation {}", job.id(),
						job.provider(), found.remoteId());
				return this.accepted.recordOnEnded(job, found, provider);
			})
			.switchIfEmpty(Mono.defer(() -> over(job, job.provider() + " shows none")))
			.onErrorResume(MeteredProvider.BudgetSpent.class, (spent) -> later(job, this.outcomes.now(),
					job.stepRetries()))
			.onErrorResume(LostCreateSearch.Ambiguous.class, (ambiguous) -> over(job, "what " + job.provider()
					+ " shows cannot be told apart from other jobs' generations " + ambiguous.candidates()))
			.onErrorResume(DataIntegrityViolationException.class,
					(taken) -> over(job, "the generation found belongs to another job"))
			.onErrorResume(ProviderException.class, (error) -> switch (error.kind()) {
				case RATE_LIMITED -> this.outcomes.pauseProvider(job, error)
					.flatMap((until) -> later(job, until, job.stepRetries()));
				case RETRYABLE -> retry(job, error.getMessage(), error);
				case PERMANENT -> over(job, error.getMessage());
			})
			.onErrorResume((unexpected) -> !(unexpected instanceof OptimisticLockingFailureException),
					(unexpected) -> {
						log.error("job {}: looking for the generation of its canceled create failed", job.id(),
								unexpected);
						return retry(job, unexpected.toString(), null);
					});
	}

	/** The provider this job went to is gone: nothing can be looked at. */
	Mono<Job> providerGone(Job job) {
		return over(job, "its provider is no longer configured");
	}

	/** Due again at {@code at}, not a failed look (no permit now, a 429). */
	Mono<Job> later(Job job, Instant at, int retries) {
		return this.jobs.rescheduleCanceled(job, at, retries);
	}

	private Mono<Job> retry(Job job, String why, @Nullable ProviderException error) {
		int retries = job.stepRetries() + 1;
		if (retries > this.giveUp.retries() || (error == null && retries >= this.giveUp.unexpectedErrors())) {
			return over(job, "gave up after " + retries + " tries: " + why);
		}
		Instant at = (error != null) ? this.outcomes.now().plus(this.outcomes.waitAfter(error, retries))
				: this.outcomes.later(retries);
		return later(job, at, retries);
	}

	private Mono<Job> over(Job job, String why) {
		log.info("job {} was canceled while its create was out; no generation of it taken from {}: {}", job.id(),
				job.provider(), why);
		return this.jobs.rescheduleCanceled(job, Job.NEVER_DUE, job.stepRetries());
	}

}
