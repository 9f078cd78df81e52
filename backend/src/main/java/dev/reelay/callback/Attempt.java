package dev.reelay.callback;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One try at delivering a webhook: the receiver's status code and the start of its answer, or what went wrong
 * before there was one ({@code statusCode} null).
 */
record Attempt(Instant at, @Nullable Integer statusCode, long durationMs, @Nullable String error,
		@Nullable String responseExcerpt) {

	static Attempt failed(Instant at, long durationMs, String error) {
		return new Attempt(at, null, durationMs, error, null);
	}

	boolean succeeded() {
		return this.statusCode != null && this.statusCode >= 200 && this.statusCode < 300;
	}

}
