package dev.reelay.dispatch;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import dev.reelay.job.Job;
import dev.reelay.job.JobError;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.VideoProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;

/**
 * Looks for the generation an unanswered create may have started. Found: adopt it. Not found: queue the job again,
 * where it waits for a submission permit like any other. A job is due for this only once its create could no longer
 * be answering or unlisted ({@link CreateWindow}); "not found" before that is not final.
 */
@Component
class ReconcileStep {

	private static final Logger log = LoggerFactory.getLogger(ReconcileStep.class);

	private final StepOutcomes outcomes;

	private final GenerationRequests requests;

	private final LostCreateSearch lostCreates;

	private final AcceptedCreates accepted;

	private final CreateWindow window;

	ReconcileStep(StepOutcomes outcomes, GenerationRequests requests, LostCreateSearch lostCreates,
			AcceptedCreates accepted, CreateWindow window) {
		this.outcomes = outcomes;
		this.requests = requests;
		this.lostCreates = lostCreates;
		this.accepted = accepted;
		this.window = window;
	}

	Mono<Job> run(Job job, VideoProvider provider) {
		if (!provider.canFindSubmitted()) {
			return this.outcomes.fail(job, new JobError("submit_outcome_unknown", job.provider() + " did not confirm "
					+ "the job and offers no way to check whether it started it. Reelay did not send it again, so it "
					+ "cannot be paid for twice; retry the job if it does not appear in your " + job.provider()
					+ " account.", true));
		}
		String checking = "checking whether " + job.provider() + " received the job";
		Instant since = Objects.requireNonNullElse(job.submitStartedAt(), job.createdAt());
		return this.requests.of(job)
			.flatMap((request) -> this.lostCreates.find(job, provider, request, since))
			.flatMap((found) -> {
				log.info("job {} found at {} as {} after an unknown submit outcome", job.id(), job.provider(),
						found.remoteId());
				return this.accepted.accept(job, found, provider)
					// Another job took that generation meanwhile (the unique remote id): as unclear as two matches.
					.onErrorMap(DataIntegrityViolationException.class,
							(taken) -> new LostCreateSearch.Ambiguous(List.of(found.remoteId()), 1));
			})
			.switchIfEmpty(Mono.defer(() -> notFound(job)))
			.onErrorResume(MeteredProvider.BudgetSpent.class, (spent) -> this.outcomes.waitForBudget(job, checking))
			.onErrorResume(LostCreateSearch.Ambiguous.class, (ambiguous) -> {
				log.warn("job {}: {} shows generations {} that could be this job's and {} other job(s) of the same "
						+ "request with a create out; adopting none", job.id(), job.provider(), ambiguous.candidates(),
						ambiguous.otherCreates());
				return this.outcomes.fail(job, new JobError("submit_outcome_unknown", job.provider() + " did not "
						+ "confirm the job, and what it lists cannot tell it apart from other jobs with the same prompt "
						+ "and settings, so Reelay took none of those videos and did not send the job again (it cannot "
						+ "be paid for twice); retry the job if you need it.", true));
			})
			.onErrorResume(ProviderException.class, (error) -> switch (error.kind()) {
				case RATE_LIMITED -> this.outcomes.afterRateLimit(job, error);
				case RETRYABLE -> this.outcomes.retryLater(job, error, checking);
				case PERMANENT -> this.outcomes.fail(job, new JobError("submit_outcome_unknown", "Could not confirm "
						+ "whether " + job.provider() + " received the job, so it was not sent again: "
						+ error.getMessage(), false));
			});
	}

	private Mono<Job> notFound(Job job) {
		Instant deadline = this.window.deadline(job);
		if (deadline != null && this.outcomes.now().isBefore(deadline)) {
			log.info("job {} not found at {} yet; its create may still be answering, looking again at {}", job.id(),
					job.provider(), deadline);
			return this.outcomes.retryAt(job, deadline, null);
		}
		log.info("job {} not found at {}; queueing it again", job.id(), job.provider());
		return this.outcomes.change(job,
				(c) -> c.requeued(job.provider() + " never received the job; sending it again", this.outcomes.now()),
				true);
	}

}
