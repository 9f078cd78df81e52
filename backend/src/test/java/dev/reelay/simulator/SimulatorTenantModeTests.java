package dev.reelay.simulator;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.reelay.provider.ProviderRegistry;
import dev.reelay.provider.UnknownProviderException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * With tenants on and {@code reelay.simulator.enabled} unset, the simulator is not served, and the provider
 * instance that calls it takes no jobs: every part of Reelay that asks says so.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.dispatch.enabled=false", "reelay.security.admin-key=" + SimulatorTenantModeTests.ADMIN_KEY })
class SimulatorTenantModeTests {

	static final String ADMIN_KEY = "simulator-tenant-mode-admin-key-0123456789";

	@LocalServerPort
	int port;

	@Autowired
	ApplicationContext context;

	@Autowired
	SimulatorAccess access;

	@Autowired
	ProviderRegistry providers;

	WebTestClient http;

	@BeforeEach
	void client() {
		this.http = WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.port)
			.responseTimeout(Duration.ofSeconds(30))
			.build();
	}

	@Test
	void theSimulatorIsNotServedEvenToThisProcessWithItsKey() {
		assertThat(this.access.enabled()).isFalse();
		assertThat(this.context.getBeansOfType(SimulatorLedger.class)).isEmpty();

		this.http.get()
			.uri(SimulatorSettings.DEFAULT_PATH + "/videos")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.access.key())
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.doesNotExist(SimulatorFilter.REQUEST_ID_HEADER);
	}

	@Test
	void theSimulatorInstanceTakesNoJobs() {
		assertThat(this.providers.isAvailable("simulator")).isFalse();
		assertThat(this.providers.enabledInstances()).doesNotContain("simulator");
		assertThatExceptionOfType(UnknownProviderException.class).isThrownBy(() -> this.providers.get("simulator"));

		// Provider components are the operator's to see: with tenants on, that takes the admin key.
		JsonNode simulator = this.http.get()
			.uri("/actuator/health")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + ADMIN_KEY)
			.exchange()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.at("/components/providers/components/simulator");
		assertThat(simulator.at("/status").asString()).isEqualTo("DISABLED");
		assertThat(simulator.at("/details/reason").asString()).contains("simulator is off", "reelay.simulator.enabled");

		String tenantKey = newTenantKey();
		this.http.get()
			.uri("/api/v1/models")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + tenantKey)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.data[?(@.id == 'sim-video')].status").isEqualTo("disabled");
		this.http.post()
			.uri("/api/v1/jobs")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + tenantKey)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", "a cat", "model", "sim-video"))
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.field").isEqualTo("model")
			.jsonPath("$.detail").value((String detail) -> assertThat(detail).contains("the built-in simulator is off"));
		this.http.get()
			.uri("/api/v1/jobs")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + tenantKey)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.data").isEqualTo(List.of());
	}

	@Test
	void thePageDoesNotClaimVideosComeFromTheSimulator() {
		String cookie = this.http.post()
			.uri("/signin")
			.contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.bodyValue("key=" + newTenantKey() + "&next=/")
			.exchange()
			.expectStatus()
			.is3xxRedirection()
			.returnResult(Void.class)
			.getResponseCookies()
			.values()
			.stream()
			.flatMap(List::stream)
			.filter((candidate) -> !candidate.getValue().isEmpty())
			.map((candidate) -> candidate.getName() + "=" + candidate.getValue())
			.findFirst()
			.orElseThrow();
		this.http.get()
			.uri("/")
			.header(HttpHeaders.COOKIE, cookie)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.value((page) -> assertThat(page).contains("id=\"job-form\"").doesNotContain("simulator-banner"));
	}

	private String newTenantKey() {
		Map<?, ?> tenant = admin(this.http.post().uri("/api/v1/admin/tenants"), Map.of("name", "no simulator"));
		Map<?, ?> key = admin(this.http.post().uri("/api/v1/admin/tenants/{id}/keys", tenant.get("id")),
				Map.of("name", "test key"));
		return (String) key.get("key");
	}

	private Map<?, ?> admin(WebTestClient.RequestBodySpec request, Map<String, String> body) {
		return request.header(HttpHeaders.AUTHORIZATION, "Bearer " + ADMIN_KEY)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isCreated()
			.expectBody(Map.class)
			.returnResult()
			.getResponseBody();
	}

}
