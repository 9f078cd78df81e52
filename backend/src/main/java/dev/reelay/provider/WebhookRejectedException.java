package dev.reelay.provider;

import org.springframework.modulith.NamedInterface;

/**
 * A webhook that is not provably from the provider (or not recent), one this instance does not take, or one that
 * cannot be checked just now.
 */
@NamedInterface("webhooks")
public class WebhookRejectedException extends RuntimeException {

	public enum Reason {

		/** Missing or wrong signature, or signed with no secret we hold. */
		UNVERIFIED,
		/** Signed, but the timestamp is outside the tolerance: a replay or a badly wrong clock. */
		STALE,
		/** The instance has no webhook secret configured, or its family has no webhooks. */
		NOT_ACCEPTED,
		/** It cannot be checked now (the provider's published keys could not be fetched): the sender retries. */
		UNAVAILABLE

	}

	private final Reason reason;

	public WebhookRejectedException(Reason reason, String message) {
		super(message);
		this.reason = reason;
	}

	public Reason reason() {
		return this.reason;
	}

}
