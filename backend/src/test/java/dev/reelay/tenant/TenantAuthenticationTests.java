package dev.reelay.tenant;

import java.net.URI;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.reelay.simulator.SimulatorAccess;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With an admin key configured: keys shown once and stored hashed, revocation at once, the admin API behind the admin
 * key, 401 problems for every API path without a valid key, the open paths, and the page's sign-in cookie.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.dispatch.enabled=false", "reelay.security.admin-key=" + AdminClient.ADMIN_KEY,
				"reelay.simulator.enabled=true" })
class TenantAuthenticationTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@LocalServerPort
	private int port;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private SimulatorAccess simulator;

	private WebTestClient http;

	private AdminClient admin;

	@BeforeEach
	void client() {
		this.http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.port).responseTimeout(WAIT).build();
		this.admin = new AdminClient(this.http);
	}

	@Test
	void aKeyIsShownOnceAndOnlyItsHashIsStored() {
		UUID tenant = this.admin.tenant("hashed");
		Map<?, ?> issued = this.admin.issue(tenant);
		String key = (String) issued.get("key");
		assertThat(key).matches("rly_[A-Za-z0-9_-]{43}");
		assertThat(issued.get("prefix")).isEqualTo(key.substring(0, 12));

		this.http.get()
			.uri("/api/v1/admin/tenants/{id}/keys", tenant)
			.header("Authorization", "Bearer " + AdminClient.ADMIN_KEY)
			.exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.data.length()").isEqualTo(1)
			.jsonPath("$.data[0].prefix").isEqualTo(key.substring(0, 12))
			.jsonPath("$.data[0].key").doesNotExist()
			.jsonPath("$.data[0].revoked_at").isEmpty();

		Map<String, Object> row = this.db
			.sql("SELECT name, prefix, encode(key_sha256, 'hex') AS hash FROM api_keys WHERE id = :id")
			.bind("id", UUID.fromString((String) issued.get("id")))
			.fetch()
			.one()
			.block(WAIT);
		assertThat(row.get("hash")).isEqualTo(HexFormat.of().formatHex(ApiKey.sha256(key)));
		assertThat(row.values()).noneSatisfy((value) -> assertThat(String.valueOf(value)).contains(key.substring(12)));
	}

	@Test
	void aRevokedKeyIsRefusedAtOnceWhileTheTenantsOtherKeysWork() {
		UUID tenant = this.admin.tenant("revoking");
		Map<?, ?> revoked = this.admin.issue(tenant);
		String kept = this.admin.key(tenant);
		String key = (String) revoked.get("key");
		this.http.get().uri("/api/v1/jobs").header("Authorization", "Bearer " + key).exchange().expectStatus().isOk();

		this.admin.revoke(tenant, revoked).expectBody().jsonPath("$.revoked_at").isNotEmpty();

		this.http.get()
			.uri("/api/v1/jobs")
			.header("Authorization", "Bearer " + key)
			.exchange()
			.expectStatus().isUnauthorized()
			.expectHeader().valueEquals("WWW-Authenticate", "Bearer realm=\"reelay\", error=\"invalid_token\"");
		this.http.get().uri("/api/v1/jobs").header("Authorization", "Bearer " + kept).exchange().expectStatus().isOk();
	}

	@Test
	void revokingAKeyEndsTheStreamsItOpenedHereAndFromOtherInstances() {
		UUID tenant = this.admin.tenant("streaming");
		Map<?, ?> viaAdmin = this.admin.issue(tenant);
		Map<?, ?> viaOtherInstance = this.admin.issue(tenant);
		StepVerifier.create(events((String) viaAdmin.get("key")))
			.expectNextMatches((event) -> "ready".equals(event.comment()))
			.then(() -> this.admin.revoke(tenant, viaAdmin))
			.thenConsumeWhile((event) -> event.data() == null)
			.expectComplete()
			.verify(WAIT);
		// Revoked by another instance: only the database says so; heard within reelay.security.revocation-check.
		StepVerifier.create(events((String) viaOtherInstance.get("key")))
			.expectNextMatches((event) -> "ready".equals(event.comment()))
			.then(() -> this.db.sql("UPDATE api_keys SET revoked_at = now() WHERE id = :id")
				.bind("id", UUID.fromString((String) viaOtherInstance.get("id")))
				.fetch()
				.rowsUpdated()
				.block(WAIT))
			.thenConsumeWhile((event) -> event.data() == null)
			.expectComplete()
			.verify(WAIT);
	}

	private Flux<ServerSentEvent<String>> events(String key) {
		return KeyedEvents.open(URI.create("http://127.0.0.1:" + this.port + "/api/v1/events"), key);
	}

	@Test
	void everyApiPathNeedsAKeyAndSaysSoAsAProblem() {
		String job = UUID.randomUUID().toString();
		for (String path : List.of("/api/v1/jobs", "/api/v1/jobs/" + job, "/api/v1/jobs/" + job + "/content",
				"/api/v1/events", "/api/v1/jobs/" + job + "/events", "/api/v1/models", "/api/v1/providers",
				"/api/v1/activity")) {
			this.http.get()
				.uri(path)
				.exchange()
				.expectStatus().isUnauthorized()
				.expectHeader().valueEquals("WWW-Authenticate", "Bearer realm=\"reelay\"")
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody()
				.jsonPath("$.status").isEqualTo(401)
				.jsonPath("$.type").isEqualTo("https://reelay.dev/problems/unauthorized")
				.jsonPath("$.instance").isEqualTo(path);
		}
		for (String bad : List.of("Bearer rly_" + "x".repeat(43), "Bearer " + AdminClient.ADMIN_KEY, "Basic abc")) {
			this.http.post()
				.uri("/api/v1/jobs")
				.header("Authorization", bad)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("prompt", "not allowed"))
				.exchange()
				.expectStatus().isUnauthorized();
		}
		assertThat(this.db.sql("SELECT count(*) AS n FROM jobs WHERE prompt = 'not allowed'")
			.map((row) -> row.get("n", Long.class))
			.one()
			.block(WAIT)).isZero();
	}

	@Test
	void theAdminApiNeedsTheAdminKey() {
		String tenantKey = this.admin.newTenantKey("not an admin");
		for (String authorization : List.of("", "Bearer wrong-admin-key", "Bearer " + tenantKey)) {
			WebTestClient.RequestHeadersSpec<?> request = this.http.get().uri("/api/v1/admin/tenants");
			if (!authorization.isEmpty()) {
				request = request.header("Authorization", authorization);
			}
			request.exchange()
				.expectStatus().isUnauthorized()
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectHeader().value("WWW-Authenticate", (value) -> assertThat(value).startsWith("Bearer"))
				.expectBody().jsonPath("$.detail").value((String detail) -> assertThat(detail)
					.doesNotContain(AdminClient.ADMIN_KEY).doesNotContain(tenantKey));
		}
		this.http.get()
			.uri("/api/v1/admin/tenants")
			.header("Authorization", "Bearer " + AdminClient.ADMIN_KEY)
			.exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.data[?(@.name == 'not an admin')]").exists();
	}

	@Test
	void badAdminRequestsAreProblemsNamingTheField() {
		this.http.post()
			.uri("/api/v1/admin/tenants")
			.header("Authorization", "Bearer " + AdminClient.ADMIN_KEY)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", " "))
			.exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.field").isEqualTo("name");
		this.http.post()
			.uri("/api/v1/admin/tenants")
			.header("Authorization", "Bearer " + AdminClient.ADMIN_KEY)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "x", "budget", 5))
			.exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.field").isEqualTo("budget");
		UUID nobody = UUID.randomUUID();
		this.http.post()
			.uri("/api/v1/admin/tenants/{id}/keys", nobody)
			.header("Authorization", "Bearer " + AdminClient.ADMIN_KEY)
			.exchange()
			.expectStatus().isNotFound()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
		this.http.post()
			.uri("/api/v1/admin/tenants/{id}/keys/{key}/revoke", nobody, UUID.randomUUID())
			.header("Authorization", "Bearer " + AdminClient.ADMIN_KEY)
			.exchange()
			.expectStatus().isNotFound();
		assertThat(this.db.sql("SELECT count(*) AS n FROM api_keys WHERE tenant_id = :id")
			.bind("id", nobody)
			.map((row) -> row.get("n", Long.class))
			.one()
			.block(WAIT)).isZero();
	}

	@Test
	void webhooksTheSimulatorHealthAndDocsNeedNoKey() {
		this.http.post().uri("/webhooks/no-such-instance").exchange().expectStatus().isNotFound();
		this.http.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
		// The simulator answers for itself (its own 404 envelope), behind its own check: this process's key.
		this.http.get()
			.uri("/simulator/openai/v1/videos/video_missing")
			.header("Authorization", "Bearer " + this.simulator.key())
			.exchange()
			.expectStatus().isNotFound()
			.expectBody().jsonPath("$.error.message").isEqualTo("Video with id 'video_missing' not found.");
		this.http.get().uri("/js/api.js").exchange().expectStatus().isOk();
	}

	@Test
	void thePageSignsInWithAKeyKeptInAnHttpOnlyStrictCookie() {
		String key = this.admin.newTenantKey("page user");
		this.http.get()
			.uri("/")
			.exchange()
			.expectStatus().isOk()
			.expectBody(String.class)
			.value((page) -> assertThat(page).contains("id=\"signin-form\"").doesNotContain("id=\"job-form\""));

		ResponseCookie cookie = this.http.post()
			.uri("/signin")
			.body(BodyInserters.fromFormData("key", key).with("next", "/jobs/" + UUID.randomUUID()))
			.exchange()
			.expectStatus().isSeeOther()
			.expectHeader().value("Location", (location) -> assertThat(location).startsWith("/jobs/"))
			.returnResult(Void.class)
			.getResponseCookies()
			.getFirst(ApiGate.COOKIE);
		assertThat(cookie).isNotNull();
		// A session id, never the key (PageSessionTests checks what is stored).
		assertThat(cookie.getValue()).isNotEqualTo(key).doesNotContain(key.substring(4));
		assertThat(cookie.isHttpOnly()).isTrue();
		assertThat(cookie.getSameSite()).isEqualTo("Strict");
		assertThat(cookie.isSecure()).as("plain http here").isFalse();
		String session = cookie.getValue();

		this.http.get()
			.uri("/")
			.cookie(ApiGate.COOKIE, session)
			.exchange()
			.expectStatus().isOk()
			.expectBody(String.class)
			.value((page) -> assertThat(page).contains("id=\"job-form\"").contains("id=\"sign-out\""));
		this.http.get().uri("/api/v1/jobs").cookie(ApiGate.COOKIE, session).exchange().expectStatus().isOk();
		this.http.get().uri("/api/v1/jobs").cookie(ApiGate.COOKIE, key).exchange().expectStatus().isUnauthorized();

		ResponseCookie cleared = this.http.post()
			.uri("/signout")
			.cookie(ApiGate.COOKIE, session)
			.exchange()
			.expectStatus().isSeeOther()
			.returnResult(Void.class)
			.getResponseCookies()
			.getFirst(ApiGate.COOKIE);
		assertThat(cleared.getMaxAge()).isZero();
		assertThat(cleared.getValue()).isEmpty();
	}

	@Test
	void aWrongKeyOrAnotherSitesFormDoesNotSignIn() {
		this.http.post()
			.uri("/signin")
			.body(BodyInserters.fromFormData("key", "rly_guess"))
			.exchange()
			.expectStatus().isUnauthorized()
			.expectHeader().doesNotExist("Set-Cookie")
			.expectBody(String.class)
			.value((page) -> assertThat(page).contains("not valid"));
		String key = this.admin.newTenantKey("targeted");
		this.http.post()
			.uri("/signin")
			.header("Origin", "https://evil.example")
			.body(BodyInserters.fromFormData("key", key))
			.exchange()
			.expectStatus().isForbidden()
			.expectHeader().doesNotExist("Set-Cookie");
		this.http.post()
			.uri("/signin")
			.header("Origin", "http://127.0.0.1:" + this.port)
			.body(BodyInserters.fromFormData("key", key).with("next", "//evil.example/"))
			.exchange()
			.expectStatus().isSeeOther()
			.expectHeader().valueEquals("Location", "/");
	}

	@Test
	void aCookieCanChangeSomethingOnlyWithThePagesOwnHeader() {
		String key = this.admin.newTenantKey("csrf");
		String session = this.http.post()
			.uri("/signin")
			.body(BodyInserters.fromFormData("key", key))
			.exchange()
			.expectStatus().isSeeOther()
			.returnResult(Void.class)
			.getResponseCookies()
			.getFirst(ApiGate.COOKIE)
			.getValue();
		String prompt = "csrf " + UUID.randomUUID();
		this.http.post()
			.uri("/api/v1/jobs")
			.cookie(ApiGate.COOKIE, session)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", prompt))
			.exchange()
			.expectStatus().isForbidden()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.detail").value((String detail) -> assertThat(detail).contains(ApiGate.CSRF_HEADER));
		assertThat(this.db.sql("SELECT count(*) AS n FROM jobs WHERE prompt = :prompt")
			.bind("prompt", prompt)
			.map((row) -> row.get("n", Long.class))
			.one()
			.block(WAIT)).isZero();
		this.http.post()
			.uri("/api/v1/jobs")
			.cookie(ApiGate.COOKIE, session)
			.header(ApiGate.CSRF_HEADER, "1")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", prompt))
			.exchange()
			.expectStatus().isAccepted();
	}

}
