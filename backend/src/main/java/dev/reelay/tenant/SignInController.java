package dev.reelay.tenant;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;

import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.stereotype.Controller;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.reactive.result.view.Rendering;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;

/**
 * The page's sign-in and sign-out. A valid key opens a page session (see {@link PageSessions}); the cookie holds the
 * session's random id, never the key, and is HttpOnly (out of reach of scripts), SameSite=Strict (never sent by
 * another site's request), Secure when the page came over https (as a trusted proxy says, see
 * {@link TrustedProxies}), and kept no longer than the session lasts. The API accepts it for the page's own calls
 * and its event streams, which cannot send headers. Sign-out ends the session on the server, not only the cookie.
 */
@Controller
class SignInController {

	// A path and query in printable ASCII without a backslash, starting with one slash and not two.
	private static final Pattern PLAIN_PATH = Pattern.compile("/(?![/\\\\])[\\x21-\\x7e&&[^\\\\]]*");

	private final PageSignIn signIn;

	private final ApiKeys keys;

	private final PageSessions sessions;

	private final SessionEnds sessionEnds;

	private final FailedKeyLookups failedLookups;

	SignInController(PageSignIn signIn, ApiKeys keys, PageSessions sessions, SessionEnds sessionEnds,
			FailedKeyLookups failedLookups) {
		this.signIn = signIn;
		this.keys = keys;
		this.sessions = sessions;
		this.sessionEnds = sessionEnds;
		this.failedLookups = failedLookups;
	}

	@PostMapping(path = "/signin", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
	Mono<Rendering> signIn(ServerWebExchange exchange) {
		return sameOrigin(exchange).then(exchange.getFormData().onErrorMap(DataBufferLimitException.class,
				(tooBig) -> new ResponseStatusException(HttpStatus.CONTENT_TOO_LARGE,
						"The sign-in form is larger than any key and page address together; send the key and next only")))
			.flatMap((form) -> {
			String next = next(form);
			String entered = form.getFirst("key");
			String key = (entered != null) ? entered.strip() : "";
			if (!this.signIn.required()) {
				return Mono.just(Rendering.redirectTo(next).build());
			}
			String address = FailedKeyLookups.addressOf(exchange);
			Duration wait = this.failedLookups.refusal(address);
			if (!wait.isZero()) {
				long seconds = FailedKeyLookups.seconds(wait);
				exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
				return Mono.just(signInAgain(next, "Too many wrong keys came from your address; try again in "
						+ seconds + " s.", HttpStatus.TOO_MANY_REQUESTS));
			}
			return this.keys.caller(key).flatMap(this.sessions::open).map((session) -> {
				exchange.getResponse().addCookie(cookie(exchange, ApiGate.COOKIE, session, this.sessions.lifetime()));
				clearOldCookie(exchange);
				return Rendering.redirectTo(next).build();
			}).switchIfEmpty(Mono.fromSupplier(() -> {
				this.failedLookups.failed(address);
				return signInAgain(next, "That key is not valid or has been revoked.", HttpStatus.UNAUTHORIZED);
			}));
		});
	}

	@PostMapping("/signout")
	Mono<Rendering> signOut(ServerWebExchange exchange) {
		HttpCookie current = exchange.getRequest().getCookies().getFirst(ApiGate.COOKIE);
		Mono<Void> ended = (current != null)
				? this.sessions.end(current.getValue()).doOnNext(this.sessionEnds::endedHere).then() : Mono.empty();
		return sameOrigin(exchange).then(ended).then(Mono.fromSupplier(() -> {
			exchange.getResponse().addCookie(cookie(exchange, ApiGate.COOKIE, "", Duration.ZERO));
			clearOldCookie(exchange);
			return Rendering.redirectTo("/").build();
		}));
	}

	private static Rendering signInAgain(String next, String error, HttpStatus status) {
		return Rendering.view("signin").modelAttribute("next", next).modelAttribute("error", error).status(status).build();
	}

	private static ResponseCookie cookie(ServerWebExchange exchange, String name, String value, Duration maxAge) {
		return ResponseCookie.from(name, value)
			.httpOnly(true)
			.sameSite("Strict")
			.secure("https".equals(exchange.getRequest().getURI().getScheme()))
			.path("/")
			.maxAge(maxAge)
			.build();
	}

	/** Before sessions the cookie held the key itself: a browser that still has one loses it. */
	private static void clearOldCookie(ServerWebExchange exchange) {
		if (exchange.getRequest().getCookies().containsKey(ApiGate.OLD_COOKIE)) {
			exchange.getResponse().addCookie(cookie(exchange, ApiGate.OLD_COOKIE, "", Duration.ZERO));
		}
	}

	/**
	 * Only a plain local path: a sign-in form must never send anyone to another site. Browsers drop tabs and line
	 * breaks from a URL and read a backslash as a slash, so {@code /\t/evil.example} is {@code //evil.example} to
	 * them, and a line break would also split the Location header: only printable ASCII is taken, and the path
	 * must still be local once its %-escapes are decoded.
	 */
	private static String next(MultiValueMap<String, String> form) {
		String next = form.getFirst("next");
		if (next == null || !isPlainLocalPath(next)) {
			return "/";
		}
		return next;
	}

	private static boolean isPlainLocalPath(String path) {
		if (!PLAIN_PATH.matcher(path).matches()) {
			return false;
		}
		String decoded;
		try {
			decoded = URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
		return !decoded.startsWith("//") && decoded.chars().noneMatch((c) -> c < 0x20 || c == 0x7f || c == '\\');
	}

	/**
	 * Login CSRF: a form on another site could sign a visitor in as the attacker's tenant. Browsers name the page a
	 * form was sent from in Origin; another origin is refused (clients that send none, like curl, are not browsers).
	 */
	private static Mono<Void> sameOrigin(ServerWebExchange exchange) {
		String origin = exchange.getRequest().getHeaders().getFirst(HttpHeaders.ORIGIN);
		if (origin == null) {
			return Mono.empty();
		}
		URI uri = exchange.getRequest().getURI();
		String own = uri.getScheme() + "://" + uri.getHost() + ((uri.getPort() != -1) ? ":" + uri.getPort() : "");
		return origin.equalsIgnoreCase(own) ? Mono.empty()
				: Mono.error(new ResponseStatusException(HttpStatus.FORBIDDEN, "Sign-in is only accepted from this site's own page"));
	}

}
