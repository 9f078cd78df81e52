package dev.reelay.tenant;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import com.github.benmanes.caffeine.cache.Ticker;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

/**
 * Who is calling {@code /api/**}, {@code /v1/**} (the OpenAI-compatible API) and {@code /actuator/**}, decided once per request on the path as the router reads
 * it ({@link RoutedPath}, after {@link RequestFirewall} refused ambiguous spellings): the admin (admin API and the
 * actuator's details, with the admin key), a tenant (its key as a bearer token, or the page's sign-in cookie), or, in
 * local mode, the local tenant. Then the tenant's rate limit. Everything else passes untouched: provider webhooks and
 * the simulator check their own signatures and keys, health probes and the page's assets are open, the page asks
 * {@link PageSignIn}.
 */
@Component
class ApiGate {

	/**
	 * The page's sign-in cookie: a session id (see {@link PageSessions}), never the key; HttpOnly and
	 * SameSite=Strict.
	 */
	static final String COOKIE = "reelay_session";

	/** Where the cookie held the key itself before sessions; sign-in and sign-out clear it. */
	static final String OLD_COOKIE = "reelay_key";

	/**
	 * Cookie-authenticated requests that change something must carry this header: a page on another origin cannot
	 * add a custom header without a CORS preflight, which Reelay never grants (CSRF protection on top of SameSite).
	 */
	static final String CSRF_HEADER = "X-Reelay-Request";

	private static final Logger log = LoggerFactory.getLogger(ApiGate.class);

	private static final String API_PATH = "/api";

	/** The OpenAI-compatible surface ({@code dev.reelay.openai}): the same tenants, keys and limits as the API. */
	private static final String OPENAI_PATH = "/v1";

	private static final String ADMIN_PATH = "/api/v1/admin";

	private static final String ACTUATOR_PATH = "/actuator";

	private final TenantSettings settings;

	private final ApiKeys keys;

	private final ApiRateLimiter limiter;

	private final KeyRevocations revocations;

	private final JsonMapper json;

	private final PageSessions sessions;

	private final SessionEnds sessionEnds;

	private final FailedKeyLookups failedLookups;

	private final LocalModeGuard localMode;

