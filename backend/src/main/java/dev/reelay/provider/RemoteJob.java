package dev.reelay.provider;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * A provider's view of one generation, mapped onto Reelay's terms; {@code usage} is what the provider said about
 * its cost in this answer, when it said anything.
 */
public record RemoteJob(String remoteId, RemoteStatus status, int progress, @Nullable RemoteError error,
		@Nullable Duration pollAfter, @Nullable String requestId, @Nullable ProviderUsage usage) {

	/** For the many answers that say nothing about cost. */
	public RemoteJob(String remoteId, RemoteStatus status, int progress, @Nullable RemoteError error,
			@Nullable Duration pollAfter, @Nullable String requestId) {
		this(remoteId, status, progress, error, pollAfter, requestId, null);
	}

	/** A generation the provider says failed: its code, and a sentence a person can act on. */
	public record RemoteError(String code, String message) {
	}

}
