package dev.reelay.web;

import java.nio.charset.StandardCharsets;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;

/**
 * 503 with Retry-After for database trouble that happens outside a controller, where {@link ApiProblemHandler}
 * does not see it: above all the API key lookup in the request filters while the database is unreachable. Ahead of
 * Spring Boot's error handler, which would answer 500.
 */
@Component
@Order(-2)
class DatabaseUnavailableHandler implements WebExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(DatabaseUnavailableHandler.class);

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
		ServerHttpResponse response = exchange.getResponse();
		if (response.isCommitted() || !DatabaseUnavailable.is(ex)) {
			return Mono.error(ex);
		}
		log.warn("database unavailable answering {}: {}", exchange.getRequest().getPath(), ex.toString());
		response.setStatusCode(HttpStatus.SERVICE_UNAVAILABLE);
		response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		response.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(DatabaseUnavailable.RETRY_AFTER.toSeconds()));
		byte[] body = ("{\"type\":\"about:blank\",\"title\":\"Service unavailable\",\"status\":503,\"detail\":\""
				+ DatabaseUnavailable.DETAIL + "\",\"instance\":\"" + jsonSafe(exchange.getRequest().getPath().value())
				+ "\"}").getBytes(StandardCharsets.UTF_8);
		DataBuffer buffer = response.bufferFactory().wrap(body);
		return response.writeWith(Mono.just(buffer));
	}

	// The path as routed is already percent-encoded; only quotes and backslashes could break the JSON string.
	private static String jsonSafe(String path) {
		return path.replace("\\", "\\\\").replace("\"", "\\\"");
	}

}
