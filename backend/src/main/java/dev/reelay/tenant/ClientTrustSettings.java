package dev.reelay.tenant;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Whom the browser-facing edge trusts, beside {@link TenantSettings}.
 *
 * @param allowedHosts host names (or addresses) the app may be reached under in local mode, beside the loopback
 * names and addresses, which are always allowed; any other {@code Host} is refused (DNS rebinding)
 * @param trustedProxies addresses or CIDR ranges of reverse proxies whose {@code Forwarded} / {@code X-Forwarded-*}
 * headers are believed (scheme, host, client address); from anyone else those headers are dropped. Empty: none
 * @param session the page's sign-in sessions
 * @param failedKeyLookups how many wrong keys or session cookies one client address may present
 */
@ConfigurationProperties("reelay.security")
record ClientTrustSettings(@DefaultValue List<String> allowedHosts, @DefaultValue List<String> trustedProxies,
		@DefaultValue Session session, @DefaultValue FailedKeyLookups failedKeyLookups) {

	/**
	 * @param lifetime how long a sign-in lasts, fixed from the moment of signing in (not extended by use: no write
	 * per request); then the page asks for the key again
	 */
	record Session(@DefaultValue("12h") Duration lifetime) {
	}

	/**
	 * A token bucket per client address: {@code maxFailures} wrong keys at once, refilled evenly over {@code per}.
	 * Past it, key and session lookups from that address are answered 429 without touching the database.
	 */
	record FailedKeyLookups(@DefaultValue("30") int maxFailures, @DefaultValue("1m") Duration per) {
	}

}
