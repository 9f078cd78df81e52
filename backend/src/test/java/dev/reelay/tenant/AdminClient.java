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
		return UUID.fromString((String) created(Map.of("name", name), "/api/v1/admin/tenants").get("id"));
	}

	Map<?, ?> issue(UUID tenant) {
		return created(Map.of("name", "test key"), "/api/v1/admin/tenants/{id}/keys", tenant);
	}

	/** POSTs {@code body} as the admin, expects 201 and answers the created thing. */
	private Map<?, ?> created(Map<String, ?> body, String uri, Object... variables) {
		return this.http.post()
			.uri(uri, variables)
			.header("Authorization", "Bearer " + ADMIN_KEY)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
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

	/** Revokes one of {@code tenant}'s keys ({@code issued} as {@link #issue} answered) and expects it done. */
	WebTestClient.ResponseSpec revoke(UUID tenant, Map<?, ?> issued) {
		return this.http.post()
			.uri("/api/v1/admin/tenants/{tenant}/keys/{key}/revoke", tenant, issued.get("id"))
			.header("Authorization", "Bearer " + ADMIN_KEY)
			.exchange()
			.expectStatus()
			.isOk();
	}

	/** A new tenant with one key. */
	String newTenantKey(String name) {
		return key(tenant(name));
	}

}
