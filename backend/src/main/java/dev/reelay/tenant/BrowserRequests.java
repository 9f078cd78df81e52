package dev.reelay.tenant;

import java.net.URI;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;

/** What a request says about the browser that sent it, if a browser did. */
final class BrowserRequests {

	private static final String SEC_FETCH_SITE = "Sec-Fetch-Site";

	private BrowserRequests() {
	}

	static boolean isUnsafe(@Nullable HttpMethod method) {
		return !(HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method));
	}

	/**
	 * True if a browser sent it: browsers name the page's origin in {@code Origin} on every request but GET and HEAD
	 * (the Fetch standard; {@code null} included), and current ones say {@code Sec-Fetch-Site} on every request.
	 * curl and API libraries send neither.
	 */
	static boolean fromBrowser(ServerHttpRequest request) {
		HttpHeaders headers = request.getHeaders();
		return headers.containsHeader(HttpHeaders.ORIGIN) || headers.containsHeader(SEC_FETCH_SITE);
	}

	/**
	 * True if a browser says the request comes from a page of another origin: an {@code Origin} that is not this
	 * request's own scheme, host and port (an opaque {@code null} origin included), or {@code Sec-Fetch-Site} of
	 * {@code cross-site} or {@code same-site} (another port or sub-domain is another origin).
	 */
	static boolean fromAnotherOrigin(ServerHttpRequest request) {
		String site = request.getHeaders().getFirst(SEC_FETCH_SITE);
		if (site != null && (site.equalsIgnoreCase("cross-site") || site.equalsIgnoreCase("same-site"))) {
			return true;
		}
		String origin = request.getHeaders().getFirst(HttpHeaders.ORIGIN);
		return origin != null && !sameOrigin(origin, request.getURI());
	}

	static boolean sameOrigin(String origin, URI own) {
		URI parsed;
		try {
			parsed = URI.create(origin.strip());
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
		if (parsed.getScheme() == null || parsed.getHost() == null || own.getScheme() == null || own.getHost() == null) {
			return false;
		}
		return parsed.getScheme().equalsIgnoreCase(own.getScheme())
				&& parsed.getHost().toLowerCase(Locale.ROOT).equals(own.getHost().toLowerCase(Locale.ROOT))
				&& port(parsed) == port(own);
	}

	private static int port(URI uri) {
		if (uri.getPort() != -1) {
			return uri.getPort();
		}
		return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
	}

}
