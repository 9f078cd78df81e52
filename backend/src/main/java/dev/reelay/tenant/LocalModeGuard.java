package dev.reelay.tenant;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

/**
 * Local mode lets every request act for the local tenant, so it must only take requests that the person at this
 * machine makes. Two browser attacks reach a server on localhost: another site's page posting a form to it (CSRF),
 * and DNS rebinding (a name of the attacker's that resolves to 127.0.0.1, so the browser treats the local app as
 * that site and lets its scripts read the answers). Against rebinding, every request must name an allowed host in
 * {@code Host}: loopback names and addresses, plus {@code reelay.security.allowed-hosts}. Against CSRF, a request
 * that changes something is refused when a browser says it comes from another origin, and {@link #refusal} asks
 * browsers for the page's own header on the API as tenant mode does for cookies.
 */
@Component
class LocalModeGuard {

	private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

	private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+");

	private final TenantSettings settings;

	private final Set<String> allowedHosts;

	private final JsonMapper json;

	LocalModeGuard(TenantSettings settings, ClientTrustSettings trust, JsonMapper json) {
		this.settings = settings;
		this.allowedHosts = trust.allowedHosts()
			.stream()
			.map((host) -> normalized(withoutPort(host.strip())))
			.collect(Collectors.toUnmodifiableSet());
		this.json = json;
	}

	/** Every request, in local mode only: a foreign {@code Host}, or another origin changing something, is a 403. */
	Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (!this.settings.localMode()) {
			return chain.filter(exchange);
		}
		ServerHttpRequest request = exchange.getRequest();
		String host = request.getURI().getHost();
		if (!allowedHost(host) && !providerWebhook(request)) {
			return forbidden(exchange, "Host not allowed", "This Reelay runs in local mode and answers only to "
					+ "localhost, loopback addresses and reelay.security.allowed-hosts; add the host name it is "
					+ "reached under to that setting");
		}
		if (BrowserRequests.isUnsafe(request.getMethod()) && BrowserRequests.fromAnotherOrigin(request)) {
			return forbidden(exchange, "Cross-origin request refused",
					"In local mode a request that changes something is only accepted from this site's own page");
		}
		return chain.filter(exchange);
	}

	/**
	 * An unsafe {@code /api} request from a browser needs the page's {@link ApiGate#CSRF_HEADER}, which no other
	 * site's page can add without a CORS preflight Reelay never grants; an empty answer lets it through. Clients that
	 * are no browser (no {@code Origin}, no {@code Sec-Fetch-Site}: curl, scripts) and bearer-key clients need none.
	 * Null when the request may go on, else the refusal to answer with.
	 */
	@Nullable Mono<Void> refusal(ServerWebExchange exchange) {
		ServerHttpRequest request = exchange.getRequest();
		if (!BrowserRequests.isUnsafe(request.getMethod()) || !BrowserRequests.fromBrowser(request)
				|| request.getHeaders().containsHeader(ApiGate.CSRF_HEADER) || hasBearer(request)) {
			return null;
		}
		return forbidden(exchange, "Forbidden", "A request from a browser that changes something must carry the "
				+ ApiGate.CSRF_HEADER + " header (the page sends it); API clients send Authorization: Bearer instead");
	}

	boolean allowedHost(@Nullable String rawHost) {
		if (rawHost == null || rawHost.isBlank()) {
			return false;
		}
		String host = normalized(rawHost);
		if (host.equals("localhost") || host.endsWith(".localhost") || this.allowedHosts.contains(host)) {
			return true;
		}
		return loopbackLiteral(host);
	}

	/** Provider webhooks are server-to-server, check their own signatures, and arrive under a tunnel's host name. */
	private static boolean providerWebhook(ServerHttpRequest request) {
		return HttpMethod.POST.equals(request.getMethod())
				&& request.getPath().pathWithinApplication().value().startsWith("/webhooks/");
	}

	private static boolean hasBearer(ServerHttpRequest request) {
		String header = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
		return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) && !header.substring(7).isBlank();
	}

	/** {@code reelay.example:8080} is taken as {@code reelay.example}: the check is on the name, not the port. */
	private static String withoutPort(String host) {
		int colon = host.lastIndexOf(':');
		boolean port = colon > 0 && host.indexOf(':') == colon && host.substring(colon + 1).matches("\\d+");
		boolean bracketedPort = host.startsWith("[") && host.contains("]:");
		if (bracketedPort) {
			return host.substring(0, host.indexOf("]:") + 1);
		}
		return port ? host.substring(0, colon) : host;
	}

	/** Lower case, without IPv6 brackets or the trailing dot of a fully qualified name. */
	private static String normalized(String host) {
		String lower = host.toLowerCase(Locale.ROOT);
		if (lower.startsWith("[") && lower.endsWith("]")) {
			lower = lower.substring(1, lower.length() - 1);
		}
		return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
	}

	/** 127.0.0.0/8 or ::1 written as an address; never a name, so never a DNS lookup. */
	private static boolean loopbackLiteral(String host) {
		if (IPV4.matcher(host).matches()) {
			String[] octets = host.split("\\.");
			for (String octet : octets) {
				if (Integer.parseInt(octet) > 255) {
					return false;
				}
			}
			return octets[0].equals("127");
		}
		if (!host.contains(":") || !IPV6.matcher(host).matches()) {
			return false;
		}
		try {
			// A text with a colon is parsed as an IPv6 literal, never looked up.
			return InetAddress.getByName(host).isLoopbackAddress();
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

	private Mono<Void> forbidden(ServerWebExchange exchange, String title, String detail) {
		return ApiProblems.write(exchange, ApiProblems.problem(HttpStatus.FORBIDDEN, ApiProblems.FORBIDDEN, title, detail),
				this.json);
	}

}
