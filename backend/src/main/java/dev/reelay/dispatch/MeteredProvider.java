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
import dev.reelay.provider.WebhookDelivery;
import dev.reelay.provider.WebhookNotice;
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

	MeteredProvider(VideoProvider delegate, String instance, MeterRegistry registry) {
		this.delegate = delegate;
		this.instance = instance;
		this.registry = registry;
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
		// One search, timed and tallied as one call whatever the number of pages or matches.
		return observe("find", () -> this.delegate.findSubmitted(request, notBefore).collectList(), (found) -> null)
			.flatMapIterable((found) -> found);
	}

	@Override
	public boolean canFindSubmitted() {
		return this.delegate.canFindSubmitted();
	}

	@Override
	public Mono<WebhookNotice> verifyWebhook(WebhookDelivery delivery) {
		// No provider call: a signature check on a body already received.
		return this.delegate.verifyWebhook(delivery);
	}

	private <T> Mono<T> observe(String operation, Supplier<Mono<T>> call, Function<T, @Nullable String> requestId) {
		return Mono.deferContextual((context) -> {
			ProviderCalls calls = context.getOrDefault(ProviderCalls.class, null);
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
		return Timer.builder("reelay.provider.calls")
			.description("Calls to providers, by operation and outcome (success or the error class)")
			.tag("provider", this.instance)
			.tag("operation", operation)
			.tag("outcome", outcome)
			.register(this.registry);
	}

}
