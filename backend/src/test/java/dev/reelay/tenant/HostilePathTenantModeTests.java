package dev.reelay.tenant;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpMethod;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With tenants on (an admin key configured): no spelling of any API path reaches a route without the key it needs,
 * the admin API takes only the admin key whatever the path looks like, and the actuator gives anonymous callers the
 * probes' status and nothing else. Each case answers a problem and writes nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.dispatch.enabled=false", "reelay.security.admin-key=" + AdminClient.ADMIN_KEY })
class HostilePathTenantModeTests extends HostilePathCorpus {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private AdminClient admin;

	private WebTestClient http;

	@BeforeEach
	void client() {
		this.http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.port).responseTimeout(WAIT).build();
		this.admin = new AdminClient(this.http);
	}

	/** The spellings the hostile corpus found open, one by one, as they were sent. */
	@ParameterizedTest(name = "{0} {1} with {2}")
	@CsvSource({ "GET, /api;/v1/admin/tenants, nothing", "GET, /%61pi/v1/admin/tenants, nothing",
			"POST, /api;/v1/admin/tenants, nothing", "POST, /%61pi/v1/admin/tenants, nothing",
			"GET, /api/v1/admin;x/tenants, a tenant key", "GET, /api/v1/%61dmin/tenants, a tenant key",
			"PUT, /api;/v1/admin/tenants/00000000-0000-0000-0000-000000000000/budget, nothing",
			"GET, /%61pi/v1/jobs, nothing", "GET, /%61pi/v1/models, nothing", "GET, /api/v1/%65vents, nothing",
			"GET, /%61ctuator/prometheus, nothing", "GET, /actuator;x/metrics, nothing" })
	void theSpellingsThatGotThroughAreRefused(String method, String path, String credential) {
		String before = rowCounts();
		String bearer = "nothing".equals(credential) ? null : this.admin.newTenantKey("holder");
		String afterKey = rowCounts();
		Probe probe = new Probe(method + " " + path, HttpMethod.valueOf(method), path, path, Kind.DECODED);
		Answer answer = send(probe.method(), path, bearer);
		assertProblem(probe, answer, 400, 401);
		assertThat(rowCounts()).as("rows after %s", probe).isEqualTo(afterKey);
		if (bearer == null) {
			assertThat(afterKey).isEqualTo(before);
		}
	}

	@TestFactory
	Stream<DynamicTest> noSpellingOfAnApiRouteAnswersWithoutAKey() {
		String before = rowCounts();
		return Stream.concat(routes("/api").stream()
			.flatMap((route) -> spellings(route.getKey(), route.getValue()))
			.map((probe) -> DynamicTest.dynamicTest(probe.name(), () -> {
				Answer answer = send(probe.method(), probe.rawPath(), null);
				assertProblem(probe, answer, (probe.kind() == Kind.REFUSED) ? 400 : 401);
			})), Stream.of(DynamicTest.dynamicTest("no row written",
					() -> assertThat(rowCounts()).isEqualTo(before))));
	}

	/** The OpenAI-compatible API is gated as the native one, and answers in OpenAI's error shape. */
	@TestFactory
	Stream<DynamicTest> noSpellingOfAnOpenAiRouteAnswersWithoutAKey() {
		String before = rowCounts();
		return Stream.concat(routes("/v1").stream()
			.flatMap((route) -> Stream.concat(Stream.of(new Probe(route.getKey() + " " + route.getValue(),
					route.getKey(), route.getValue(), route.getValue(), Kind.DECODED)),
					spellings(route.getKey(), route.getValue())))
			.map((probe) -> DynamicTest.dynamicTest(probe.name(), () -> {
				Answer answer = send(probe.method(), probe.rawPath(), null);
				assertOpenAiError(probe, answer, (probe.kind() == Kind.REFUSED) ? 400 : 401);
			})), Stream.of(DynamicTest.dynamicTest("no row written",
					() -> assertThat(rowCounts()).isEqualTo(before))));
	}

	@TestFactory
	Stream<DynamicTest> noSpellingOfAnAdminRouteTakesATenantKey() {
		String key = this.admin.newTenantKey("would-be admin");
		String before = rowCounts();
		return Stream.concat(routes("/api/v1/admin").stream()
			.flatMap((route) -> spellings(route.getKey(), route.getValue()))
			.map((probe) -> DynamicTest.dynamicTest(probe.name(), () -> {
				Answer answer = send(probe.method(), probe.rawPath(), key);
				assertProblem(probe, answer, (probe.kind() == Kind.REFUSED) ? 400 : 401);
			})), Stream.of(DynamicTest.dynamicTest("no row written",
					() -> assertThat(rowCounts()).isEqualTo(before))));
	}

	@TestFactory
	Stream<DynamicTest> theActuatorTellsAnonymousCallersTheStatusAlone() {
		String key = this.admin.newTenantKey("curious tenant");
		return Stream.of("/actuator", "/actuator/metrics", "/actuator/metrics/jvm.memory.used", "/actuator/prometheus",
				"/actuator/info")
			.flatMap((path) -> Stream.concat(Stream.of(new Probe("GET " + path, HttpMethod.GET, path, path,
					Kind.DECODED)), spellings(HttpMethod.GET, path)))
			.flatMap((probe) -> Stream.of(DynamicTest.dynamicTest(probe.name() + " with no key", () -> {
				assertProblem(probe, send(HttpMethod.GET, probe.rawPath(), null),
						(probe.kind() == Kind.REFUSED) ? 400 : 401);
			}), DynamicTest.dynamicTest(probe.name() + " with a tenant key", () -> {
				assertProblem(probe, send(HttpMethod.GET, probe.rawPath(), key),
						(probe.kind() == Kind.REFUSED) ? 400 : 401);
			})));
	}

	@Test
	void healthShowsDetailsOnlyToTheAdmin() {
		// The status may still be coming up (the event listener connects just after start): 200 or 503 alike, the
		// body is what this is about.
		for (String path : new String[] { "/actuator/health", "/actuator/health/readiness", "/%61ctuator/health" }) {
			this.http.get()
				.uri(URI.create("http://127.0.0.1:" + this.port + path))
				.exchange()
				.expectStatus().value((status) -> assertThat(status).isIn(200, 503))
				.expectBody()
				.jsonPath("$.status").exists()
				.jsonPath("$.components").doesNotExist()
				.jsonPath("$.details").doesNotExist();
		}
		this.http.get()
			.uri("/actuator/health")
			.header("Authorization", "Bearer " + this.admin.newTenantKey("not the admin"))
			.exchange()
			.expectStatus().value((status) -> assertThat(status).isIn(200, 503))
			.expectBody()
			.jsonPath("$.components").doesNotExist();
		this.http.get()
			.uri("/actuator/health")
			.header("Authorization", "Bearer " + AdminClient.ADMIN_KEY)
			.exchange()
			.expectStatus().value((status) -> assertThat(status).isIn(200, 503))
			.expectBody()
			.jsonPath("$.components.r2dbc.status").exists()
			.jsonPath("$.components.diskSpace.details").exists();
		this.http.get()
			.uri("/actuator/prometheus")
			.header("Authorization", "Bearer " + AdminClient.ADMIN_KEY)
			.exchange()
			.expectStatus().isOk();
	}

	/** A stream opened at an odd spelling of its path is still a stream: revoking its key ends it. */
	@Test
	void aStreamOpenedAtAnEncodedPathEndsWhenItsKeyIsRevoked() {
		UUID tenant = this.admin.tenant("encoded streamer");
		Map<?, ?> issued = this.admin.issue(tenant);
		StepVerifier.create(events("/api/v1/%65vents", (String) issued.get("key")))
			.expectNextMatches((event) -> "ready".equals(event.comment()))
			.then(() -> this.admin.revoke(tenant, issued))
			.thenConsumeWhile((event) -> event.data() == null)
			.expectComplete()
			.verify(WAIT);
	}

	private Flux<ServerSentEvent<String>> events(String rawPath, String key) {
		return KeyedEvents.open(URI.create("http://127.0.0.1:" + this.port + rawPath), key);
	}

}
