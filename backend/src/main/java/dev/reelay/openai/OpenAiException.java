package dev.reelay.openai;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * An error this API answers, as a problem with the parameter at fault ({@code field}) and OpenAI's error code; the
 * {@link OpenAiErrorBodies} filter writes every problem under {@code /v1} in OpenAI's shape, so this one travels
 * the same road as Reelay's own problems (a bad job field, an unknown job, an over-quota tenant).
 */
final class OpenAiException extends ErrorResponseException {

	private OpenAiException(HttpStatus status, @Nullable String param, @Nullable String code, String message) {
		super(status, problem(status, param, code, message), null);
	}

	private static ProblemDetail problem(HttpStatus status, @Nullable String param, @Nullable String code,
			String message) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, message);
		if (param != null) {
			problem.setProperty("field", param);
		}
		if (code != null) {
			problem.setProperty("code", code);
		}
		return problem;
	}

	static OpenAiException invalid(String param, String message) {
		return new OpenAiException(HttpStatus.BAD_REQUEST, param, null, message);
	}

	static OpenAiException invalid(String param, String code, String message) {
		return new OpenAiException(HttpStatus.BAD_REQUEST, param, code, message);
	}

	static OpenAiException notFound(@Nullable String param, String message) {
		return new OpenAiException(HttpStatus.NOT_FOUND, param, "not_found", message);
	}

	static OpenAiException conflict(@Nullable String param, String code, String message) {
		return new OpenAiException(HttpStatus.CONFLICT, param, code, message);
	}

	/** A call of the OpenAI API that Reelay does not serve. */
	static OpenAiException unsupported(String message) {
		return new OpenAiException(HttpStatus.NOT_FOUND, null, "unsupported_endpoint", message);
	}

}
