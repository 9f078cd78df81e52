package dev.reelay.web;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.reelay.job.IdempotencyConflictException;
import dev.reelay.job.Job;
import dev.reelay.job.JobNotFinishedException;
import dev.reelay.job.JobNotFoundException;
import dev.reelay.support.BadRequestException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;

import org.springframework.core.MethodParameter;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.resource.NoResourceFoundException;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.MissingRequestValueException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;

/**
 * Every API error as an RFC 9457 problem ({@code application/problem+json}) that names the field at fault, never
 * a bare 500.
 */
@RestControllerAdvice
class ApiProblemHandler extends ResponseEntityExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ApiProblemHandler.class);

	private static final URI INVALID = URI.create("https://reelay.dev/problems/invalid-request");

	private static final HttpStatusCode CLIENT_CLOSED_REQUEST = HttpStatusCode.valueOf(499);

	@ExceptionHandler(BadRequestException.class)
	ResponseEntity<ProblemDetail> invalid(BadRequestException ex) {
		return problem(fieldProblem(ex.field(), ex.getMessage()));
	}

	@ExceptionHandler(IdempotencyConflictException.class)
	ResponseEntity<ProblemDetail> idempotencyConflict(IdempotencyConflictException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT, ex.getMessage());
		problem.setTitle("Idempotency-Key reused");
		problem.setProperty("field", "Idempotency-Key");
		return problem(problem);
	}

	@ExceptionHandler(JobNotFoundException.class)
	ResponseEntity<ProblemDetail> notFound(JobNotFoundException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, ex.getMessage());
		problem.setTitle("Job not found");
		return problem(problem);
	}

	@ExceptionHandler(JobNotFinishedException.class)
	ResponseEntity<ProblemDetail> notFinished(JobNotFinishedException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, ex.getMessage());
		problem.setTitle("Job not finished");
		return problem(problem);
	}

	@ExceptionHandler(Exception.class)
	Mono<ResponseEntity<ProblemDetail>> unexpected(Exception ex, ServerWebExchange exchange) {
		if (ClientAborts.isBodyTimeout(ex)) {
			// The server's own body read timeout: the client's slowness, answered 408 if the socket still takes it.
			log.debug("request body stalled past reelay.server.body-idle-timeout: {}", ex.toString());
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.REQUEST_TIMEOUT,
					"The request body stopped arriving before it was complete. Send the whole body at once.");
			problem.setTitle("Request Timeout");
			return Mono.just(problem(problem));
		}
		if (ClientAborts.isClientGone(ex)) {
			// Not a server error: no ERROR, and no 500 in http.server.requests, where it is counted as nginx's 499
			// "client closed request" with outcome UNKNOWN. Nothing is written: there is no one to read it.
			log.debug("client went away during {}: {}", exchange.getRequest().getPath(), ex.toString());
			exchange.getResponse().setStatusCode(CLIENT_CLOSED_REQUEST);
			ServerRequestObservationContext.findCurrent(exchange.getAttributes())
				.ifPresent((observation) -> observation.setConnectionAborted(true));
			return Mono.empty();
		}
		if (DatabaseUnavailable.is(ex)) {
			// Passing trouble (unreachable, pool exhausted, a lock held too long): the client may retry, and no ERROR
			// per request while it lasts.
			log.warn("database unavailable answering {}: {}", exchange.getRequest().getPath(), ex.toString());
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
					DatabaseUnavailable.DETAIL);
			problem.setTitle("Service unavailable");
			return Mono.just(ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
				.contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.header(HttpHeaders.RETRY_AFTER, Long.toString(DatabaseUnavailable.RETRY_AFTER.toSeconds()))
				.body(problem));
		}
		log.error("unexpected error answering a request", ex);
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
				"Reelay hit an unexpected error. Nothing was changed; try again, and report it if it persists.");
		problem.setTitle("Internal error");
		return Mono.just(problem(problem));
	}

	@Override
	protected Mono<ResponseEntity<Object>> handleServerWebInputException(ServerWebInputException ex,
			HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
		ProblemDetail problem = describe(ex);
		return createResponseEntity(problem, headers, HttpStatus.BAD_REQUEST, exchange);
	}

	/** Spring's detail for an unknown path names its static resource handler; this one says what is where. */
	@Override
	protected Mono<ResponseEntity<Object>> handleResponseStatusException(ResponseStatusException ex,
			HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
		if (ex instanceof NoResourceFoundException) {
			ex.getBody().setTitle("Not found");
			ex.getBody().setDetail("There is nothing at this address. The page is at /, the API under /api/v1 "
					+ "(described at /swagger-ui.html).");
		}
		return super.handleResponseStatusException(ex, headers, status, exchange);
	}

	/** In words rather than Spring's {@code Supported methods: [POST, GET]}. */
	@Override
	protected Mono<ResponseEntity<Object>> handleMethodNotAllowedException(MethodNotAllowedException ex,
			HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
		String allowed = ex.getSupportedMethods()
			.stream()
			.map(HttpMethod::name)
			.sorted()
			.collect(java.util.stream.Collectors.joining(", "));
		ex.getBody().setDetail("This address does not take " + ex.getHttpMethod() + " requests"
				+ (allowed.isEmpty() ? "." : "; it takes " + allowed + "."));
		return super.handleMethodNotAllowedException(ex, headers, status, exchange);
	}

	/** Says what the address takes, rather than Spring's {@code Content-Type 'text/plain' is not supported.} */
	@Override
	protected Mono<ResponseEntity<Object>> handleUnsupportedMediaTypeStatusException(
			UnsupportedMediaTypeStatusException ex, HttpHeaders headers, HttpStatusCode status,
			ServerWebExchange exchange) {
		String taken = ex.getSupportedMediaTypes()
			.stream()
			.map(MediaType::toString)
			.distinct()
			.collect(java.util.stream.Collectors.joining(" or "));
		String sent = (ex.getContentType() != null) ? ex.getContentType().toString() : "no Content-Type";
		ex.getBody().setDetail("This address takes a body of " + (taken.isEmpty() ? "another type" : taken)
				+ "; the request sent " + sent + ".");
		return super.handleUnsupportedMediaTypeStatusException(ex, headers, status, exchange);
	}

	/**
	 * Every problem says it is one, whatever the client asked for: an event-stream request refused before its stream
	 * starts gets a problem document, not a problem disguised as an event.
	 */
	@Override
	protected Mono<ResponseEntity<Object>> createResponseEntity(@Nullable Object body, @Nullable HttpHeaders headers,
			HttpStatusCode status, ServerWebExchange exchange) {
		HttpHeaders problemHeaders = new HttpHeaders();
		if (headers != null) {
			problemHeaders.putAll(headers);
		}
		if (body instanceof ProblemDetail problem) {
			problemHeaders.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
			if (status.value() == HttpStatus.CONTENT_TOO_LARGE.value() && problem.getDetail() == null) {
				problem.setDetail("The request body is too large. A job request is a few KB of JSON; "
						+ "images go in a multipart upload.");
			}
		}
		return super.createResponseEntity(body, problemHeaders, status, exchange);
	}

	private static ResponseEntity<ProblemDetail> problem(ProblemDetail problem) {
		return ResponseEntity.status(problem.getStatus())
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.body(problem);
	}

	private static ProblemDetail describe(ServerWebInputException ex) {
		StrictUtf8JsonDecoder.MalformedTextException malformed = cause(ex,
				StrictUtf8JsonDecoder.MalformedTextException.class);
		if (malformed != null) {
			return fieldProblem(null, String.valueOf(malformed.getMessage()));
		}
		JacksonException json = cause(ex, JacksonException.class);
		if (json != null) {
			JsonProblem problem = JsonProblem.of(json);
			return fieldProblem(problem.field(), problem.detail());
		}
		MethodParameter parameter = ex.getMethodParameter();
		if (parameter != null && parameter.getParameterName() != null
				&& !parameter.hasParameterAnnotation(org.springframework.web.bind.annotation.RequestBody.class)) {
			String name = parameterName(parameter);
			if (ex instanceof MissingRequestValueException) {
				return fieldProblem(name, "'" + name + "' is required");
			}
			return fieldProblem(name, "'" + name + "' must be " + expected(parameter.getNestedParameterType()));
		}
		if (ex.getCause() instanceof DataBufferLimitException || ex.getCause() instanceof DecodingException
				|| (parameter != null && parameter.hasParameterAnnotation(
						org.springframework.web.bind.annotation.RequestBody.class))) {
			// Spring's reasons name its decoders; the body is what the client can fix.
			return fieldProblem(null, "The body is empty or could not be read; send a JSON object");
		}
		return fieldProblem(null, (ex.getReason() != null) ? ex.getReason() : "The request could not be read");
	}

	/** The name the client wrote: a query parameter's own name ({@code job_id}), not the Java parameter's. */
	private static String parameterName(MethodParameter parameter) {
		RequestParam query = parameter.getParameterAnnotation(RequestParam.class);
		if (query != null && !query.name().isEmpty()) {
			return query.name();
		}
		PathVariable path = parameter.getParameterAnnotation(PathVariable.class);
		if (path != null && !path.name().isEmpty()) {
			return path.name();
		}
		RequestHeader header = parameter.getParameterAnnotation(RequestHeader.class);
		if (header != null && !header.name().isEmpty()) {
			return header.name();
		}
		return String.valueOf(parameter.getParameterName());
	}

	private static String expected(Class<?> type) {
		if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
			return "a whole number in digits 0-9";
		}
		if (type == UUID.class) {
			return "an id (a UUID such as 6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b)";
		}
		if (List.class.isAssignableFrom(type)) {
			return "a list of values that are each accepted";
		}
		return "a value of the documented form";
	}

	private static ProblemDetail fieldProblem(@Nullable String field, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
		problem.setTitle("Invalid request");
		problem.setType(INVALID);
		if (field != null) {
			problem.setProperty("field", field);
			problem.setProperty("errors", List.of(Map.of("field", field, "message", detail)));
		}
		return problem;
	}

	private static <T extends Throwable> @Nullable T cause(Throwable error, Class<T> type) {
		for (Throwable current = error; current != null; current = current.getCause()) {
			if (type.isInstance(current)) {
				return type.cast(current);
			}
			if (current.getCause() == current) {
				break;
			}
		}
		return null;
	}

}
