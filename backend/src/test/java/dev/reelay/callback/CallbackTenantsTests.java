package dev.reelay.callback;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With tenants on (an admin key): each tenant sees only its own webhook settings, secret and deliveries, and the
 * admin API sets any tenant's; another tenant's delivery is a 404 whatever is asked.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.dispatch.enabled=false", "reelay.security.admin-key=" + CallbackTenantsTests.ADMIN_KEY,
				"reelay.simulator.enabled=true" })
class CallbackTenantsTests {

	static final String ADMIN_KEY = "callback-test-admin-key-0123456789";

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
	};

	@LocalServerPort
	private int port;

	@Autowired
	private DatabaseClient db;

	private WebTestClient http;

	@BeforeEach
	void client() {
		this.http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.port).responseTimeout(WAIT).build();
	}

	private UUID tenant(String name) {
		Map<String, Object> tenant = this.http.post().uri("/api/v1/admin/tenants").header("Authorization", "Bearer " + ADMIN_KEY)
			.contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", name)).exchange()
			.expectStatus().isCreated().expectBody(JSON).returnResult().getResponseBody();
		return UUID.fromString((String) tenant.get("id"));
	}

	private String key(UUID tenant) {
		Map<String, Object> key = this.http.post().uri("/api/v1/admin/tenants/{id}/keys", tenant)
			.header("Authorization", "Bearer " + ADMIN_KEY).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "callbacks")).exchange()
			.expectStatus().isCreated().expectBody(JSON).returnResult().getResponseBody();
		return (String) key.get("key");
	}

	private Map<String, Object> settings(String key) {
		return this.http.get().uri("/api/v1/callbacks/settings").header("Authorization", "Bearer " + key).exchange()
			.expectStatus().isOk().expectBody(JSON).returnResult().getResponseBody();
	}

	@Test
	void theAdminSetsATenantsDefaultUrlAndTheTenantSeesOnlyItsOwn() {
		UUID a = tenant("callbacks A");
		UUID b = tenant("callbacks B");
		String keyA = key(a);
		String keyB = key(b);
		Map<String, Object> set = this.http.put().uri("/api/v1/admin/tenants/{id}/callbacks", a)
			.header("Authorization", "Bearer " + ADMIN_KEY)
			.bodyValue(Map.of("default_url", "https://hooks.example.com/a")).exchange()
			.expectStatus().isOk().expectBody(JSON).returnResult().getResponseBody();
		assertThat(set.get("default_url")).isEqualTo("https://hooks.example.com/a");
		assertThat((String) set.get("secret")).startsWith("whsec_");

		Map<String, Object> seenByA = settings(keyA);
		Map<String, Object> seenByB = settings(keyB);
		assertThat(seenByA).containsEntry("default_url", "https://hooks.example.com/a")
			.containsEntry("secret", set.get("secret"));
		assertThat(seenByB.get("default_url")).isNull();
		assertThat(seenByB.get("secret")).isNotEqualTo(set.get("secret"));

		this.http.get().uri("/api/v1/admin/tenants/{id}/callbacks", UUID.randomUUID())
			.header("Authorization", "Bearer " + ADMIN_KEY).exchange()
			.expectStatus().isNotFound().expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
		// A tenant's key is not an admin key, and no key is no access.
		this.http.get().uri("/api/v1/admin/tenants/{id}/callbacks", a).header("Authorization", "Bearer " + keyA)
			.exchange().expectStatus().value((status) -> assertThat(status).isIn(401, 403));
		this.http.get().uri("/api/v1/callbacks/settings").exchange().expectStatus().isUnauthorized();
	}

	@Test
	void anotherTenantsDeliveryIsNotFoundWhateverIsAsked() {
		UUID a = tenant("deliveries A");
		String keyA = key(a);
		String keyB = key(tenant("deliveries B"));
		String job = (String) this.http.post().uri("/api/v1/jobs").header("Authorization", "Bearer " + keyA)
			.bodyValue(Map.of("prompt", "A's job", "callback_url", "https://hooks.example.com/a")).exchange()
			.expectStatus().isAccepted().expectBody(JSON).returnResult().getResponseBody().get("id");
		UUID delivery = UUID.randomUUID();
		this.db.sql("INSERT INTO callback_deliveries (id, webhook_id, tenant_id, job_id, event_id, event_type, url, "
				+ "payload, status, next_attempt_at) VALUES (:id, 'msg_tenants', :tenant, :job, :event, 'job.queued', "
				+ "'https://hooks.example.com/a', '{}', 'failed', now())")
			.bind("id", delivery).bind("tenant", a).bind("job", UUID.fromString(job))
			.bind("event", -Math.abs(delivery.getMostSignificantBits()))
			.fetch().rowsUpdated().block(WAIT);

		this.http.get().uri("/api/v1/callbacks/deliveries/{id}", delivery).header("Authorization", "Bearer " + keyB)
			.exchange().expectStatus().isNotFound();
		this.http.post().uri("/api/v1/callbacks/deliveries/{id}/replay", delivery)
			.header("Authorization", "Bearer " + keyB).exchange().expectStatus().isNotFound();
		List<?> seenByB = this.http.get().uri("/api/v1/callbacks/deliveries?job_id=" + job)
			.header("Authorization", "Bearer " + keyB).exchange().expectStatus().isOk()
			.expectBody(List.class).returnResult().getResponseBody();
		assertThat(seenByB).isEmpty();

		this.http.get().uri("/api/v1/callbacks/deliveries/{id}", delivery).header("Authorization", "Bearer " + keyA)
			.exchange().expectStatus().isOk().expectBody().jsonPath("$.webhook_id").isEqualTo("msg_tenants");
		this.http.post().uri("/api/v1/callbacks/deliveries/{id}/replay", delivery)
			.header("Authorization", "Bearer " + keyA).exchange().expectStatus().isAccepted()
			.expectBody().jsonPath("$.status").isEqualTo("pending");
		// Leave nothing pending for the webhook tests that share the database.
		this.db.sql("UPDATE callback_deliveries SET status = 'failed' WHERE id = :id").bind("id", delivery).fetch()
			.rowsUpdated().block(WAIT);
	}

}
