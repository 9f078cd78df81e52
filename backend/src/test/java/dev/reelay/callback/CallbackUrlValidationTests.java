package dev.reelay.callback;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With the shipped rules (https only, public addresses only), a bad {@code callback_url} or {@code default_url} is a
 * 400 problem naming the field, never repeating the URL, and nothing is stored.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CallbackUrlValidationTests {

	@LocalServerPort
	private int port;

	@Autowired
	private DatabaseClient db;

	private WebTestClient http() {
		return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.port)
			.responseTimeout(Duration.ofSeconds(30)).build();
	}

	@ParameterizedTest
	@ValueSource(strings = { "http://hooks.example.com/x", "https://user:hunter2@hooks.example.com/x",
			"https://127.0.0.1/x", "https://[::1]/x", "https://10.0.0.7/x", "https://169.254.169.254/latest/meta-data",
			"https://[::ffff:169.254.169.254]/x", "https://100.64.0.1/x", "https://[fd00::1]/x", "https://0.0.0.0/x",
			"https://localhost/x", "https://2130706433/x", "/relative/hook", "not a url at all", "ftp://hooks.example.com/x" })
	void aBadCallbackUrlIsAProblemAndNothingIsStored(String url) {
		String prompt = "bad callback " + UUID.randomUUID();
		http().post().uri("/api/v1/jobs").bodyValue(Map.of("prompt", prompt, "callback_url", url)).exchange()
			.expectStatus().isBadRequest()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.field").isEqualTo("callback_url")
			.jsonPath("$.detail").value(String.class, (detail) -> {
				assertThat(detail).startsWith("callback_url ").doesNotContain("hunter2");
				assertThat(detail).doesNotContain(url);
			});
		assertThat(jobsWithPrompt(prompt)).isZero();
	}

	@Test
	void aGoodCallbackUrlIsStoredWithTheJobAndShownInItsJson() {
		String url = "https://hooks.example.com/reelay?token=abc";
		String id = http().post().uri("/api/v1/jobs").bodyValue(Map.of("prompt", "good callback", "callback_url", url))
			.exchange().expectStatus().isAccepted()
			.expectBody(Map.class).returnResult().getResponseBody().get("id").toString();
		http().get().uri("/api/v1/jobs/" + id).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.parameters.callback_url").isEqualTo(url);
	}

	@Test
	void aBatchNamesTheJobWhoseCallbackUrlIsBad() {
		String prompt = "batch callback " + UUID.randomUUID();
		http().post().uri("/api/v1/jobs/batch")
			.bodyValue(Map.of("jobs", List.of(Map.of("prompt", prompt, "callback_url", "https://hooks.example.com/ok"),
					Map.of("prompt", prompt, "callback_url", "https://192.168.0.1/x"))))
			.exchange().expectStatus().isBadRequest()
			.expectBody().jsonPath("$.field").isEqualTo("jobs[1].callback_url");
		assertThat(jobsWithPrompt(prompt)).isZero();
	}

	@Test
	void aMultipartSubmissionChecksItsCallbackUrlToo() {
		String prompt = "multipart callback " + UUID.randomUUID();
		MultipartBodyBuilder form = new MultipartBodyBuilder();
		form.part("prompt", prompt);
		form.part("callback_url", "https://169.254.169.254/");
		http().post().uri("/api/v1/jobs").contentType(MediaType.MULTIPART_FORM_DATA)
			.body(BodyInserters.fromMultipartData(form.build())).exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.field").isEqualTo("callback_url");
		assertThat(jobsWithPrompt(prompt)).isZero();
	}

	@Test
	void aBadDefaultUrlIsAProblemNamingIt() {
		http().put().uri("/api/v1/callbacks/settings").bodyValue(Map.of("default_url", "https://10.1.1.1/hook"))
			.exchange().expectStatus().isBadRequest()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.field").isEqualTo("default_url");
		http().put().uri("/api/v1/callbacks/settings").bodyValue(Map.of("default_link", "https://hooks.example.com"))
			.exchange().expectStatus().isBadRequest()
			.expectBody().jsonPath("$.field").isEqualTo("default_link");
		http().get().uri("/api/v1/callbacks/settings").exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.default_url").doesNotExist();
	}

	@Test
	void unknownDeliveriesAreNotFound() {
		http().get().uri("/api/v1/callbacks/deliveries/" + UUID.randomUUID()).exchange()
			.expectStatus().isNotFound()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
		http().get().uri("/api/v1/callbacks/deliveries?limit=0").exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.field").isEqualTo("limit");
	}

	private long jobsWithPrompt(String prompt) {
		return this.db.sql("SELECT count(*) AS n FROM jobs WHERE prompt = :prompt")
			.bind("prompt", prompt)
			.map((row) -> row.get("n", Long.class))
			.one()
			.block(Duration.ofSeconds(10));
	}

}
