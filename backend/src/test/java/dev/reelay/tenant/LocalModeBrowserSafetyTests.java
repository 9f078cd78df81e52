package dev.reelay.tenant;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Local mode against the browser attacks that reach a server on localhost: DNS rebinding (a foreign {@code Host}),
 * another site's page changing something (a foreign {@code Origin}, a cross-site {@code Sec-Fetch-Site}), and a
 * browser request without the page's own header; curl-like clients keep working without any header. And the
 * security headers on the page, the API and a refusal.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.dispatch.enabled=false",
				"reelay.security.allowed-hosts=reelay.test.lan, other.test.lan:8080" })
class LocalModeBrowserSafetyTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@LocalServerPort
	private int port;

	@Autowired
	private DatabaseClient db;

	private WebTestClient http;

	@BeforeEach
	void client() {
		this.http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.port).responseTimeout(WAIT).build();
	}

	@Test
	void aForeignHostIsRefusedEverywhereAndLoopbackOrAllowedHostsAreNot() {
		for (String host : new String[] { "rebind.attacker.example", "rebind.attacker.example:" + this.port,
				"localhost.attacker.example", "127.0.0.1.nip.io", "192.168.1.10", "[2001:db8::1]" }) {
			for (String path : new String[] { "/", "/api/v1/jobs", "/js/dashboard-page.js", "/actuator/health" }) {
				this.http.get()
					.uri(path)
					.header("Host", host)
					.exchange()
					.expectStatus().isForbidden()
					.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
					.expectBody()
					.jsonPath("$.title").isEqualTo("Host not allowed")
					.jsonPath("$.detail").value((String detail) -> assertThat(detail).contains("reelay.security.allowed-hosts"));
			}
		}
		String prompt = "rebound " + UUID.randomUUID();
		this.http.post()
			.uri("/api/v1/jobs")
			.header("Host", "rebind.attacker.example:" + this.port)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", prompt))
			.exchange()
			.expectStatus().isForbidden();
		assertThat(jobsWithPrompt(prompt)).isZero();

		for (String host : new String[] { "localhost:" + this.port, "LOCALHOST", "app.localhost", "127.0.0.1",
				"127.1.2.3:" + this.port, "[::1]:" + this.port, "reelay.test.lan", "Reelay.Test.Lan:" + this.port, "other.test.lan" }) {
			this.http.get().uri("/api/v1/jobs").header("Host", host).exchange().expectStatus().isOk();
		}
		// Provider webhooks arrive under a tunnel's name and check their own signatures: not refused for the host.
		this.http.post()
			.uri("/webhooks/simulator")
			.header("Host", "my-tunnel.example")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of())
			.exchange()
			.expectBody(String.class)
			.value((body) -> assertThat(String.valueOf(body)).doesNotContain("Host not allowed"));
	}

	@Test
	void anotherSitesPageCannotCreateOrCancelAJob() {
		String prompt = "cross-site " + UUID.randomUUID();
		// A form post from another site: a simple request (no preflight), which browsers send with Origin.
		this.http.post()
			.uri("/api/v1/jobs")
			.header("Origin", "https://evil.example")
			.header("Sec-Fetch-Site", "cross-site")
			.body(BodyInserters.fromMultipartData("prompt", prompt))
			.exchange()
			.expectStatus().isForbidden()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.title").isEqualTo("Cross-origin request refused");
		// Even with the page's header (which the browser would have preflighted, and Reelay never allows).
		for (String origin : new String[] { "https://evil.example", "null", "http://127.0.0.1:1",
				"http://localhost:" + this.port, "https://127.0.0.1:" + this.port }) {
			this.http.post()
				.uri("/api/v1/jobs")
				.header("Origin", origin)
				.header(ApiGate.CSRF_HEADER, "1")
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("prompt", prompt))
				.exchange()
				.expectStatus().isForbidden();
		}
		// Sec-Fetch-Site alone says so too (a browser that left Origin out).
		this.http.post()
			.uri("/api/v1/jobs")
			.header("Sec-Fetch-Site", "same-site")
			.header(ApiGate.CSRF_HEADER, "1")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", prompt))
			.exchange()
			.expectStatus().isForbidden();
		assertThat(jobsWithPrompt(prompt)).as("no row written").isZero();

		String id = createdByCurl("to be kept " + UUID.randomUUID());
		this.http.post()
			.uri("/api/v1/jobs/{id}/cancel", id)
			.header("Origin", "https://evil.example")
			.exchange()
			.expectStatus().isForbidden();
		this.http.get().uri("/api/v1/jobs/{id}", id).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("queued");
	}

	@Test
	void aBrowserRequestThatChangesSomethingNeedsThePagesHeaderAndCurlNeedsNone() {
		String own = "http://127.0.0.1:" + this.port;
		String prompt = "no header " + UUID.randomUUID();
		this.http.post()
			.uri("/api/v1/jobs")
			.header("Origin", own)
			.header("Sec-Fetch-Site", "same-origin")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", prompt))
			.exchange()
			.expectStatus().isForbidden()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.detail").value((String detail) -> assertThat(detail).contains(ApiGate.CSRF_HEADER));
		this.http.post()
			.uri("/api/v1/jobs")
			.header("Sec-Fetch-Site", "same-origin")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", prompt))
			.exchange()
			.expectStatus().isForbidden();
		assertThat(jobsWithPrompt(prompt)).isZero();

		// The page's own call: same origin, with the header.
		this.http.post()
			.uri("/api/v1/jobs")
			.header("Origin", own)
			.header("Sec-Fetch-Site", "same-origin")
			.header(ApiGate.CSRF_HEADER, "1")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", prompt))
			.exchange()
			.expectStatus().isAccepted();
		// An API client with a bearer token (any, in local mode), and curl with nothing.
		this.http.post()
			.uri("/api/v1/jobs")
			.header("Origin", own)
			.header("Authorization", "Bearer local")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", prompt))
			.exchange()
			.expectStatus().isAccepted();
		createdByCurl(prompt);
		assertThat(jobsWithPrompt(prompt)).isEqualTo(3);
		// Reading needs no header: another site cannot read the answer anyway (no CORS).
		this.http.get().uri("/api/v1/jobs").header("Sec-Fetch-Site", "same-origin").exchange().expectStatus().isOk();
	}

	@Test
	void thePageTheApiAndRefusalsCarryTheSecurityHeaders() {
		String job = createdByCurl("security headers " + UUID.randomUUID());
		for (WebTestClient.ResponseSpec response : new WebTestClient.ResponseSpec[] {
				this.http.get().uri("/").exchange().expectStatus().isOk(),
				this.http.get().uri("/jobs/{id}", job).exchange().expectStatus().isOk(),
				// An unknown job's page is the error page (BrowserErrorPages), with the same headers.
				this.http.get().uri("/jobs/{id}", UUID.randomUUID()).accept(MediaType.TEXT_HTML).exchange()
					.expectStatus().isNotFound(),
				this.http.get().uri("/api/v1/jobs").exchange().expectStatus().isOk(),
				this.http.get().uri("/js/dashboard-page.js").exchange().expectStatus().isOk(),
				this.http.get().uri("/").header("Host", "evil.example").exchange().expectStatus().isForbidden() }) {
			response.expectHeader()
				.value("Content-Security-Policy", (policy) -> assertThat(policy).contains("script-src 'self'")
					.contains("style-src 'self'")
					.contains("frame-ancestors 'none'")
					.contains("object-src 'none'")
					.doesNotContain("unsafe-inline")
					.doesNotContain("unsafe-eval"))
				.expectHeader().valueEquals("X-Content-Type-Options", "nosniff")
				.expectHeader().valueEquals("X-Frame-Options", "DENY")
				.expectHeader().valueEquals("Referrer-Policy", "same-origin");
		}
		// The API docs' bundle inserts style elements: inline styles there only, never inline scripts.
		this.http.get()
			.uri("/swagger-ui/index.html")
			.exchange()
			.expectStatus().isOk()
			.expectHeader().value("Content-Security-Policy", (policy) -> assertThat(policy)
				.contains("style-src 'self' 'unsafe-inline';")
				.contains("script-src 'self';")
				.contains("frame-ancestors 'none'"));
		// Nothing inline for the policy to block: every script and stylesheet of the page is a file of this origin. The
		// one inline element is a JSON data block (the server's job vocabulary), which browsers never execute.
		this.http.get().uri("/").exchange().expectBody(String.class).value((page) -> assertThat(page)
			.doesNotContainPattern("<script(?![^>]*\\s(src=|type=\"application/json\"))[^>]*>")
			.containsPattern("<script type=\"application/json\" id=\"reelay-vocabulary\">\\{\"statuses\":\\[[^<]*\"reconciling\"")
			.doesNotContain("<style")
			.doesNotContainPattern("\\sstyle=\"")
			.doesNotContainPattern("\\son[a-z]+=\""));
	}

	private String createdByCurl(String prompt) {
		Map<?, ?> job = this.http.post()
			.uri("/api/v1/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", prompt))
			.exchange()
			.expectStatus().isAccepted()
			.expectBody(Map.class)
			.returnResult()
			.getResponseBody();
		return (String) job.get("id");
	}

	private long jobsWithPrompt(String prompt) {
		return this.db.sql("SELECT count(*) AS n FROM jobs WHERE prompt = :prompt")
			.bind("prompt", prompt)
			.map((row) -> row.get("n", Long.class))
			.one()
			.block(WAIT);
	}

}
