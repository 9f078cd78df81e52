package dev.reelay.tenant;

import java.util.Optional;
import java.util.UUID;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpCookie;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/** Whether the page may be shown: always in local mode, else once signed in (a live page session). */
@Component
public class PageSignIn {

	private final TenantSettings settings;

	private final PageSessions sessions;

	private final FailedKeyLookups failedLookups;

	PageSignIn(TenantSettings settings, PageSessions sessions, FailedKeyLookups failedLookups) {
		this.settings = settings;
		this.sessions = sessions;
		this.failedLookups = failedLookups;
	}

	/** True when an admin key is configured: the page asks for a tenant's key and offers to sign out. */
	public boolean required() {
		return !this.settings.localMode();
	}

	/**
	 * True if the page may be shown to this request: its cookie names a live session. One that ended, expired or
	 * whose key was revoked counts as signed out, and as a failed lookup for the address (see
	 * {@link FailedKeyLookups}); an address cut off is signed out without a lookup.
	 */
	public Mono<Boolean> signedIn(ServerWebExchange exchange) {
		return tenant(exchange).map(Optional::isPresent);
	}

	/**
	 * The tenant the page acts for: the local tenant in local mode, else the signed-in session's (empty when signed
	 * out, as {@link #signedIn} decides). The page shows only what this tenant's API would.
	 */
	public Mono<Optional<UUID>> tenant(ServerWebExchange exchange) {
		if (!required()) {
			return Mono.just(Optional.of(CallerTenant.LOCAL));
		}
		HttpCookie cookie = exchange.getRequest().getCookies().getFirst(ApiGate.COOKIE);
		if (cookie == null) {
			return Mono.just(Optional.empty());
		}
		String address = FailedKeyLookups.addressOf(exchange);
		if (!this.failedLookups.refusal(address).isZero()) {
			return Mono.just(Optional.empty());
		}
		return this.sessions.find(cookie.getValue())
			.map((session) -> Optional.of(session.caller().tenant()))
			.defaultIfEmpty(Optional.empty())
			.doOnNext((live) -> {
				if (live.isEmpty()) {
					this.failedLookups.failed(address);
				}
			});
	}

}
