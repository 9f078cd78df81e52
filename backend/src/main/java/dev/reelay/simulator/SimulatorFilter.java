package dev.reelay.simulator;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
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
 * What every simulator response shares: a request id, the configured latency, the check that the caller is this
 * Reelay itself, and errors rendered in OpenAI's envelope (never the application's problem details).
 */
final class SimulatorFilter implements HandlerFilterFunction<ServerResponse, ServerResponse> {

	/** Request attribute holding the caller's project, see {@link Projects}. */
	static final String PROJECT = SimulatorFilter.class.getName() + ".project";

	static final String REQUEST_ID_HEADER = "x-request-id";

	/** Upstream's header choosing one of the key's projects; here it only separates videos, see {@link Projects}. */
	static final String PROJECT_HEADER = "OpenAI-Project";

	// A proxy on the same host connects from loopback too; these say a request came through one. Reelay's own
	// client never sends them.
	// X-Reelay-Untrusted-Forwarding: the tenant module's TrustedProxies drops forwarding headers from peers that are
	// not trusted proxies before any filter runs, and leaves this mark that it did.
	private static final List<String> FORWARDING_HEADERS = List.of("Forwarded", "X-Forwarded-For", "X-Real-IP",
			"X-Reelay-Untrusted-Forwarding");

	private static final Log logger = LogFactory.getLog(SimulatorFilter.class);

	private static final String MISSING_KEY = "You didn't provide an API key. You need to provide your API key in "
			+ "an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";

	// The key is never echoed: upstream shows part of it, but a wrong key may be a real one.
	private static final String WRONG_KEY = "Incorrect API key provided. The Reelay simulator only accepts the key "
			+ "this Reelay generated for its own provider instance at start.";

	private static final String NOT_LOCAL = "The Reelay simulator only answers the Reelay process that serves it, "
			+ "over a loopback address.";

	private final Duration latency;

	private final double spikeRate;

	private final Duration spike;

	private final SimulatorAccess access;

	SimulatorFilter(SimulatorSettings settings, SimulatorAccess access) {
		this.access = access;
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
			// Before any handler runs, so a refused request writes nothing.
			requireOwnProcess(request);
			request.attributes().put(PROJECT, Projects.of(request.headers().firstHeader(PROJECT_HEADER)));
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

	/**
	 * Only the provider instance inside this process may call: from a loopback address, not through a proxy, and
	 * with the key made at start. Anyone else could otherwise read, download and delete the videos of every
	 * tenant's jobs, and write rows.
	 */
	private void requireOwnProcess(ServerRequest request) {
		InetAddress remote = request.remoteAddress().map(InetSocketAddress::getAddress).orElse(null);
		if (remote == null || !remote.isLoopbackAddress()
				|| FORWARDING_HEADERS.stream().anyMatch((name) -> request.headers().firstHeader(name) != null)) {
			throw ApiError.forbidden(NOT_LOCAL);
		}
		String key = bearerToken(request.headers().firstHeader(HttpHeaders.AUTHORIZATION));
		if (key == null) {
			throw ApiError.unauthorized(MISSING_KEY);
		}
		if (!this.access.accepts(key)) {
			throw ApiError.unauthorized(WRONG_KEY);
		}
	}

	private static @Nullable String bearerToken(@Nullable String authorization) {
		if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
			return null;
		}
		String key = authorization.substring(7).trim();
		return key.isEmpty() ? null : key;
	}

}