	ApiGate(TenantSettings settings, ApiKeys keys, KeyRevocations revocations, JsonMapper json, PageSessions sessions,
			SessionEnds sessionEnds, FailedKeyLookups failedLookups, LocalModeGuard localMode) {
		this.sessions = sessions;
		this.sessionEnds = sessionEnds;
		this.failedLookups = failedLookups;
		this.localMode = localMode;
		this.settings = settings;
		this.keys = keys;
		this.revocations = revocations;
		this.json = json;
		this.limiter = new ApiRateLimiter(settings.rateLimit(), Ticker.systemTicker());
		if (settings.localMode()) {
			log.info("No admin key is configured (REELAY_ADMIN_KEY): local single-user mode, every request acts for "
					+ "the local tenant and the admin API is off");
		}
		else {
			log.info("Admin key configured: API requests need a tenant's API key and the page asks to sign in");
		}
	}

	Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String path = RoutedPath.of(exchange.getRequest());
		if (RoutedPath.isUnder(path, ACTUATOR_PATH)) {
			return actuator(path, exchange, chain);
		}
		if (!RoutedPath.isUnder(path, API_PATH) && !RoutedPath.isUnder(path, OPENAI_PATH)) {
			return chain.filter(exchange);
		}
		if (RoutedPath.isUnder(path, ADMIN_PATH)) {
			return admin(exchange, chain);
		}
		if (this.settings.localMode()) {
			Mono<Void> refused = this.localMode.refusal(exchange);
			return (refused != null) ? refused : asTenant(CallerTenant.LOCAL, exchange, chain);
		}
		boolean stream = path.endsWith("/events");
		ServerHttpRequest request = exchange.getRequest();
		String bearer = bearer(request);
		if (bearer != null) {
			return this.failedLookups.guard(exchange, this.keys.caller(bearer),
					(caller) -> caller.isPresent() ? asCaller(caller.get(), stream, exchange, chain)
							: unauthorized(exchange, "The API key is not valid or has been revoked", true),
					(wait) -> this.failedLookups.tooMany(exchange, wait));
		}
		HttpCookie cookie = request.getCookies().getFirst(COOKIE);
		if (cookie != null) {
			if (isUnsafe(request.getMethod()) && !request.getHeaders().containsHeader(CSRF_HEADER)) {
				return ApiProblems.write(exchange, ApiProblems.problem(HttpStatus.FORBIDDEN, ApiProblems.FORBIDDEN,
						"Forbidden", "A request signed in with the page's cookie that changes something must carry the "
								+ CSRF_HEADER + " header; API clients send Authorization: Bearer instead"),
						this.json);
			}
			return this.failedLookups.guard(exchange, this.sessions.find(cookie.getValue()),
					(session) -> session.isPresent() ? asSession(session.get(), stream, exchange, chain)
							: unauthorized(exchange, "The page's sign-in has ended (signed out, expired, or its key "
									+ "was revoked); sign in again", true),
					(wait) -> this.failedLookups.tooMany(exchange, wait));
		}
		return unauthorized(exchange, "This API needs an API key: send Authorization: Bearer <key>", false);
	}

	private Mono<Void> admin(ServerWebExchange exchange, WebFilterChain chain) {
		String adminKey = this.settings.adminKey();
		if (adminKey == null || adminKey.isBlank()) {
			return ApiProblems.write(exchange, ApiProblems.problem(HttpStatus.FORBIDDEN, ApiProblems.FORBIDDEN,
					"Admin API off", "The admin API is off: no admin key is configured (set REELAY_ADMIN_KEY)"),
					this.json);
		}
		String bearer = bearer(exchange.getRequest());
		if (!ApiKey.sameSecret(bearer, adminKey)) {
			return unauthorized(exchange, "The admin API needs the admin key: send Authorization: Bearer <admin key>",
					bearer != null);
		}
		return chain.filter(exchange);
	}

	/**
	 * The probes are open to anyone (load balancers and orchestrators call them without keys) and answer only a status;
	 * the rest of the actuator (health details, metrics, Prometheus) names the data path, provider instances, missing
	 * key variables and counts across tenants, so with tenants on it takes the admin key. The admin gets the details
	 * through the actuator's own {@code show-details: when-authorized}, which reads Spring Security's reactive
	 * context. In local mode the single user is the admin.
	 */
	private Mono<Void> actuator(String path, ServerWebExchange exchange, WebFilterChain chain) {
		if (this.settings.localMode()) {
			return chain.filter(exchange).contextWrite(OperatorAuthentication.context());
		}
		String bearer = bearer(exchange.getRequest());
		if (bearer != null && ApiKey.sameSecret(bearer, this.settings.adminKey())) {
			return chain.filter(exchange).contextWrite(OperatorAuthentication.context());
		}
		if (RoutedPath.isUnder(path, ACTUATOR_PATH + "/health")) {
			// Anyone else: the status alone (show-details when-authorized hides details and components).
			return chain.filter(exchange);
		}
		return unauthorized(exchange, "Metrics and health details need the admin key: send Authorization: Bearer "
				+ "<admin key>", bearer != null);
	}

	/** An event stream stays open only while its key does: revoking the key ends the response. */
	private Mono<Void> asCaller(ApiKeys.Caller caller, boolean stream, ServerWebExchange exchange,
			WebFilterChain chain) {
		Mono<Void> answered = asTenant(caller.tenant(), exchange, chain);
		return stream ? answered.takeUntilOther(this.revocations.of(caller.key())) : answered;
	}

	/**
	 * A stream opened with the page's cookie stays open only while its session does: it ends at sign-out, when the
	 * session's key is revoked, or when the session expires.
	 */
	private Mono<Void> asSession(PageSessions.Session session, boolean stream, ServerWebExchange exchange,
			WebFilterChain chain) {
		Mono<Void> answered = asTenant(session.caller().tenant(), exchange, chain);
		if (!stream) {
			return answered;
		}
		Duration left = Duration.between(Instant.now(), session.expiresAt());
		return answered.takeUntilOther(Mono.firstWithSignal(this.revocations.of(session.caller().key()),
				this.sessionEnds.of(session.id()), Mono.delay(left.isNegative() ? Duration.ZERO : left).then()));
	}

	private Mono<Void> asTenant(UUID tenant, ServerWebExchange exchange, WebFilterChain chain) {
		Duration wait = this.limiter.acquire(tenant);
		if (!wait.isZero()) {
			// Whole seconds, rounded up: a client waiting that long finds a token.
			long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
			exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
			TenantSettings.RateLimit limit = this.settings.rateLimit();
			return ApiProblems.write(exchange, ApiProblems.problem(HttpStatus.TOO_MANY_REQUESTS, ApiProblems.RATE_LIMITED,
					"Too many requests", "This tenant may make " + limit.requestsPerSecond() + " requests per second "
							+ "(bursts of " + limit.burst() + "); retry after " + seconds + " s"),
					this.json);
		}
		return chain.filter(exchange).contextWrite((context) -> CallerTenant.with(context, tenant));
	}

	private Mono<Void> unauthorized(ServerWebExchange exchange, String detail, boolean presentedBad) {
		exchange.getResponse()
			.getHeaders()
			.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"reelay\"" + (presentedBad ? ", error=\"invalid_token\"" : ""));
		return ApiProblems.write(exchange,
				ApiProblems.problem(HttpStatus.UNAUTHORIZED, ApiProblems.UNAUTHORIZED, "Unauthorized", detail), this.json);
	}

	private static @Nullable String bearer(ServerHttpRequest request) {
		String header = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
		if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
			return null;
		}
		String token = header.substring(7).strip();
		return token.isEmpty() ? null : token;
	}

	private static boolean isUnsafe(HttpMethod method) {
		return !(HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method));
	}

}
