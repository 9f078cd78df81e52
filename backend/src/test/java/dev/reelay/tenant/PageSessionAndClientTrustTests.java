package dev.reelay.tenant;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With tenants on: the page's cookie is a session id stored hashed, which sign-out and key revocation end on the
 * server (streams included); {@code Secure} follows a forwarded https only from a trusted proxy; and wrong keys are
 * limited per client address before the database. Each test talks from its own loopback address (the server
 * listens on all of 127.0.0.0/8), so the per-address limit of one test never touches another.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.dispatch.enabled=false", "reelay.security.admin-key=" + AdminClient.ADMIN_KEY,
				"reelay.security.trusted-proxies=127.0.0.1/32", "reelay.security.failed-key-lookups.max-failures=5",
				"reelay.security.failed-key-lookups.per=10m" })
class PageSessionAndClientTrustTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final int MAX_FAILURES = 5;

	@LocalServerPort
	private int port;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private MeterRegistry meters;

	private AdminClient admin;

	@BeforeEach
	void client() {
		this.admin = new AdminClient(from("127.0.0.1"));
	}

	@Test
	void theCookieHoldsARandomSessionIdAndTheDatabaseOnlyItsHash() {
		UUID tenant = this.admin.tenant("session hash");
		Map<?, ?> issued = this.admin.issue(tenant);
		String key = (String) issued.get("key");
		WebTestClient http = from("127.0.0.11");
		ResponseCookie cookie = signIn(http, key);
		String session = cookie.getValue();
		assertThat(session).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(key).doesNotContain(key.substring(4));
		assertThat(cookie.getMaxAge()).isEqualTo(Duration.ofHours(12));
		assertThat(signIn(http, key).getValue()).as("a new id at each sign-in").isNotEqualTo(session);

		Map<String, Object> row = this.db.sql("SELECT encode(id_sha256, 'hex') AS hash, key_id, "
				+ "extract(epoch FROM expires_at - created_at) AS seconds, id::text, tenant_id::text, "
				+ "created_at::text, expires_at::text FROM page_sessions WHERE id_sha256 = :hash")
			.bind("hash", java.nio.ByteBuffer.wrap(ApiKey.sha256(session)))
			.fetch()
			.one()
			.block(WAIT);
		assertThat(row).isNotNull();
		assertThat(row.get("hash")).isEqualTo(HexFormat.of().formatHex(ApiKey.sha256(session)));
		assertThat(row.get("key_id")).isEqualTo(UUID.fromString((String) issued.get("id")));
		assertThat(((Number) row.get("seconds")).longValue()).isEqualTo(Duration.ofHours(12).toSeconds());
		assertThat(row.values()).noneSatisfy((value) -> assertThat(String.valueOf(value))
			.containsAnyOf(session, key.substring(4)));
	}

	@Test
	void signingOutEndsTheSessionOnTheServerAndItsStreams() {
		String key = this.admin.newTenantKey("signing out");
		WebTestClient http = from("127.0.0.12");
		String session = signIn(http, key).getValue();
		http.get().uri("/api/v1/jobs").cookie(ApiGate.COOKIE, session).exchange().expectStatus().isOk();

		StepVerifier.create(events(session))
			.expectNextMatches((event) -> "ready".equals(event.comment()))
			.then(() -> http.post()
				.uri("/signout")
				.cookie(ApiGate.COOKIE, session)
				.exchange()
				.expectStatus().isSeeOther())
			.thenConsumeWhile((event) -> event.data() == null)
			.expectComplete()
			.verify(WAIT);

		// The old cookie, kept by someone who copied it before sign-out, no longer works anywhere.
		http.get().uri("/api/v1/jobs").cookie(ApiGate.COOKIE, session).exchange().expectStatus().isUnauthorized();
		http.get()
			.uri("/")
			.cookie(ApiGate.COOKIE, session)
			.exchange()
			.expectStatus().isOk()
			.expectBody(String.class)
			.value((page) -> assertThat(page).contains("id=\"signin-form\"").doesNotContain("id=\"job-form\""));
		assertThat(this.db.sql("SELECT ended_at FROM page_sessions WHERE id_sha256 = :hash")
			.bind("hash", java.nio.ByteBuffer.wrap(ApiKey.sha256(session)))
			.map((row) -> row.get("ended_at", Instant.class))
			.one()
			.block(WAIT)).isNotNull();
	}

	@Test
	void revokingTheKeyEndsTheSessionsOpenedWithItAndTheirStreams() {
		UUID tenant = this.admin.tenant("revoked session");
		Map<?, ?> issued = this.admin.issue(tenant);
		String key = (String) issued.get("key");
		String other = this.admin.key(tenant);
		WebTestClient http = from("127.0.0.13");
		String session = signIn(http, key).getValue();
		String otherSession = signIn(http, other).getValue();

		StepVerifier.create(events(session))
			.expectNextMatches((event) -> "ready".equals(event.comment()))
			.then(() -> from("127.0.0.1").post()
				.uri("/api/v1/admin/tenants/{tenant}/keys/{key}/revoke", tenant, issued.get("id"))
				.header("Authorization", "Bearer " + AdminClient.ADMIN_KEY)
				.exchange()
				.expectStatus().isOk())
			.thenConsumeWhile((event) -> event.data() == null)
			.expectComplete()
			.verify(WAIT);
		http.get().uri("/api/v1/jobs").cookie(ApiGate.COOKIE, session).exchange().expectStatus().isUnauthorized();
		http.get().uri("/api/v1/jobs").cookie(ApiGate.COOKIE, otherSession).exchange().expectStatus().isOk();
	}

	@Test
	void theCookieIsSecureOnlyWhenATrustedProxySaysHttps() {
		String key = this.admin.newTenantKey("behind a proxy");
		// 127.0.0.1 is the trusted proxy here.
		WebTestClient proxy = from("127.0.0.1");
		assertThat(signIn(proxy, key, "X-Forwarded-Proto", "https").isSecure()).isTrue();
		assertThat(signIn(proxy, key, "Forwarded", "for=203.0.113.7;proto=https").isSecure()).isTrue();
		assertThat(signIn(proxy, key, "X-Forwarded-Proto", "http").isSecure()).isFalse();
		assertThat(signIn(proxy, key).isSecure()).as("plain http, nothing forwarded").isFalse();
		// Anyone else saying so is not believed.
		WebTestClient stranger = from("127.0.0.14");
		assertThat(signIn(stranger, key, "X-Forwarded-Proto", "https").isSecure()).isFalse();
		assertThat(signIn(stranger, key, "Forwarded", "proto=https").isSecure()).isFalse();
	}

	@Test
	void wrongKeysAreLimitedPerAddressBeforeTheDatabase() {
		String right = this.admin.newTenantKey("limited");
		WebTestClient guesser = from("127.0.0.21");
		double refusedBefore = refusedLookups();
		for (int i = 0; i < MAX_FAILURES; i++) {
			jobs(guesser, "Bearer " + ApiKey.generate()).expectStatus().isUnauthorized();
		}
		jobs(guesser, "Bearer " + ApiKey.generate()).expectStatus().isEqualTo(429)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader().value("Retry-After", (seconds) -> assertThat(Long.parseLong(seconds)).isPositive())
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://reelay.dev/problems/rate-limited")
			.jsonPath("$.detail").value((String detail) -> assertThat(detail).doesNotContain("rly_"));
		// Refused before the lookup: even the right key is not looked up from that address for now, nor a cookie.
		jobs(guesser, "Bearer " + right).expectStatus().isEqualTo(429);
		guesser.get().uri("/api/v1/jobs").cookie(ApiGate.COOKIE, "x".repeat(43)).exchange().expectStatus().isEqualTo(429);
		guesser.post()
			.uri("/signin")
			.body(BodyInserters.fromFormData("key", right))
			.exchange()
			.expectStatus().isEqualTo(429)
			.expectHeader().exists("Retry-After")
			.expectHeader().doesNotExist("Set-Cookie");
		assertThat(refusedLookups() - refusedBefore).isEqualTo(4);
		// Another address is not affected.
		jobs(from("127.0.0.22"), "Bearer " + right).expectStatus().isOk();
	}

	@Test
	void theAddressBehindATrustedProxyIsTheRightMostOneTheProxiesDidNotAdd() {
		String right = this.admin.newTenantKey("proxied");
		WebTestClient proxy = from("127.0.0.1");
		for (int i = 0; i < MAX_FAILURES + 1; i++) {
			proxy.get().uri("/api/v1/jobs").header("Authorization", "Bearer " + ApiKey.generate())
				.header("X-Forwarded-For", "203.0.113.9").exchange();
		}
		proxy.get().uri("/api/v1/jobs").header("Authorization", "Bearer " + right)
			.header("X-Forwarded-For", "203.0.113.9").exchange().expectStatus().isEqualTo(429);
		// The proxy itself, and another client behind it, are not cut off...
		jobs(proxy, "Bearer " + right).expectStatus().isOk();
		proxy.get().uri("/api/v1/jobs").header("Authorization", "Bearer " + right)
			.header("X-Forwarded-For", "203.0.113.10").exchange().expectStatus().isOk();
		// ...but the cut-off client cannot escape by writing another address in front of the one the proxy added.
		proxy.get().uri("/api/v1/jobs").header("Authorization", "Bearer " + right)
			.header("X-Forwarded-For", "198.51.100.1, 203.0.113.9").exchange().expectStatus().isEqualTo(429);
		proxy.get().uri("/api/v1/jobs").header("Authorization", "Bearer " + right)
			.header("Forwarded", "for=198.51.100.1, for=\"203.0.113.9:4711\"").exchange().expectStatus().isEqualTo(429);
		// From an untrusted peer the header is ignored: its own address counts.
		WebTestClient stranger = from("127.0.0.23");
		stranger.get().uri("/api/v1/jobs").header("Authorization", "Bearer " + right)
			.header("X-Forwarded-For", "203.0.113.9").exchange().expectStatus().isOk();
	}

	private WebTestClient.ResponseSpec jobs(WebTestClient http, String authorization) {
		return http.get().uri("/api/v1/jobs").header("Authorization", authorization).exchange();
	}

	private double refusedLookups() {
		return this.meters.counter("reelay.security.key.lookups.refused").count();
	}

	private ResponseCookie signIn(WebTestClient http, String key, String... header) {
		WebTestClient.RequestHeadersSpec<?> request = http.post()
			.uri("/signin")
			.body(BodyInserters.fromFormData("key", key));
		if (header.length == 2) {
			request = request.header(header[0], header[1]);
		}
		ResponseCookie cookie = request.exchange()
			.expectStatus().isSeeOther()
			.returnResult(Void.class)
			.getResponseCookies()
			.getFirst(ApiGate.COOKIE);
		assertThat(cookie).isNotNull();
		return cookie;
	}

	private Flux<ServerSentEvent<String>> events(String session) {
		return WebClient.create("http://127.0.0.1:" + this.port)
			.get()
			.uri("/api/v1/events")
			.cookie(ApiGate.COOKIE, session)
			.accept(MediaType.TEXT_EVENT_STREAM)
			.retrieve()
			.bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() {
			});
	}

	/** A client whose connections come from {@code address} (any of 127.0.0.0/8 on Linux). */
	private WebTestClient from(String address) {
		HttpClient client = HttpClient.create().bindAddress(() -> new InetSocketAddress(address, 0));
		return WebTestClient.bindToServer(new ReactorClientHttpConnector(client))
			.baseUrl("http://127.0.0.1:" + this.port)
			.responseTimeout(WAIT)
			.build();
	}

}
