package dev.reelay.provider.veo;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.reelay.provider.ProviderErrors;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.support.ProviderHttp;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * OAuth access tokens for a service account, as Google's libraries get them: an RS256 JWT signed with the
 * account's key is traded at the token endpoint (RFC 7523 bearer grant). A token is reused until shortly before it
 * expires; callers who find it stale at the same moment share one exchange. Neither the key, the signed assertion
 * nor the token is ever put in a message or a log.
 * <p>
 * A failing exchange happens before any call to Vertex is sent, so it can never leave a create's outcome unknown:
 * a token endpoint that is down, slow or rate limiting is reported as {@link ProviderException.Kind#RATE_LIMITED}
 * (nothing was sent, try again later), and one that refuses the key as {@link ProviderException.Kind#PERMANENT}.
 */
final class ServiceAccountTokens implements AccessTokens {

	static final String GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";

	static final String CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";

	/** Google's maximum assertion lifetime. */
	private static final Duration ASSERTION_LIFETIME = Duration.ofHours(1);

	/** The wait when a failing token endpoint names none. */
	private static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

	private final ServiceAccountKey key;

	private final String tokenUrl;

	private final String scope;

	private final Duration refreshBefore;

	private final WebClient http;

	private final Duration timeout;

	private final String instance;

	private final Clock clock;

	/** The last exchange, done or in flight; a stale or failed one is replaced by exactly one new exchange. */
	private final AtomicReference<@Nullable Mono<Token>> shared = new AtomicReference<>();

	ServiceAccountTokens(ServiceAccountKey key, String tokenUrl, String scope, Duration refreshBefore,
			WebClient http, Duration timeout, String instance, Clock clock) {
		this.key = key;
		this.tokenUrl = tokenUrl;
		this.scope = scope;
		this.refreshBefore = refreshBefore;
		this.http = http;
		this.timeout = timeout;
		this.instance = instance;
		this.clock = clock;
	}

	@Override
	public Mono<String> token() {
		return Mono.defer(() -> {
			Mono<Token> current = this.shared.get();
			if (current == null) {
				return exchangeReplacing(null);
			}
			return current.onErrorResume((failed) -> exchangeReplacing(current))
				.flatMap((token) -> this.clock.instant().isBefore(token.refreshAt()) ? Mono.just(token)
						: exchangeReplacing(current));
		}).map(Token::value);
	}

	/** A new exchange in place of {@code stale}, unless another caller already replaced it: then theirs. */
	private Mono<Token> exchangeReplacing(@Nullable Mono<Token> stale) {
		Mono<Token> next = exchange().cache();
		if (this.shared.compareAndSet(stale, next)) {
			return next;
		}
		return Objects.requireNonNull(this.shared.get());
	}

	private Mono<Token> exchange() {
		return Mono.defer(() -> {
			Instant now = this.clock.instant();
			return this.http.post()
				.uri(this.tokenUrl)
				.contentType(MediaType.APPLICATION_FORM_URLENCODED)
				.body(BodyInserters.fromFormData("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")
					.with("assertion", assertion(now)))
				.exchangeToMono((response) -> response.bodyToMono(String.class)
					.map(ProviderHttp::parse)
					.defaultIfEmpty(MissingNode.getInstance())
					.map((body) -> {
						if (!response.statusCode().is2xxSuccessful()) {
							throw refused(response.statusCode().value(), response.headers().asHttpHeaders(), body);
						}
						return token(body, now);
					}))
				.timeout(this.timeout)
				.onErrorMap((error) -> !(error instanceof ProviderException), (error) -> unavailable(0, null,
						"no answer (" + error.getClass().getSimpleName() + ")", error));
		});
	}

	private String assertion(Instant now) {
		JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT)
			.keyID(this.key.privateKeyId())
			.build();
		JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(this.key.clientEmail())
			.audience(this.tokenUrl)
			.claim("scope", this.scope)
			.issueTime(Date.from(now))
			.expirationTime(Date.from(now.plus(ASSERTION_LIFETIME)))
			.build();
		SignedJWT jwt = new SignedJWT(header, claims);
		try {
			jwt.sign(new RSASSASigner(this.key.privateKey()));
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("Could not sign the token request of provider instance '" + this.instance
					+ "' with its service-account key");
		}
		return jwt.serialize();
	}

	private Token token(JsonNode body, Instant sent) {
		String value = ProviderHttp.text(body, "access_token");
		if (value == null) {
			throw unavailable(0, null, "an answer without an access token", null);
		}
		long seconds = body.path("expires_in").asLong(3600);
		Duration lifetime = Duration.ofSeconds(Math.max(1, seconds));
		// Measured from when the request was sent, so a slow answer cannot make a token look younger than it is.
		Instant expiresAt = sent.plus(lifetime);
		Duration margin = (this.refreshBefore.compareTo(lifetime.dividedBy(2)) > 0) ? lifetime.dividedBy(2)
				: this.refreshBefore;
		return new Token(value, expiresAt.minus(margin));
	}

	/** Google's OAuth errors: {@code {"error": "invalid_grant", "error_description": "..."}}. */
	private ProviderException refused(int status, HttpHeaders headers, JsonNode body) {
		String error = Objects.requireNonNullElse(ProviderHttp.text(body, "error"), "HTTP " + status);
		if (status == 429 || status == 408 || status >= 500) {
			return unavailable(status, ProviderErrors.retryAfter(headers), error, null);
		}
		String description = ProviderHttp.text(body, "error_description");
		return new ProviderException(ProviderException.Kind.PERMANENT, "vertex_credentials_refused",
				"Google refused the service-account key of provider instance '" + this.instance + "' ("
						+ this.key.clientEmail() + "): " + error + ((description != null) ? ", " + shorten(description) : "")
						+ ". Check that the key is current and the account may use Vertex AI.",
				status, null, null, null);
	}

	private ProviderException unavailable(int status, @Nullable Duration wait, String what,
			@Nullable Throwable cause) {
		return new ProviderException(ProviderException.Kind.RATE_LIMITED, "vertex_token_unavailable",
				"Could not get an access token for provider instance '" + this.instance + "' from Google (" + what
						+ "); nothing was sent to Vertex AI, Reelay tries again shortly.",
				status, (wait != null) ? wait : DEFAULT_WAIT, null, cause);
	}

	private static String shorten(String text) {
		return (text.length() > 200) ? text.substring(0, 200) + "…" : text;
	}

	/** A token and when to stop using it: a margin before it expires. */
	private record Token(String value, Instant refreshAt) {

		@Override
		public String toString() {
			return "Token[refreshAt=" + this.refreshAt + "]";
		}

	}

}
