package dev.reelay.provider;

import java.util.Locale;
import java.util.concurrent.TimeoutException;

import org.springframework.modulith.NamedInterface;

/**
 * Why a provider call or a job failed, in the few classes operators alert on. Used as a metrics tag, so the set is
 * small and closed: an error nobody classified yet is {@link #OTHER}, never a new tag value.
 */
@NamedInterface("view")
public enum ErrorClass {

	RATE_LIMIT, MODERATION, TIMEOUT, UNREACHABLE, PROVIDER_5XX, GENERATION_FAILED, VALIDATION, AUTHENTICATION, QUOTA,
	NOT_FOUND, OTHER;

	/** The tag value, e.g. {@code rate_limit}. */
	public String tag() {
		return name().toLowerCase(Locale.ROOT);
	}

	/** A failed call: its code says most, then the HTTP status, then whether any answer came back at all. */
	public static ErrorClass of(ProviderException error) {
		for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) {
			if (cause instanceof TimeoutException) {
				return TIMEOUT;
			}
		}
		ErrorClass byCode = ofCode(error.code());
		if (byCode != OTHER) {
			return byCode;
		}
		int status = error.httpStatus();
		if (status == 0) {
			return UNREACHABLE;
		}
		if (status == 429) {
			return RATE_LIMIT;
		}
		if (status == 408 || status == 504) {
			return TIMEOUT;
		}
		if (status >= 500) {
			return PROVIDER_5XX;
		}
		return switch (status) {
			case 400, 422 -> VALIDATION;
			case 401, 403 -> AUTHENTICATION;
			case 404 -> NOT_FOUND;
			default -> OTHER;
		};
	}

	/**
	 * A stored error code (a failed job keeps only its code); codes no family uses yet are {@link #OTHER}. The one place
	 * that knows which codes mean what: billing (a moderated generation is free at some providers), metrics, and the
	 * job's {@code error.kind} that the page reads (a prompt moderation refused is offered for editing, not retried).
	 */
	public static ErrorClass ofCode(String code) {
		if (isModeration(code)) {
			return MODERATION;
		}
		return switch (code) {
			case "rate_limited", "rate_limit_exceeded" -> RATE_LIMIT;
			case "provider_timeout", "timeout" -> TIMEOUT;
			case "provider_unreachable", "connection_refused" -> UNREACHABLE;
			case "provider_error", "server_error" -> PROVIDER_5XX;
			case "internal_error", "generation_failed" -> GENERATION_FAILED;
			case "invalid_request", "invalid_request_error" -> VALIDATION;
			case "authentication_failed", "permission_denied", "invalid_api_key" -> AUTHENTICATION;
			case "insufficient_quota" -> QUOTA;
			case "not_found" -> NOT_FOUND;
			default -> OTHER;
		};
	}


	/**
	 * What the families call a refusal by moderation: OpenAI's and the simulator's {@code moderation_blocked}, EvoLink's
	 * and fal's {@code content_policy_violation} (fal also names other types for its checks), Veo's
	 * {@code safety_filtered} (its filters removed the video), and Runway's {@code SAFETY.*} failure codes.
	 */
	private static boolean isModeration(String code) {
		return code.equals("moderation_blocked") || code.equals("safety_filtered") || code.startsWith("SAFETY")
				|| code.contains("content_policy") || code.contains("moderation");
	}

}
