package dev.reelay.tenant;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpCookie;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/** Whether the page may be shown: always in local mode, else once signed in with a valid key. */
@Component
public class PageSignIn {

	private final TenantSettings settings;

	private final ApiKeys keys;

	PageSignIn(TenantSettings settings, ApiKeys keys) {
		this.settings = settings;
		this.keys = keys;
	}

	/** True when an admin key is configured: the page asks for a tenant's key and offers to sign out. */
	public boolean required() {
		return !this.settings.localMode();
	}

	/** True if the page may be shown to this request; a revoked key's cookie counts as signed out. */
	public Mono<Boolean> signedIn(ServerWebExchange exchange) {
		if (!required()) {
			return Mono.just(true);
		}
		HttpCookie cookie = exchange.getRequest().getCookies().getFirst(ApiGate.COOKIE);
		return (cookie == null) ? Mono.just(false) : this.keys.tenantOf(cookie.getValue()).hasElement();
	}

}
