package dev.reelay.tenant;

import java.util.Map;
import java.util.UUID;

import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The admin API as tests use it: a tenant, then a key for it. */
final class AdminClient {

	static final String ADMIN_KEY = "test-admin-key-0123456789";

	private final WebTestClient http;

	AdminClient(WebTestClient http) {
		this.http = http;
	}

	UUID tenant(String name) {
		Map<?, ?> tenant = this.http.post()
			.uri("/api/v1/admin/tenants")
			.header("Authorization", "Bearer " + ADMIN_KEY)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", name))
			.exchange()
			.expectStatus()
			.isCreated()
			.expectBody(Map.class)
			.returnResult()
			.getResponseBody();
		return UUID.fromString((String) tenant.get("id"));
	}

	Map<?, ?> issue(UUID tenant) {
		return this.http.post()
			.uri("/api/v1/admin/tenants/{id}/keys", tenant)
			.header("Authorization", "Bearer " + ADMIN_KEY)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "test key"))
			.exchange()
			.expectStatus()
			.isCreated()
			.expectBody(Map.class)
			.returnResult()
			.getResponseBody();
	}

	String key(UUID tenant) {
		return (String) issue(tenant).get("key");
	}

	/** A new tenant with one key. */
	String newTenantKey(String name) {
		return key(tenant(name));
	}

}
