package dev.reelay.provider;

import java.time.Instant;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Tells the instance's circuit breaker how each call went: an answer (even a refusal, which shows the instance is
 * up) resets the run of failures; a retryable failure (no answer, a timeout, a 5xx) adds to it.
 */
final class BreakerFedProvider implements VideoProvider {

	private final VideoProvider delegate;

	private final String instance;

	private final InstanceBreakers breakers;

	BreakerFedProvider(VideoProvider delegate, String instance, InstanceBreakers breakers) {
		this.delegate = delegate;
		this.instance = instance;
		this.breakers = breakers;
	}

	@Override
	public Mono<RemoteJob> submit(GenerationRequest request) {
		return fed(this.delegate.submit(request));
	}

	@Override
	public Mono<RemoteJob> status(String remoteId) {
		return fed(this.delegate.status(remoteId));
	}

	@Override
	public Mono<RemoteContent> content(String remoteId, ContentVariant variant) {
		return fed(this.delegate.content(remoteId, variant));
	}

	@Override
	public boolean offers(ContentVariant variant) {
		return this.delegate.offers(variant);
	}

	@Override
	public Mono<CancelOutcome> cancel(String remoteId) {
		return fed(this.delegate.cancel(remoteId));
	}

	@Override
	public Flux<SubmittedGeneration> findSubmitted(GenerationRequest request, Instant notBefore) {
		return fed(this.delegate.findSubmitted(request, notBefore).collectList()).flatMapIterable((found) -> found);
	}

	@Override
	public boolean canFindSubmitted() {
		return this.delegate.canFindSubmitted();
	}

	@Override
	public int findRequests() {
		return this.delegate.findRequests();
	}

	private <T> Mono<T> fed(Mono<T> call) {
		return call.doOnSuccess((answer) -> this.breakers.succeeded(this.instance)).doOnError((error) -> {
			if (error instanceof ProviderException failed) {
				if (failed.kind() == ProviderException.Kind.RETRYABLE) {
					this.breakers.failed(this.instance);
				}
				else {
					this.breakers.succeeded(this.instance);
				}
			}
		});
	}

}
