package dev.reelay.dispatch;

import java.time.Instant;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.reelay.provider.CancelOutcome;
import dev.reelay.provider.ContentVariant;
import dev.reelay.provider.ErrorClass;
import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.RemoteContent;
import dev.reelay.provider.RemoteJob;
import dev.reelay.provider.SubmittedGeneration;
import dev.reelay.provider.VideoProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Times every call the dispatcher makes to a provider ({@code reelay.provider.calls}, by operation and outcome)
 * and tallies it for the job in the step's {@link ProviderCalls}.
 */
final class MeteredProvider implements VideoProvider {

	private final VideoProvider delegate;

	private final String instance;

	private final MeterRegistry registry;

	private final PollPermits permits;

	MeteredProvider(VideoProvider delegate, String instance, MeterRegistry registry, PollPermits permits) {
		this.delegate = delegate;
		this.instance = instance;
		this.registry = registry;
		this.permits = permits;
	}

	/**
	 * Permits of the poll budget for calls beyond the one a step's claim counted; false when the budget is spent.
	 */
	@FunctionalInterface
	interface PollPermits {

		PollPermits UNLIMITED = (count) -> Mono.just(true);

		Mono<Boolean> take(int count);

	}

	/** A call not sent because the poll budget has no permit for it now: the step waits, nothing failed. */
	static final class BudgetSpent extends RuntimeException {

		BudgetSpent(String instance) {
			super("the poll budget of " + instance + " is spent for now", null, false, false);
		}

	}

	@Override
	public Mono<RemoteJob> submit(GenerationRequest request) {
		return observe("submit", () -> this.delegate.submit(request), RemoteJob::requestId);
	}

	@Override
	public Mono<RemoteJob> status(String remoteId) {
		return observe("status", () -> this.delegate.status(remoteId), RemoteJob::requestId);
	}

	@Override
	public Mono<RemoteContent> content(String remoteId, ContentVariant variant) {
		// Timed until the response starts; the body's transfer is the download timeout's business. A thumbnail (or
		// another variant) is its own operation, so the video downloads' figures stay what they were.
		String operation = (variant == ContentVariant.VIDEO) ? "content" : variant.name().toLowerCase(Locale.ROOT);
		return observe(operation, () -> this.delegate.content(remoteId, variant), (content) -> null);
	}

	@Override
	public boolean offers(ContentVariant variant) {
		return this.delegate.offers(variant);
	}

	@Override
	public Mono<CancelOutcome> cancel(String remoteId) {
		return observe("cancel", () -> this.delegate.cancel(remoteId), (outcome) -> null);
	}

	@Override
	public Flux<SubmittedGeneration> findSubmitted(GenerationRequest request, Instant notBefore) {
		// A search may read several list pages, each a request: permits for all of them are taken up front. It is
		// timed and tallied as one call whatever the number of pages or matches.
		return observe("find", this.delegate.findRequests(),
				() -> this.delegate.findSubmitted(request, notBefore).collectList(), (found) -> null)
			.flatMapIterable((found) -> found);
	}

	@Override
	public boolean canFindSubmitted() {
		return this.delegate.canFindSubmitted();
	}

	@Override
	public int findRequests() {
		return this.delegate.findRequests();
	}

	private <T> Mono<T> observe(String operation, Supplier<Mono<T>> call, Function<T, @Nullable String> requestId) {
		return observe(operation, 1, call, requestId);
	}

	/**
	 * Sends a call of up to {@code requests} HTTP requests once the poll budget allows those its step's claim did
	 * not count (see {@link ProviderCalls#permitsNeeded}); fails with {@link BudgetSpent} when it does not.
	 */
	private <T> Mono<T> observe(String operation, int requests, Supplier<Mono<T>> call,
			Function<T, @Nullable String> requestId) {
		return Mono.deferContextual((context) -> {
			ProviderCalls calls = context.getOrDefault(ProviderCalls.class, null);
			int needed = (calls != null) ? calls.permitsNeeded(requests) : 0;
			Mono<Boolean> allowed = (needed > 0) ? this.permits.take(needed) : Mono.just(true);
			return allowed.flatMap((granted) -> granted ? timed(operation, call, requestId, calls)
					: Mono.error(new BudgetSpent(this.instance)));
		});
	}

	private <T> Mono<T> timed(String operation, Supplier<Mono<T>> call, Function<T, @Nullable String> requestId,
			@Nullable ProviderCalls calls) {
		return Mono.defer(() -> {
			if (calls != null) {
				calls.started();
			}
			Timer.Sample sample = Timer.start(this.registry);
			return call.get().doOnSuccess((result) -> {
				if (calls != null && result != null) {
					calls.answered(requestId.apply(result));
				}
				sample.stop(timer(operation, "success"));
			}).doOnError((error) -> {
				String outcome = ErrorClass.OTHER.tag();
				if (error instanceof ProviderException failed) {
					outcome = ErrorClass.of(failed).tag();
					if (calls != null) {
						calls.answered(failed.requestId());
					}
				}
				sample.stop(timer(operation, outcome));
			});
		});
	}

	private Timer timer(String operation, String outcome) {
		return timer(this.registry, this.instance, operation, outcome);
	}

	static Timer timer(MeterRegistry registry, String instance, String operation, String outcome) {
		return Timer.builder("reelay.provider.calls")
			.description("Calls to providers, by operation and outcome (success or the error class)")
			.tag("provider", instance)
			.tag("operation", operation)
			.tag("outcome", outcome)
			.register(registry);
	}

}
