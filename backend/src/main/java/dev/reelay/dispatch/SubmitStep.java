package dev.reelay.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import dev.reelay.catalog.ModelSpec;
import dev.reelay.job.Job;
import dev.reelay.job.JobError;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.VideoProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Sends a queued job's create. The intent is written before the call ({@code submitting}), the provider's id the
 * moment it answers ({@code accepted}); a create without an answer is never sent again blindly but reconciled
 * ({@link ReconcileStep}) once it could no longer be answering.
 */
@Component
class SubmitStep {

	private static final Logger log = LoggerFactory.getLogger(SubmitStep.class);

	private final StepOutcomes outcomes;

	private final DispatchSettings settings;

	private final CreateWindow window;

	private final FreshPermits permits;

	private final GenerationRequests requests;

	private final AcceptedCreates accepted;

	private final Failover failover;

	SubmitStep(StepOutcomes outcomes, DispatchSettings settings, CreateWindow window,
			FreshPermits permits, GenerationRequests requests, AcceptedCreates accepted, Failover failover) {
		this.failover = failover;
		this.outcomes = outcomes;
		this.settings = settings;
		this.window = window;
		this.permits = permits;
		this.requests = requests;
		this.accepted = accepted;
	}

	Mono<Job> run(Job job, VideoProvider provider) {
		if (job.attempts() >= this.settings.maxSubmitAttempts()) {
			return this.outcomes.fail(job, new JobError("submit_attempts_exhausted",
					"Gave up after " + job.attempts() + " attempts to submit the job to " + job.provider() + ".", true));
		}
		// Should this instance stop or die with the create on the wire, the job is not due for reconciliation before
		// the create could have been answered and listed: looking earlier finds nothing and sends it again.
		return this.outcomes.change(job, (c) -> {
			Instant now = this.outcomes.now();
			c.priced(this.failover.priceOn(job, job.provider()))
				.submitting(now, this.window.closesAfter(job, now), "submitting to " + job.provider());
		}, false)
			.flatMap((submitting) -> this.requests.of(submitting).flatMap((request) -> {
				boolean limited = this.settings.limitsFor(job.provider()).countsSubmissions();
				return this.permits.mayCall(job, CallLedger.SUBMIT, limited).flatMap((may) -> may
						? provider.submit(request)
							.flatMap((remote) -> this.accepted.accept(submitting, remote, provider))
							.onErrorResume(ProviderException.class, (error) -> failed(submitting, error))
						: this.outcomes.change(submitting, (c) -> c.unsent("waiting for rate limit at " + job.provider(),
								this.outcomes.now(), job.submitStartedAt()), true));
			}));
	}

	private Mono<Job> failed(Job submitting, ProviderException error) {
		Optional<ModelSpec.Route> next = this.failover.next(submitting, error);
		if (next.isPresent()) {
			return movedTo(submitting, next.get().provider(), error);
		}
		return switch (error.kind()) {
			// Refused before anything was created: waiting for a limit is not a failed attempt.
			case RATE_LIMITED -> this.outcomes.pauseProvider(submitting, error)
				.flatMap((until) -> this.outcomes.change(submitting, (c) -> c.unsent(
						"waiting for rate limit at " + submitting.provider(), until, submitting.submitStartedAt()), true));
			case PERMANENT -> this.outcomes.fail(submitting, new JobError(error.code(), error.getMessage(), false));
			// No answer: the provider may have created (and billed) the job. Look for it before submitting again, but
			// only once the provider has had time to finish the create and list it: "not found" is final only then.
			case RETRYABLE -> this.outcomes.change(submitting,
					(c) -> c.reconciling("checking whether " + submitting.provider() + " received the job",
							this.outcomes.now().plus(longest(this.outcomes.waitAfter(error, submitting.attempts()),
									this.window.grace(submitting)))),
					true);
		};
	}

	/**
	 * The route certainly did not accept the create: the job goes to {@code route}, at once. A rate limit still pauses
	 * the route that sent it (and is not a failed attempt); a refusal of another kind counts as one.
	 */
	private Mono<Job> movedTo(Job submitting, String route, ProviderException error) {
		String from = submitting.provider();
		log.info("job {}: {} did not accept the create ({}, {}); moving it to route {}", submitting.id(), from,
				error.code(), (error.httpStatus() != 0) ? "HTTP " + error.httpStatus() : "not sent", route);
		boolean rateLimited = error.kind() == ProviderException.Kind.RATE_LIMITED;
		Mono<Instant> paused = rateLimited ? this.outcomes.pauseProvider(submitting, error)
				: Mono.just(this.outcomes.now());
		return paused.flatMap((ignored) -> this.outcomes.change(submitting,
				(c) -> c.movedTo(route, this.failover.priceOn(submitting, route),
						from + " did not accept the job (" + error.code() + "); sent to " + route,
						this.outcomes.now(), !rateLimited),
				true));
	}

	private static Duration longest(Duration one, Duration other) {
		return (one.compareTo(other) >= 0) ? one : other;
	}

}
