package dev.reelay.tenant;

import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Without an admin key: every request is the local tenant, the page needs no sign-in, the admin API is off. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LocalModeTests {

	@LocalServerPort
	private int port;

	private WebTestClient http;

	@BeforeEach
	void client() {
		this.http = WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.port)
			.responseTimeout(Duration.ofSeconds(20))
			.build();
	}

	@Test
	void theApiAnswersWithoutAKeyAsTheLocalTenant() {
		this.http.get().uri("/api/v1/jobs").exchange().expectStatus().isOk();
		this.http.get()
			.uri("/api/v1/jobs")
			.header("Authorization", "Bearer anything")
			.exchange()
			.expectStatus()
			.isOk();
	}

	@Test
	void thePageIsTheDashboardWithNoSignIn() {
		this.http.get()
			.uri("/")
			.exchange()
			.expectStatus().isOk()
			.expectBody(String.class)
			.value((page) -> assertThat(page).contains("id=\"job-form\"")
				.doesNotContain("id=\"signin-form\"")
				.doesNotContain("id=\"sign-out\""));
	}

	@Test
	void theAdminApiIsOff() {
		this.http.get()
			.uri("/api/v1/admin/tenants")
			.header("Authorization", "Bearer whatever")
			.exchange()
			.expectStatus().isForbidden()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.detail").value((String detail) -> assertThat(detail).contains("REELAY_ADMIN_KEY"));
	}

}
