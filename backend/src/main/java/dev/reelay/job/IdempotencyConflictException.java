package dev.reelay.job;

/** An Idempotency-Key sent again with a different request body. */
public class IdempotencyConflictException extends RuntimeException {

	public IdempotencyConflictException(String key) {
		super("Idempotency-Key '" + key + "' was already used with a different request; use a new key for a new request");
	}

}
