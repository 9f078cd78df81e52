package dev.reelay.tenant;

import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Runs {@link LocalModeGuard} on every request, ahead of the API gate. Web slice tests load web filters but not the
 * guard's settings: without a guard, requests pass.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 90)
class LocalModeFilter implements WebFilter {

	private final ObjectProvider<LocalModeGuard> guard;

	LocalModeFilter(ObjectProvider<LocalModeGuard> guard) {
		this.guard = guard;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		LocalModeGuard resolved = this.guard.getIfAvailable();
		return (resolved != null) ? resolved.filter(exchange, chain) : chain.filter(exchange);
	}

}
