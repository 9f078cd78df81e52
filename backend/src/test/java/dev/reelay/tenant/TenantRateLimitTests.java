package dev.reelay.tenant;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** A tenant over its request rate gets a 429 problem with Retry-After; other tenants are not held back by it. */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.dispatch.enabled=false", "reelay.security.admin-key=" + AdminClient.ADMIN_KEY,
				"reelay.security.rate-limit.requests-per-second=0.5", "reelay.security.rate-limit.burst=3" })
class TenantRateLimitTests {

	@LocalServerPort
	private int port;

	@Test
	void aTenantOverItsRateIsToldWhenToRetry() {
		WebTestClient http = WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.port)
			.responseTimeout(Duration.ofSeconds(20))
			.build();
		AdminClient admin = new AdminClient(http);
		String busy = admin.newTenantKey("busy");
		String quiet = admin.newTenantKey("quiet");
		for (int i = 0; i < 3; i++) {
			http.get().uri("/api/v1/jobs").header("Authorization", "Bearer " + busy).exchange().expectStatus().isOk();
		}
		http.get()
			.uri("/api/v1/jobs")
			.header("Authorization", "Bearer " + busy)
			.exchange()
			.expectStatus().isEqualTo(429)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			// One token every 2 s: the next one is at most 2 s away.
			.expectHeader().value("Retry-After", (seconds) -> assertThat(Integer.parseInt(seconds)).isBetween(1, 2))
			.expectBody()
			.jsonPath("$.status").isEqualTo(429)
			.jsonPath("$.type").isEqualTo("https://reelay.dev/problems/rate-limited");
		http.get().uri("/api/v1/jobs").header("Authorization", "Bearer " + quiet).exchange().expectStatus().isOk();
	}

}
