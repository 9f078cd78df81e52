package dev.reelay.dispatch;

import java.util.UUID;

import dev.reelay.provider.ContentVariant;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.VideoProvider;
import dev.reelay.storage.StoredFile;
import dev.reelay.storage.VideoStorage;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import org.springframework.stereotype.Component;

/**
 * Saves a finished video's thumbnail where the provider offers one. Best effort: a few quick tries within a short
 * time limit, because a job must never wait long (let alone fail) for a still image.
 */
@Component
class ThumbnailDownload {

	static final String SUFFIX = "-thumbnail";

	private final VideoStorage storage;

	private final ThumbnailSettings settings;

	ThumbnailDownload(VideoStorage storage, ThumbnailSettings settings) {
		this.storage = storage;
		this.settings = settings;
	}

	/**
	 * The stored thumbnail; empty when the provider offers none. Fails with the last error once every attempt has
	 * failed or the time is up; a refusal (permanent, or a 429) is not tried again.
	 */
	Mono<StoredFile> fetch(UUID jobId, String remoteId, VideoProvider provider) {
		if (!provider.offers(ContentVariant.THUMBNAIL)) {
			return Mono.empty();
		}
		return Mono.defer(() -> provider.content(remoteId, ContentVariant.THUMBNAIL))
			.flatMap((content) -> this.storage.store(jobId + SUFFIX, content.contentType(), content.body()))
			.retryWhen(Retry.backoff(Math.max(this.settings.attempts() - 1, 0), this.settings.retryBase())
				.filter(ThumbnailDownload::worthRetrying)
				.onRetryExhaustedThrow((spec, signal) -> signal.failure()))
			.timeout(this.settings.timeout());
	}

	/**
	 * Transient failures only: a 429 asks for quiet, a permanent answer will not change, and a spent poll budget
	 * has no permit to spare for a still image.
	 */
	private static boolean worthRetrying(Throwable error) {
		if (error instanceof MeteredProvider.BudgetSpent) {
			return false;
		}
		return !(error instanceof ProviderException provided) || provided.kind() == ProviderException.Kind.RETRYABLE;
	}

}
