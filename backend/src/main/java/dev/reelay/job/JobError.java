package dev.reelay.job;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.reelay.provider.ErrorClass;

/** Why a job failed: a stable code for programs, a sentence for people, and whether another try may succeed. */
public record JobError(String code, String message, boolean retryable) {

	/**
	 * The kind of failure, from a small closed set ({@code moderation}, {@code rate_limit}, {@code validation}, …; see
	 * {@link ErrorClass}), worked out from the code and never stored: clients (the page among them) tell a refusal by
	 * moderation from other failures without knowing every family's codes.
	 */
	@JsonProperty("kind")
	public String kind() {
		return ErrorClass.ofCode(this.code).tag();
	}

}
