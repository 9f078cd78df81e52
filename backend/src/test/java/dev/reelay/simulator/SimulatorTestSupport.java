package dev.reelay.simulator;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the whole application on a random port and talks to the simulator over real HTTP, from loopback with the
 * key this process made at start (what the in-process provider instance gets). Each test gets its own
 * {@code OpenAI-Project}, and so its own videos: lists and ledger counts see only that test's videos, whatever
 * earlier runs left in the database.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestClockConfiguration.class)
abstract class SimulatorTestSupport {

	@LocalServerPort
	int port;

	MutableClock clock;

	@Autowired
	void simulatorClock(SimulatorClock clock) {
		this.clock = TestClockConfiguration.movable(clock);
	}

	@Autowired
	SimulatorAccess access;

	@Autowired
	SimulatorSettings settings;

	String project;

	WebTestClient client;

	@BeforeEach
	void newProject() {
		this.project = "proj_test_" + UUID.randomUUID();
		this.client = anonymousClient().mutate()
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + this.access.key())
			.defaultHeader(SimulatorFilter.PROJECT_HEADER, this.project)
			.build();
	}

	/** Loopback, but no key. */
	WebTestClient anonymousClient() {
		return WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.port + this.settings.path())
			.responseTimeout(Duration.ofSeconds(30))
			.build();
	}

	JsonNode create(String json) {
		return this.client.post()
			.uri("/videos")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(json)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
	}

	String createVideo(String prompt) {
		return create("{\"prompt\": \"" + prompt + "\", \"seconds\": \"8\"}").get("id").stringValue();
	}

	JsonNode retrieve(String id) {
		return this.client.get()
			.uri("/videos/{id}", id)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
	}

	/** Asserts the OpenAI error envelope: exactly the four keys, with the given values. */
	static void assertError(JsonNode body, String type, String param, String code) {
		assertThat(body.propertyNames()).containsExactly("error");
		JsonNode error = body.get("error");
		assertThat(error.propertyNames()).containsExactlyInAnyOrder("message", "type", "param", "code");
		assertThat(error.get("message").isString()).isTrue();
		assertThat(error.get("message").stringValue()).isNotBlank();
		assertThat(error.get("type").stringValue()).isEqualTo(type);
		assertNullableString(error.get("param"), param);
		assertNullableString(error.get("code"), code);
	}

	static void assertNullableString(JsonNode node, String expected) {
		if (expected == null) {
			assertThat(node.isNull()).as("expected null but was %s", node).isTrue();
		}
		else {
			assertThat(node.isString()).as("expected a string but was %s", node).isTrue();
			assertThat(node.stringValue()).isEqualTo(expected);
		}
	}

}
