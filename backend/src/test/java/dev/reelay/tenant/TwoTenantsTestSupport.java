package dev.reelay.tenant;

import java.time.Duration;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Two tenants made for each test over the running application's admin API, {@code a} and {@code b}, each with one
 * key, and a client that sends requests as either of them.
 */
abstract class TwoTenantsTestSupport {

	static final Duration WAIT = Duration.ofSeconds(20);

	private final String names;

	@LocalServerPort
	int port;

	WebTestClient http;

	/** A key of tenant "{names} A". */
	String a;

	/** A key of tenant "{names} B". */
	String b;

	/** @param names what the two tenants are called before their letter, e.g. "library" */
	TwoTenantsTestSupport(String names) {
		this.names = names;
	}

	@BeforeEach
	void twoTenants() {
		this.http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.port).responseTimeout(WAIT).build();
		AdminClient admin = new AdminClient(this.http);
		this.a = admin.newTenantKey(this.names + " A");
		this.b = admin.newTenantKey(this.names + " B");
	}

	/** Submits a 4-second job as {@code key}'s tenant; answers its id. */
	String submit(String key, String prompt) {
		return submit(key, prompt, null);
	}

	String submit(String key, String prompt, @Nullable String idempotencyKey) {
		WebTestClient.RequestBodySpec request = as(key, this.http.post().uri("/api/v1/jobs"));
		if (idempotencyKey != null) {
			request = request.header("Idempotency-Key", idempotencyKey);
		}
		return (String) request.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", prompt, "duration_seconds", 4))
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectBody(Map.class)
			.returnResult()
			.getResponseBody()
			.get("id");
	}

	/** {@code request}, sent with {@code key}. */
	static <S extends WebTestClient.RequestHeadersSpec<?>> S as(String key, S request) {
		request.header("Authorization", "Bearer " + key);
		return request;
	}

}
