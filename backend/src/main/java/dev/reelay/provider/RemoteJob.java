package dev.reelay.provider;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/** A provider's view of one generation, mapped onto Reelay's terms. */
public record RemoteJob(String remoteId, RemoteStatus status, int progress, @Nullable RemoteError error,
		@Nullable Duration pollAfter, @Nullable String requestId) {

	/** A generation the provider says failed: its code, and a sentence a person can act on. */
	public record RemoteError(String code, String message) {
	}

}
