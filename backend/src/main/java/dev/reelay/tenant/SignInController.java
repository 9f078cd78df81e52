package dev.reelay.tenant;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBufferLimitException;
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
 * The page's sign-in and sign-out. The key entered is kept in an HttpOnly (out of reach of scripts), SameSite=Strict
 * (never sent by another site's request) cookie, Secure when the page came over https; the API accepts it for the
 * page's own calls and its event streams, which cannot send headers.
 */
@Controller
class SignInController {

	// A path and query in printable ASCII without a backslash, starting with one slash and not two.
	private static final Pattern PLAIN_PATH = Pattern.compile("/(?![/\\\\])[\\x21-\\x7e&&[^\\\\]]*");

	private final PageSignIn signIn;

	private final ApiKeys keys;

	SignInController(PageSignIn signIn, ApiKeys keys) {
		this.signIn = signIn;
		this.keys = keys;
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
			return this.keys.tenantOf(key).map((tenant) -> {
				exchange.getResponse().addCookie(cookie(exchange, key, false));
				return Rendering.redirectTo(next).build();
			})
				.switchIfEmpty(Mono.fromSupplier(() -> Rendering.view("signin")
					.modelAttribute("next", next)
					.modelAttribute("error", "That key is not valid or has been revoked.")
					.status(HttpStatus.UNAUTHORIZED)
					.build()));
		});
	}

	@PostMapping("/signout")
	Mono<Rendering> signOut(ServerWebExchange exchange) {
		return sameOrigin(exchange).then(Mono.fromSupplier(() -> {
			exchange.getResponse().addCookie(cookie(exchange, "", true));
			return Rendering.redirectTo("/").build();
		}));
	}

	private static ResponseCookie cookie(ServerWebExchange exchange, String value, boolean clear) {
		ResponseCookie.ResponseCookieBuilder cookie = ResponseCookie.from(ApiGate.COOKIE, value)
			.httpOnly(true)
			.sameSite("Strict")
			.secure("https".equals(exchange.getRequest().getURI().getScheme()))
			.path("/");
		return (clear ? cookie.maxAge(0) : cookie).build();
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
