package dev.reelay.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.reelay.provider.StandIn;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A task API that ships with no Reelay, added by a YAML file in the operator's directory
 * (src/test/resources/operator-task-apis/acme-video.yaml) plus an instance and a model in configuration: a job
 * submitted through {@code POST /api/v1/jobs} goes through it to a stored video.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
		"reelay.dispatch.enabled=true", "reelay.dispatch.tick=100ms",
		// Jobs other test classes left on the built-in simulator instance are not this class's to work.
		"reelay.providers.instances.simulator.enabled=false",
		"reelay.task-apis.directory=src/test/resources/operator-task-apis",
		"reelay.providers.instances.acme-e2e.family=task-api",
		"reelay.providers.instances.acme-e2e.api-key=acme-test-key",
		"reelay.providers.instances.acme-e2e.poll-interval=200ms",
		"reelay.providers.instances.acme-e2e.options.api=acme-video",
		"reelay.catalog.custom-models[0].id=acme-e2e-clip", "reelay.catalog.custom-models[0].display-name=Acme clip",
		"reelay.catalog.custom-models[0].provider=acme-e2e", "reelay.catalog.custom-models[0].remote-model=acme-v7",
		"reelay.catalog.custom-models[0].durations=4,8", "reelay.catalog.custom-models[0].aspect-ratios=16:9",
		"reelay.catalog.custom-models[0].resolutions=720p", "reelay.catalog.custom-models[0].image-inputs=url" })
class TaskApiFromYamlEndToEndTests {

	private static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> SSE = new ParameterizedTypeReference<>() {
	};

	private static final byte[] VIDEO = StandIn.mp4(80);

	/** Job ref → how many times it was polled; the ledger of creates and of every request's credentials. */
	static final Map<String, AtomicInteger> POLLS = new ConcurrentHashMap<>();

	static final List<JsonNode> CREATES = new CopyOnWriteArrayList<>();

	static final List<String> VIOLATIONS = new CopyOnWriteArrayList<>();

	static final MockWebServer ACME = StandIn.serving(TaskApiFromYamlEndToEndTests::answer);

	@DynamicPropertySource
	static void acmeAtTheStandIn(DynamicPropertyRegistry properties) {
		properties.add("reelay.providers.instances.acme-e2e.base-url", () -> StandIn.url(ACME, "/v2"));
	}

	@AfterAll
	static void stop() {
		ACME.close();
	}

	@LocalServerPort
	private int port;

	static MockResponse answer(RecordedRequest request) {
		String path = request.getUrl().encodedPath();
		if (path.startsWith("/files/")) {
			return new MockResponse.Builder().setHeader("Content-Type", "video/mp4").body(new Buffer().write(VIDEO)).build();
		}
		if (!"acme-test-key".equals(request.getHeaders().get("X-Acme-Key"))
				|| !"reelay".equals(request.getHeaders().get("X-Acme-Client"))) {
			VIOLATIONS.add(request.getMethod() + " " + path + " without the key or client header");
			return json("{\"ok\": false, \"why\": \"unknown key\"}");
		}
		if (request.getMethod().equals("POST") && path.equals("/v2/jobs")) {
			CREATES.add(StandIn.jsonBody(request));
			String ref = "acme-" + (CREATES.size());
			POLLS.put(ref, new AtomicInteger());
			return json("{\"ok\": true, \"result\": {\"job\": {\"ref\": \"" + ref + "\", \"phase\": \"WAITING\"}}}");
		}
		if (request.getMethod().equals("GET") && path.startsWith("/v2/jobs/")) {
			String ref = path.substring("/v2/jobs/".length());
			AtomicInteger polls = POLLS.get(ref);
			if (polls == null) {
				return json("{\"ok\": false, \"why\": \"no such job\"}");
			}
			// Rendering on the first poll, done from the second: the adapter follows the words through.
			return (polls.incrementAndGet() == 1)
					? json("{\"ok\": true, \"result\": {\"job\": {\"ref\": \"" + ref + "\", \"phase\": \"RENDERING\", "
							+ "\"percent\": 40}}}")
					: json("{\"ok\": true, \"result\": {\"job\": {\"ref\": \"" + ref + "\", \"phase\": \"DONE\", "
							+ "\"files\": [{\"href\": \"" + StandIn.url(ACME, "/files/" + ref + ".mp4") + "\"}]}}}");
		}
		return new MockResponse.Builder().code(404).body("{\"ok\": false}").build();
	}

	static MockResponse json(String body) {
		return new MockResponse.Builder().setHeader("Content-Type", "application/json").body(body).build();
	}

	@Test
	void aJobRunsThroughATaskApiAddedAsYaml() {
		WebClient http = WebClient.create("http://127.0.0.1:" + this.port);
		Map<?, ?> job = http.post().uri("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("model", "acme-e2e-clip", "prompt", "A lighthouse in a storm", "duration_seconds", 8,
					"negative_prompt", "people", "seed", 7))
			.retrieve()
			.bodyToMono(Map.class)
			.block(Duration.ofSeconds(20));
		assertThat(job.get("provider")).isEqualTo("acme-e2e");

		Map<String, Object> last = http.get().uri("/api/v1/jobs/{id}/events", job.get("id")).retrieve().bodyToFlux(SSE)
			.filter((event) -> event.event() != null
					&& List.of("job.completed", "job.failed", "job.canceled").contains(event.event()))
			.map(ServerSentEvent::data)
			.blockFirst(Duration.ofSeconds(60));
		assertThat(last.get("status")).as("job: %s", last.get("error")).isEqualTo("completed");
		assertThat(((Map<?, ?>) last.get("content")).get("length")).isEqualTo(VIDEO.length);
		byte[] stored = http.get().uri("/api/v1/jobs/{id}/content", job.get("id")).retrieve().bodyToMono(byte[].class)
			.block(Duration.ofSeconds(20));
		assertThat(stored).isEqualTo(VIDEO);

		assertThat(VIOLATIONS).isEmpty();
		assertThat(CREATES).hasSize(1);
		JsonNode create = CREATES.get(0);
		assertThat(create.get("engine").stringValue()).isEqualTo("acme-v7");
		assertThat(create.get("input").get("text").stringValue()).isEqualTo("A lighthouse in a storm");
		assertThat(create.get("input").get("avoid").stringValue()).isEqualTo("people");
		assertThat(create.get("input").has("start_image")).isFalse();
		assertThat(create.get("output").get("seconds").stringValue()).isEqualTo("8");
		assertThat(create.get("output").get("shape").stringValue()).isEqualTo("16:9");
		assertThat(create.get("output").get("quality").stringValue()).isEqualTo("720P");
		assertThat(create.get("seed").intValue()).isEqualTo(7);
		assertThat(POLLS.get("acme-1").get()).isGreaterThanOrEqualTo(2);
	}

}
