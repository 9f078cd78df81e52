package dev.reelay.provider.support;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

import dev.reelay.provider.ProviderErrors;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.RemoteContent;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * One provider instance's HTTP calls: JSON in and out as trees (so a field or state added upstream never breaks
 * parsing), every call bounded by the instance's timeout, every failure a classified {@link ProviderException}.
 */
public final class ProviderHttp {

	private static final JsonMapper JSON = JsonMapper.shared();

	private final String provider;

	private final WebClient http;

	private final Duration timeout;

	public ProviderHttp(String provider, WebClient.Builder builder, Duration timeout) {
		this.provider = provider;
		// Result URLs (Google's file downloads, CDNs) answer with redirects; keys stay with the host they are for.
		this.http = builder.clone()
			.clientConnector(new ReactorClientHttpConnector(
					HttpClient.create().followRedirect(true, ProviderHttp::dropKeysOnHostChange)))
			.build();
		this.timeout = timeout;
	}

	private static void dropKeysOnHostChange(io.netty.handler.codec.http.HttpHeaders previous,
			HttpClientRequest redirect) {
		String[] from = redirect.redirectedFrom();
		String origin = (from.length > 0) ? from[0] : redirect.resourceUrl();
		if (!Objects.equals(host(origin), host(redirect.resourceUrl()))) {
			redirect.requestHeaders().remove("x-goog-api-key").remove(HttpHeaders.AUTHORIZATION);
		}
	}

