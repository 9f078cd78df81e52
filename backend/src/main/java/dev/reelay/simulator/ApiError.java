package dev.reelay.simulator;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.reelay.simulator.ApiObjects.ErrorBody;
import dev.reelay.simulator.ApiObjects.ErrorEnvelope;

/**
 * An answer in OpenAI's error envelope. Thrown (as a Mono error) anywhere in the simulator and turned into the
 * response by {@link SimulatorFilter}, so handlers can fail from deep inside a reactive chain.
 */
final class ApiError extends RuntimeException {

	static final String INVALID_REQUEST = "invalid_request_error";

	private final HttpStatus status;

	private final String type;

	private final @Nullable String param;

	private final @Nullable String code;

	private final @Nullable Duration retryAfter;

	private ApiError(HttpStatus status, String message, String type, @Nullable String param, @Nullable String code,
			@Nullable Duration retryAfter) {
		super(message, null, false, false);
		this.status = status;
		this.type = type;
		this.param = param;
		this.code = code;
		this.retryAfter = retryAfter;
	}

	static ApiError badRequest(String message, @Nullable String param, @Nullable String code) {
		return new ApiError(HttpStatus.BAD_REQUEST, message, INVALID_REQUEST, param, code, null);
	}

	static ApiError notFound(String message) {
		return new ApiError(HttpStatus.NOT_FOUND, message, INVALID_REQUEST, null, null, null);
	}

	static ApiError videoNotFound(String id) {
		return notFound("Video with id '" + id + "' not found.");
	}

	static ApiError unauthorized(String message) {
		return new ApiError(HttpStatus.UNAUTHORIZED, message, INVALID_REQUEST, null, "invalid_api_key", null);
	}

	/** Upstream's 403 (e.g. an unsupported region) uses its own error type. */
	static ApiError forbidden(String message) {
		return new ApiError(HttpStatus.FORBIDDEN, message, "request_forbidden", null, null, null);
	}

	static ApiError rateLimited(Duration retryAfter) {
		return new ApiError(HttpStatus.TOO_MANY_REQUESTS,
				"Rate limit reached for requests per min (RPM) in the Reelay simulator. Please try again in "
						+ retryAfterSeconds(retryAfter) + "s.",
				"requests", null, "rate_limit_exceeded", retryAfter);
	}

	static ApiError serverError() {
		return new ApiError(HttpStatus.INTERNAL_SERVER_ERROR,
				"The server had an error while processing your request. Sorry about that!", "server_error", null,
				null, null);
	}

	/** Upstream says "got an integer instead" and so on; the article matters to clients matching on text. */
	static ApiError invalidType(String param, String expected, String actual) {
		return badRequest("Invalid type for '" + param + "': expected " + expected + ", but got " + actual
				+ " instead.", param, null);
	}

	static ApiError invalidValue(String param, String value, List<String> supported) {
		return badRequest("Invalid value: '" + value + "'. Supported values are: " + quoted(supported, "and") + ".",
				param, "invalid_value");
	}

	static ApiError missing(String param) {
		return badRequest("Missing required parameter: '" + param + "'.", param, "missing_required_parameter");
	}

	/** Renders {@code 'a', 'b', or 'c'} the way upstream messages list enum values. */
	static String quoted(List<String> values, String conjunction) {
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < values.size(); i++) {
			if (i > 0) {
				text.append((values.size() > 2) ? ", " : " ");
			}
			if (i > 0 && i == values.size() - 1) {
				text.append(conjunction).append(' ');
			}
			text.append('\'').append(values.get(i)).append('\'');
		}
		return text.toString();
	}

	Mono<ServerResponse> toResponse() {
		ServerResponse.BodyBuilder response = ServerResponse.status(this.status)
			.contentType(MediaType.APPLICATION_JSON);
		if (this.retryAfter != null) {
			// The SDKs prefer retry-after-ms; Retry-After is whole seconds, at least 1 as the spec requires.
			response.header("Retry-After", String.valueOf(retryAfterSeconds(this.retryAfter)))
				.header("retry-after-ms", String.valueOf(this.retryAfter.toMillis()));
		}
		return response.bodyValue(new ErrorEnvelope(new ErrorBody(getMessage(), this.type, this.param, this.code)));
	}

	private static long retryAfterSeconds(Duration retryAfter) {
		return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
	}

}
