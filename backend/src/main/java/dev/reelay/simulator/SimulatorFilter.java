package dev.reelay.simulator;

import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * What every simulator response shares: a request id, the configured latency, bearer authentication and
 * errors rendered in OpenAI's envelope (never the application's problem details).
 */
final class SimulatorFilter implements HandlerFilterFunction<ServerResponse, ServerResponse> {

	/** Request attribute holding the caller's project, see {@link Projects}. */
	static final String PROJECT = SimulatorFilter.class.getName() + ".project";

	static final String REQUEST_ID_HEADER = "x-request-id";

	private static final Log logger = LogFactory.getLog(SimulatorFilter.class);

	private static final String MISSING_KEY = "You didn't provide an API key. You need to provide your API key in "
			+ "an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";

	private final Duration latency;

	private final double spikeRate;

	private final Duration spike;

	SimulatorFilter(SimulatorSettings settings) {
		this.latency = settings.latency();
		this.spikeRate = settings.latencySpikeRate();
		this.spike = settings.latencySpike();
	}

	@Override
	public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> next) {
		String requestId = "req_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong())
				+ HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
		// Set on the exchange, not the ServerResponse, so that error and resource responses carry it too.
		request.exchange().getResponse().getHeaders().set(REQUEST_ID_HEADER, requestId);
		Mono<ServerResponse> handled = Mono.defer(() -> {
			request.attributes().put(PROJECT, Projects.of(apiKey(request)));
			return next.handle(request);
		});
		// A spike holds the answer back after the work is done: the request arrived on time, the reply is late.
		Mono<ServerResponse> answered = (this.spikeRate > 0 && ThreadLocalRandom.current().nextDouble() < this.spikeRate)
				? handled.delayElement(this.spike) : handled;
		return (this.latency.isZero() ? answered : Mono.delay(this.latency).then(answered))
			.onErrorResume((ex) -> {
				if (ex instanceof ApiError error) {
					return error.toResponse();
				}
				logger.error("Simulator request " + requestId + " failed", ex);
				return ApiError.serverError().toResponse();
			});
	}

	private static String apiKey(ServerRequest request) {
		String authorization = request.headers().firstHeader(HttpHeaders.AUTHORIZATION);
		String key = bearerToken(authorization);
		if (key == null) {
			throw ApiError.unauthorized(MISSING_KEY);
		}
		// Any key is accepted: the simulator has no accounts, and the key only selects the project.
		return key;
	}

	private static @Nullable String bearerToken(@Nullable String authorization) {
		if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
			return null;
		}
		String key = authorization.substring(7).trim();
		return key.isEmpty() ? null : key;
	}

}
