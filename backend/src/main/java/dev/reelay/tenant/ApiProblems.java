package dev.reelay.tenant;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.server.ServerWebExchange;

/**
 * RFC 9457 problems for this package: written straight to the response by the filter (which runs before any
 * controller advice could), or thrown as {@link ErrorResponseException} by the controllers. Never with a key in them.
 */
final class ApiProblems {

	static final URI UNAUTHORIZED = URI.create("https://reelay.dev/problems/unauthorized");

	static final URI FORBIDDEN = URI.create("https://reelay.dev/problems/forbidden");

	static final URI RATE_LIMITED = URI.create("https://reelay.dev/problems/rate-limited");

	private static final URI INVALID = URI.create("https://reelay.dev/problems/invalid-request");

	private ApiProblems() {
	}

	static ProblemDetail problem(HttpStatus status, URI type, String title, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(type);
		problem.setTitle(title);
		return problem;
	}

	static Mono<Void> write(ServerWebExchange exchange, ProblemDetail problem, JsonMapper json) {
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(HttpStatus.valueOf(problem.getStatus()));
		response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		// The members themselves: the JSON codecs flatten a ProblemDetail with a mix-in that a plain mapper lacks.
		Map<String, Object> members = new LinkedHashMap<>();
		members.put("type", String.valueOf(problem.getType()));
		members.put("title", problem.getTitle());
		members.put("status", problem.getStatus());
		members.put("detail", problem.getDetail());
		members.put("instance", exchange.getRequest().getPath().value());
		byte[] body = json.writeValueAsBytes(members);
		return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(body)));
	}

	static ErrorResponseException invalid(String field, String detail) {
		ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, INVALID, "Invalid request", detail);
		problem.setProperty("field", field);
		problem.setProperty("errors", List.of(Map.of("field", field, "message", detail)));
		return new ErrorResponseException(HttpStatus.BAD_REQUEST, problem, null);
	}

	static ErrorResponseException notFound(String what) {
		return new ErrorResponseException(HttpStatus.NOT_FOUND,
				problem(HttpStatus.NOT_FOUND, URI.create("about:blank"), "Not found", what), null);
	}

}
