package dev.reelay.web;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long the HTTP server waits on a client, and how many connections one address may hold. Each bound is on
 * reading the request or on the socket taking data, never on a response in progress: an SSE stream the client
 * only listens to is not idle for any of them.
 * <ul>
 * <li>{@code headerTimeout}: a request's head (request line and headers) must arrive whole within this time of the
 * connection opening, or of its first byte on a kept-alive connection; otherwise the connection is answered 408
 * and closed. Idle kept-alive connections are bounded by Spring Boot's {@code server.netty.idle-timeout}.</li>
 * <li>{@code bodyIdleTimeout}: while a request body is being read, the longest wait for its next bytes.</li>
 * <li>{@code writeTimeout}: the longest a write may wait for the client to take it; a client that stops reading
 * (a stalled download, an unread event stream) is closed after it, which frees what was queued for it.</li>
 * <li>{@code maxConnectionsPerAddress}: connections one client address may hold at once; a connection beyond it
 * is answered 429 at once, without reading its request, and closed. {@code 0}: no limit.</li>
 * </ul>
 */
@ConfigurationProperties("reelay.server")
record ServerSettings(@DefaultValue("20s") Duration headerTimeout, @DefaultValue("30s") Duration bodyIdleTimeout,
		@DefaultValue("60s") Duration writeTimeout, @DefaultValue("256") int maxConnectionsPerAddress) {

	ServerSettings {
		if (headerTimeout.isNegative() || headerTimeout.isZero() || bodyIdleTimeout.isNegative()
				|| bodyIdleTimeout.isZero() || writeTimeout.isNegative() || writeTimeout.isZero()) {
			throw new IllegalArgumentException("reelay.server timeouts must be positive");
		}
		if (maxConnectionsPerAddress < 0) {
			throw new IllegalArgumentException("reelay.server.max-connections-per-address must be 0 (no limit) or more");
		}
	}

}
