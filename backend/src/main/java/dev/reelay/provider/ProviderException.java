package dev.reelay.provider;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * A failed provider call, classified. {@link Kind#RATE_LIMITED} and {@link Kind#PERMANENT} mean the call had no
 * effect; {@link Kind#RETRYABLE} (5xx, timeouts, broken connections) leaves the outcome of a create unknown.
 */
public class ProviderException extends RuntimeException {

	public enum Kind {

		RATE_LIMITED, RETRYABLE, PERMANENT

	}

	/**
	 * The code of a call that never left: no connection could be made. Still {@link Kind#RETRYABLE} (callers that
	 * cannot tell treat it as any unanswered call), but a create failing so was certainly not accepted.
	 */
	public static final String NOT_SENT = "connection_refused";

	private final Kind kind;

	private final String code;

	private final int httpStatus;

	private final @Nullable Duration retryAfter;

	private final @Nullable String requestId;

	public ProviderException(Kind kind, String code, String message, int httpStatus, @Nullable Duration retryAfter,
			@Nullable String requestId, @Nullable Throwable cause) {
		super(message, cause);
		this.kind = kind;
		this.code = code;
		this.httpStatus = httpStatus;
		this.retryAfter = retryAfter;
		this.requestId = requestId;
	}

	public Kind kind() {
		return this.kind;
	}

	public boolean isRetryable() {
		return this.kind != Kind.PERMANENT;
	}

	/** The request never reached the provider (see {@link #NOT_SENT}): a create failing so was not accepted. */
	public boolean notSent() {
		return NOT_SENT.equals(this.code) && this.httpStatus == 0;
	}

	/** A stable, machine-readable reason such as {@code rate_limited} or {@code moderation_blocked}. */
	public String code() {
		return this.code;
	}

	/** 0 when no HTTP response was received. */
	public int httpStatus() {
		return this.httpStatus;
	}

	public @Nullable Duration retryAfter() {
		return this.retryAfter;
	}

	public @Nullable String requestId() {
		return this.requestId;
	}

}
