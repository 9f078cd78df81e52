package dev.reelay.web;

import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelPipeline;
import reactor.netty.NettyPipeline;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpRequestDecoderSpec;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;

/**
 * Protects the HTTP server from slow and greedy clients (see {@link ServerSettings}): the request-head deadline, the
 * body read timeout, the write timeout, the per-address connection limit, and problem bodies on the decoder's own
 * refusals. Ordered after Spring Boot's {@code server.netty.*} customizer, so that it reads the decoder limits
 * Boot set ({@code server.netty.max-initial-line-length}, {@code server.max-http-request-header-size}) to name them.
 */
@Component
class ServerProtection implements WebServerFactoryCustomizer<NettyReactiveWebServerFactory>, Ordered {

	private static final String CLOSED = "reelay.server.connections.closed";

	private final ServerSettings settings;

	private final JsonMapper json;

	private final ConnectionsPerAddress connections;

	private final Counter headerTimeouts;

	private final Counter writeTimeouts;

	private final Counter refused;

	ServerProtection(ServerSettings settings, JsonMapper json, MeterRegistry meters) {
		this.settings = settings;
		this.json = json;
		this.connections = new ConnectionsPerAddress(settings.maxConnectionsPerAddress());
		this.headerTimeouts = closed(meters, "header_timeout");
		this.writeTimeouts = closed(meters, "write_timeout");
		this.refused = closed(meters, "address_limit");
	}

	@Override
	public int getOrder() {
		return 1;
	}

	@Override
	public void customize(NettyReactiveWebServerFactory factory) {
		factory.addServerCustomizers(this::protect);
	}

	private HttpServer protect(HttpServer server) {
		if (!List.of(server.configuration().protocols()).equals(List.of(HttpProtocol.HTTP11))) {
			// The head deadline and the problem bodies hook into the HTTP/1.1 codec; HTTP/2 has its own pipeline.
			throw new IllegalStateException("Reelay's server protections need HTTP/1.1 only; leave server.http2 off");
		}
		HttpRequestDecoderSpec decoder = server.configuration().decoder();
		ConnectionProblems problems = new ConnectionProblems(this.json, this.settings, decoder.maxInitialLineLength(),
				decoder.maxHeaderSize());
		long headerTimeout = this.settings.headerTimeout().toMillis();
		long writeTimeout = this.settings.writeTimeout().toMillis();
		int limit = this.settings.maxConnectionsPerAddress();
		return server.readTimeout(this.settings.bodyIdleTimeout()).doOnChannelInit((observer, channel, remote) -> {
			ChannelPipeline pipeline = channel.pipeline();
			// Reactor Netty passes no remote address to a server connection's initializer; the channel has it.
			if (limit > 0 && !this.connections.admit(channel, channel.remoteAddress())) {
				this.refused.increment();
				pipeline.addFirst("reelay.refusal", ConnectionsPerAddress.refusal(problems));
				return;
			}
			// In the end: writeTimeout (times every socket write), headTimeout.bytes (sees raw bytes come in), the
			// codec, then headTimeout.messages and decodingFailures (see decoded requests come in and Reactor Netty's
			// answers go out), then Reactor Netty's own handlers.
			RequestHeadTimeout head = new RequestHeadTimeout(headerTimeout, problems, this.headerTimeouts::increment);
			pipeline.addBefore(NettyPipeline.HttpCodec, "reelay.headTimeout.bytes", head.bytes());
			pipeline.addAfter(NettyPipeline.HttpCodec, "reelay.decodingFailures", new DecodingFailureProblems(problems));
			pipeline.addAfter(NettyPipeline.HttpCodec, "reelay.headTimeout.messages", head.messages());
			pipeline.addFirst("reelay.writeTimeout", new StalledWriteTimeout(writeTimeout, this.writeTimeouts::increment));
		});
	}

	ConnectionsPerAddress connections() {
		return this.connections;
	}

	private static Counter closed(MeterRegistry meters, String reason) {
		return Counter.builder(CLOSED)
			.description("Connections the server closed to protect itself, by reason")
			.tag("reason", reason)
			.register(meters);
	}

}
