package dev.reelay.provider.openai;

import java.util.Objects;

import dev.reelay.provider.ProviderErrors;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.RemoteJob;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/** Turns the contract's error envelopes and failed jobs into classified errors with plain words. */
final class OpenAiErrors {

	private OpenAiErrors() {
	}

	static ProviderException classify(String provider, int status, HttpHeaders headers, OpenAiVideo.ErrorBody body) {
		ProviderException.Kind kind = ProviderErrors.kindOf(status);
		String shouldRetry = headers.getFirst("x-should-retry");
		if ("true".equalsIgnoreCase(shouldRetry) && kind == ProviderException.Kind.PERMANENT) {
			kind = ProviderException.Kind.RETRYABLE;
		}
		if ("false".equalsIgnoreCase(shouldRetry) || "insufficient_quota".equals(body.code())) {
			// A quota 429 needs a person to act (billing); retrying only burns the limit.
			kind = ProviderException.Kind.PERMANENT;
		}
		String code = (body.code() != null) ? body.code() : defaultCode(status);
		String detail = (body.message() != null) ? body.message() : "HTTP " + status;
		return new ProviderException(kind, code, plainWords(provider, status, code, detail), status,
				ProviderErrors.retryAfter(headers), headers.getFirst("x-request-id"), null);
	}

	static RemoteJob.RemoteError jobFailure(OpenAiVideo.@Nullable VideoError error) {
		String code = (error != null && error.code() != null) ? error.code() : "generation_failed";
		String detail = (error != null) ? Objects.requireNonNullElse(error.message(), "") : "";
		String message = switch (code) {
			case "moderation_blocked" ->
				"The provider's safety system blocked this request. Try a different prompt or image.";
			default -> "The provider could not generate this video" + (detail.isEmpty() ? "." : ": " + detail);
		};
		return new RemoteJob.RemoteError(code, message);
	}

	private static String defaultCode(int status) {
		return switch (status) {
			case 401 -> "authentication_failed";
			case 403 -> "permission_denied";
			case 404 -> "not_found";
			case 429 -> "rate_limited";
			default -> (status >= 500) ? "provider_error" : "invalid_request";
		};
	}

	private static String plainWords(String provider, int status, String code, String detail) {
		if ("insufficient_quota".equals(code)) {
			return provider + " says the account has no quota left; add credit, then retry.";
		}
		return switch (status) {
			case 401 -> provider + " rejected the API key. Check the key configured for it.";
			case 403 -> provider + " does not allow this account to use that model: " + detail;
			case 404 -> provider + " does not know this video (it may have expired): " + detail;
			case 429 -> provider + " is rate limiting requests; Reelay waits and tries again.";
			default -> (status >= 500) ? provider + " had an internal error (HTTP " + status + "); Reelay retries."
					: provider + " rejected the request: " + detail;
		};
	}

}
