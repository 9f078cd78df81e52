package dev.reelay.provider;

import java.time.Instant;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The port every provider family implements, driven by the dispatcher alone (webhooks are checked by a
 * {@link WebhookVerifier}). Calls never retry by themselves: the dispatcher owns retries, because a blind retry of
 * {@link #submit} can bill a second generation.
 */
public interface VideoProvider {

	/** Creates a remote generation. A {@link ProviderException} that is not retryable means nothing was created. */
	Mono<RemoteJob> submit(GenerationRequest request);

	Mono<RemoteJob> status(String remoteId);

	/** The finished video (or another variant) as a stream; the caller must consume or cancel the body. */
	Mono<RemoteContent> content(String remoteId, ContentVariant variant);

	default Mono<RemoteContent> content(String remoteId) {
		return content(remoteId, ContentVariant.VIDEO);
	}

	/** Whether {@link #content} can fetch this variant; every family offers the video, few anything more. */
	default boolean offers(ContentVariant variant) {
		return variant == ContentVariant.VIDEO;
	}

	/** Most families have no way to stop a generation; the job is then canceled here and its result discarded. */
	default Mono<CancelOutcome> cancel(String remoteId) {
		return Mono.just(CancelOutcome.UNSUPPORTED);
	}

	/**
	 * Every generation created at or after {@code notBefore} that this request could have started, for when a
	 * submit's outcome is unknown: all of them, matched on every field the provider echoes, as more than one means
	 * the caller cannot tell which is its own. Empty when the provider has none (or cannot tell).
	 */
	default Flux<SubmittedGeneration> findSubmitted(GenerationRequest request, Instant notBefore) {
		return Flux.empty();
	}

	/**
	 * Whether {@link #findSubmitted} can really tell: a family with no way to list or look up its jobs cannot, and
	 * a job whose create went unanswered there is not sent again (it might be paid for twice). Off unless a family
	 * says otherwise, as the safe side of that choice is not paying twice.
	 */
	default boolean canFindSubmitted() {
		return false;
	}

	/**
	 * The most HTTP requests one {@link #findSubmitted} may send (list pages, say), so that a rate budget can be
	 * taken for all of them before it starts.
	 */
	default int findRequests() {
		return 1;
	}

}