	private static @Nullable String host(String url) {
		try {
			return URI.create(url).getAuthority();
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	public WebClient client() {
		return this.http;
	}

	public String provider() {
		return this.provider;
	}

	/** Sends the request and reads a 2xx body as a JSON tree (missing when empty); anything else fails classified. */
	public Mono<JsonNode> json(WebClient.RequestHeadersSpec<?> request) {
		return request.exchangeToMono((response) -> {
			if (!response.statusCode().is2xxSuccessful()) {
				return errorFrom(response).flatMap(Mono::error);
			}
			return response.bodyToMono(String.class).map(ProviderHttp::parse).defaultIfEmpty(MissingNode.getInstance());
		}).timeout(this.timeout).onErrorMap((error) -> ProviderErrors.transportFailure(error, this.provider));
	}

	/** Streams a body; only the response headers are bounded by the timeout, the body is as long as it is. */
	public Mono<RemoteContent> download(WebClient.RequestHeadersSpec<?> request, String fallbackType) {
		return request.retrieve()
			.onStatus((status) -> !status.is2xxSuccessful(), this::errorFrom)
			.toEntityFlux(DataBuffer.class)
			.map((entity) -> {
				MediaType type = entity.getHeaders().getContentType();
				long length = entity.getHeaders().getContentLength();
				return new RemoteContent((type != null) ? type.toString() : fallbackType,
						(length >= 0) ? length : null, Objects.requireNonNull(entity.getBody()));
			})
			.timeout(this.timeout)
			.onErrorMap((error) -> ProviderErrors.transportFailure(error, this.provider));
	}

	private Mono<ProviderException> errorFrom(ClientResponse response) {
		HttpHeaders headers = response.headers().asHttpHeaders();
		int status = response.statusCode().value();
		return response.bodyToMono(String.class)
			.map(ProviderHttp::parse)
			.defaultIfEmpty(MissingNode.getInstance())
			.map((body) -> httpError(status, headers, body));
	}

	/** The shared policy: 408, 409, 429 and 5xx retry, {@code x-should-retry} overrides, the rest is final. */
	public ProviderException httpError(int status, HttpHeaders headers, JsonNode body) {
		ProviderException.Kind kind = ProviderErrors.kindOf(status);
		String shouldRetry = headers.getFirst("x-should-retry");
		if ("true".equalsIgnoreCase(shouldRetry) && kind == ProviderException.Kind.PERMANENT) {
			kind = ProviderException.Kind.RETRYABLE;
		}
		if ("false".equalsIgnoreCase(shouldRetry)) {
			kind = ProviderException.Kind.PERMANENT;
		}
		String detail = Objects.requireNonNullElse(message(body), "HTTP " + status);
		String code = Objects.requireNonNullElse(code(body), defaultCode(status));
		return new ProviderException(kind, code, plainWords(status, detail), status, ProviderErrors.retryAfter(headers),
				firstNonNull(headers.getFirst("x-request-id"), headers.getFirst("x-fal-request-id")), null);
	}

	/**
	 * A create the provider answered with success but no id to follow it by. It may well have started (and be
	 * billed for) a generation, so this is no refusal: the outcome is unknown, and the dispatcher treats it as an
	 * unanswered create (looked for where the family can list its jobs, never sent again where it cannot).
	 */
	public ProviderException acceptedWithoutId(String message) {
		return new ProviderException(ProviderException.Kind.RETRYABLE, "accepted_without_id", message, 0, null, null,
				null);
	}

	public ProviderException permanent(String code, String message) {
		return new ProviderException(ProviderException.Kind.PERMANENT, code, message, 0, null, null, null);
	}

	private String plainWords(int status, String detail) {
		return switch (status) {
			case 401 -> this.provider + " rejected the API key. Check the key configured for it.";
			case 402 -> this.provider + " says the account has no credits left; top up, then retry: " + detail;
			case 403 -> this.provider + " does not allow this account to do that: " + detail;
			case 404 -> this.provider + " does not know this job or model: " + detail;
			case 429 -> this.provider + " is rate limiting requests; Reelay waits and tries again.";
			default -> (status >= 500) ? this.provider + " had an internal error (HTTP " + status + "); Reelay retries."
					: this.provider + " rejected the request: " + detail;
		};
	}

	/** The error sentence, wherever a provider puts it: Google and OpenAI nest it, fal and Kie do not. */
	static @Nullable String message(JsonNode body) {
		return firstNonNull(text(body, "error", "message"), text(body, "error"), text(body, "detail"),
				text(body, "detail", "0", "msg"), text(body, "message"), text(body, "msg"), text(body, "failure"));
	}

	static @Nullable String code(JsonNode body) {
		return firstNonNull(text(body, "error", "status"), text(body, "error", "code"), text(body, "error_type"),
				text(body, "failureCode"), text(body, "code"));
	}

	private static String defaultCode(int status) {
		return switch (status) {
			case 401 -> "authentication_failed";
			case 402 -> "insufficient_credits";
			case 403 -> "permission_denied";
			case 404 -> "not_found";
			case 429 -> "rate_limited";
			default -> (status >= 500) ? "provider_error" : "invalid_request";
		};
	}

	/** Parses text as JSON, or a missing node when it is not JSON (an HTML error page, say). */
	public static JsonNode parse(@Nullable String text) {
		if (text == null || text.isBlank()) {
			return MissingNode.getInstance();
		}
		try {
			return JSON.readTree(text);
		}
		catch (RuntimeException notJson) {
			return MissingNode.getInstance();
		}
	}

	public static String write(Object value) {
		return JSON.writeValueAsString(value);
	}

	/**
	 * The text at a path of field names (or array indexes), numbers and booleans included as text; null when absent,
	 * JSON null, empty, or an object.
	 */
	public static @Nullable String text(JsonNode node, String... path) {
		JsonNode current = node;
		for (String step : path) {
			current = (current.isArray() && step.chars().allMatch(Character::isDigit)) ? current.path(Integer.parseInt(step))
					: current.path(step);
		}
		if (current.isString() || current.isNumber() || current.isBoolean()) {
			String value = current.asString();
			return value.isEmpty() ? null : value;
		}
		return null;
	}

	@SafeVarargs
	public static <T> @Nullable T firstNonNull(@Nullable T... values) {
		for (T value : values) {
			if (value != null) {
				return value;
			}
		}
		return null;
	}

}
