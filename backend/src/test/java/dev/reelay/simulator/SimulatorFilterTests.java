package dev.reelay.simulator;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebFilter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The caller check of {@link SimulatorFilter} for remote addresses a test cannot connect from (SimulatorLockdownTests
 * connects from this machine's own addresses): the exchange's remote address is set to each, and the handler behind
 * the filter must run for loopback callers only.
 */
class SimulatorFilterTests {

	private static final String KEY = "sk-reelay-simulator-filter-test";

	private final AtomicInteger handled = new AtomicInteger();

	@ParameterizedTest
	@ValueSource(strings = { "203.0.113.7", "10.0.0.1", "192.168.1.20", "2001:db8::1", "0.0.0.0", "none" })
	void nonLoopbackCallersAreRefusedBeforeTheHandlerRuns(String remote) {
		JsonNode error = client(remote).get()
			.uri("/videos")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + KEY)
			.exchange()
			.expectStatus()
			.isForbidden()
			.expectHeader()
			.exists(SimulatorFilter.REQUEST_ID_HEADER)
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();

		SimulatorTestSupport.assertError(error, "request_forbidden", null, null);
		assertThat(this.handled).hasValue(0);
	}

	@ParameterizedTest
	@ValueSource(strings = { "127.0.0.1", "127.1.2.3", "::1" })
	void loopbackCallersWithTheKeyReachTheHandler(String remote) {
		client(remote).get()
			.uri("/videos")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + KEY)
			.exchange()
			.expectStatus()
			.isOk();

		assertThat(this.handled).hasValue(1);
	}

	@ParameterizedTest
	@ValueSource(strings = { "127.0.0.1", "::1" })
	void loopbackCallersWithoutTheKeyAreRefusedBeforeTheHandlerRuns(String remote) {
		client(remote).get()
			.uri("/videos")
			.header(HttpHeaders.AUTHORIZATION, "Bearer simulator")
			.exchange()
			.expectStatus()
			.isUnauthorized();

		assertThat(this.handled).hasValue(0);
	}

	private WebTestClient client(String remote) {
		SimulatorSettings settings = new SimulatorSettings(null, Duration.ofSeconds(20), 0, 0, 0, 0, 0, Duration.ZERO,
				0, Duration.ZERO, Duration.ofSeconds(1), null, SimulatorSettings.DEFAULT_PATH);
		RouterFunction<ServerResponse> routes = RouterFunctions.route()
			.GET("/videos", (request) -> {
				this.handled.incrementAndGet();
				return ServerResponse.ok().build();
			})
			.filter(new SimulatorFilter(settings, new SimulatorAccess(true, KEY)))
			.build();
		InetSocketAddress address = remote.equals("none") ? null : new InetSocketAddress(remote, 40000);
		return WebTestClient.bindToRouterFunction(routes).webFilter(remoteAddress(address)).build();
	}

	/** What Reactor Netty reports as the connection's peer, here set by hand. */
	private static WebFilter remoteAddress(@Nullable InetSocketAddress address) {
		return (exchange, chain) -> chain.filter(exchange.mutate()
			.request(new ServerHttpRequestDecorator(exchange.getRequest()) {

				@Override
				public @Nullable InetSocketAddress getRemoteAddress() {
					return address;
				}

			})
			.build());
	}

}
