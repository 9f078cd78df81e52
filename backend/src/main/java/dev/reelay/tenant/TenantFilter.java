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
 * Puts the caller's tenant in every API request's context (see {@link ApiGate}), ahead of everything else. Web slice
 * tests load web filters but no repositories: without a gate, requests act for the local tenant, as in local mode.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 100)
class TenantFilter implements WebFilter {

	private final ObjectProvider<ApiGate> gate;

	TenantFilter(ObjectProvider<ApiGate> gate) {
		this.gate = gate;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ApiGate resolved = this.gate.getIfAvailable();
		if (resolved == null) {
			return chain.filter(exchange).contextWrite((context) -> CallerTenant.with(context, CallerTenant.LOCAL));
		}
		return resolved.filter(exchange, chain);
	}

}
