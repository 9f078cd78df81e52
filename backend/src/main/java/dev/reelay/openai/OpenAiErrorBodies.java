package dev.reelay.openai;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Every error answered under {@code /v1} in OpenAI's shape, {@code {"error": {"message", "type", "param",
 * "code"}}}, whoever wrote it: the firewall and the tenant gate (401, 429), Spring (404, 405, 415, an unreadable
 * body), Reelay's problem handler (a job field, quotas, budgets) and this package's own errors. They all write RFC
 * 9457 problems; this rewrites a problem's body on its way out, so the SDKs' error classes get the message and
 * parameter they read. Runs just inside the security-header filter and outside the firewall, so it sees them all.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
class OpenAiErrorBodies implements WebFilter {

	static final String BASE = "/v1";

	/** Problems are a few hundred bytes; anything near this is not one this filter should hold. */
	private static final int MAX_PROBLEM = 64 * 1024;

	private final JsonMapper json;

	OpenAiErrorBodies(JsonMapper json) {
		this.json = json;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (!isOpenAiPath(exchange)) {
			return chain.filter(exchange);
		}
		return chain.filter(exchange.mutate().response(new Rewriting(exchange.getResponse())).build());
	}

	/**
	 * On the routed path (decoded, as the gate decides), with dot segments and empty segments resolved: a spelling
	 * the firewall refuses ({@code /./v1/videos}, {@code //v1/videos}) still asked for this API, and gets its error.
	 */
	static boolean isOpenAiPath(ServerWebExchange exchange) {
		Deque<String> segments = new ArrayDeque<>();
		for (PathContainer.Element element : exchange.getRequest().getPath().pathWithinApplication().elements()) {
			if (!(element instanceof PathContainer.PathSegment segment)) {
				continue;
			}
			for (String part : segment.valueToMatch().split("/")) {
				if (part.equals("..")) {
					segments.pollLast();
				}
				else if (!part.isEmpty() && !part.equals(".")) {
					segments.addLast(part);
				}
			}
		}
		return under("/" + String.join("/", segments));
	}

	private static boolean under(String path) {
		return path.equals(BASE) || path.startsWith(BASE + "/");
	}

	private final class Rewriting extends ServerHttpResponseDecorator {

		Rewriting(ServerHttpResponse delegate) {
			super(delegate);
		}

		@Override
		public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
			MediaType type = getHeaders().getContentType();
			if (type == null || !MediaType.APPLICATION_PROBLEM_JSON.isCompatibleWith(type)) {
				return super.writeWith(body);
			}
			return DataBufferUtils.join(Flux.from(body), MAX_PROBLEM).flatMap((joined) -> {
				byte[] problem = new byte[joined.readableByteCount()];
				joined.read(problem);
				DataBufferUtils.release(joined);
				byte[] error = rewrite(problem);
				getHeaders().setContentType(MediaType.APPLICATION_JSON);
				getHeaders().setContentLength(error.length);
				return super.writeWith(Mono.just(bufferFactory().wrap(error)));
			});
		}

		private byte[] rewrite(byte[] problem) {
			Map<?, ?> members;
			try {
				members = OpenAiErrorBodies.this.json.readValue(problem, Map.class);
			}
			catch (RuntimeException ex) {
				members = Map.of();
			}
			HttpStatusCode status = getStatusCode();
			int code = (status != null) ? status.value() : 500;
			Object detail = members.get("detail");
			Object title = members.get("title");
			String message = (detail != null) ? detail.toString() : (title != null) ? title.toString() : "Error " + code;
			Map<String, @Nullable Object> error = new LinkedHashMap<>();
			error.put("message", message);
			error.put("type", type(code));
			error.put("param", text(members.get("field")));
			error.put("code", (members.get("code") instanceof String given) ? given : code(code));
			return OpenAiErrorBodies.this.json.writeValueAsBytes(Map.of("error", error));
		}

	}

	private static @Nullable String text(@Nullable Object value) {
		return (value != null) ? value.toString() : null;
	}

	/** OpenAI's error types, by status. */
	static String type(int status) {
		return switch (status) {
			case 401 -> "authentication_error";
			case 402 -> "insufficient_quota";
			case 403 -> "permission_error";
			case 404 -> "invalid_request_error";
			case 429 -> "rate_limit_error";
			default -> (status >= 500) ? "server_error" : "invalid_request_error";
		};
	}

	private static @Nullable String code(int status) {
		return switch (status) {
			case 401 -> "invalid_api_key";
			case 402 -> "insufficient_quota";
			case 404 -> "not_found";
			case 429 -> "rate_limit_exceeded";
			default -> null;
		};
	}

}
