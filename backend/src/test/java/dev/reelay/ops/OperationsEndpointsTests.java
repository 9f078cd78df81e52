package dev.reelay.ops;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's view over real HTTP after a real job through the simulator: the Prometheus scrape, the health
 * endpoint with every provider state, the readiness probe and the job state log lines.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("ops")
@ExtendWith(OutputCaptureExtension.class)
// Its dispatcher must not outlive the class (test contexts share one database).
@DirtiesContext
class OperationsEndpointsTests {

	private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {
	};

	private static final Map<String, String> OPS_VIDEO = Map.of("model", "ops-video", "provider", "ops-sim",
			"application", "reelay");

	@LocalServerPort
	private int port;

	@Autowired
	private JsonMapper json;

	@Autowired
	private DatabaseClient db;

	private WebClient http() {
		return WebClient.create("http://127.0.0.1:" + this.port);
	}

	@Test
	void prometheusReportsASimulatorJobUnderTheDocumentedNames(CapturedOutput output) {
		String id = submit("ops-video", "Metrics after one simulated job");
		List<ServerSentEvent<String>> events = http().get()
			.uri("/api/v1/jobs/{id}/events", id)
			.retrieve()
			.bodyToFlux(SSE)
			.filter((event) -> event.event() != null)
			.collectList()
			.block(Duration.ofSeconds(30));
		assertThat(events).last().extracting(ServerSentEvent::event).isEqualTo("job.completed");

		// Queue gauges are read from PostgreSQL on a schedule: wait for a read after the job ended. The job's own
		// metrics are recorded just after its completion is announced (the stream can be ahead of them on a loaded
		// machine): wait, too, for the provider-calls summary, the last of them.
		Prometheus scrape = Flux.interval(Duration.ZERO, Duration.ofMillis(100))
			.onBackpressureDrop()
			.concatMap((tick) -> scrape())
			.filter((text) -> text.value("reelay_jobs_in_flight", Map.of("provider", "ops-sim")).orElse(-1) == 0)
			.filter((text) -> text.value("reelay_jobs_provider_calls_count", with(OPS_VIDEO, "status", "completed"))
				.isPresent())
			.blockFirst(Duration.ofSeconds(10));

		assertThat(scrape.require("reelay_jobs_submitted_total", OPS_VIDEO)).isEqualTo(1.0);
		assertThat(scrape.require("reelay_jobs_completed_total", OPS_VIDEO)).isEqualTo(1.0);
		assertThat(scrape.value("reelay_jobs_failed_total", OPS_VIDEO)).isEmpty();
		assertThat(scrape.require("reelay_jobs_generation_duration_seconds_count", OPS_VIDEO)).isEqualTo(1.0);
		// The simulator takes 1 s: the job lands in the 5 s bucket and not below it.
		assertThat(scrape.require("reelay_jobs_generation_duration_seconds_bucket", with(OPS_VIDEO, "le", "5.0")))
			.isEqualTo(1.0);
		assertThat(scrape.require("reelay_jobs_generation_duration_seconds_sum", OPS_VIDEO)).isBetween(1.0, 30.0);
		// ops-video lists 0.25 USD per second at 720p; the job made 4 s.
		assertThat(scrape.require("reelay_jobs_spend_total", with(OPS_VIDEO, "currency", "USD"))).isEqualTo(1.0);

		Map<String, String> completedJob = with(OPS_VIDEO, "status", "completed");
		assertThat(scrape.require("reelay_jobs_provider_calls_count", completedJob)).isEqualTo(1.0);
		// At least a submit, one status poll, the download and the thumbnail.
		double calls = scrape.require("reelay_jobs_provider_calls_sum", completedJob);
		assertThat(calls).isGreaterThanOrEqualTo(4.0);

		Map<String, String> opsSim = Map.of("provider", "ops-sim");
		assertThat(scrape.require("reelay_provider_calls_seconds_count",
				with(opsSim, "operation", "submit", "outcome", "success"))).isEqualTo(1.0);
		assertThat(scrape.require("reelay_provider_calls_seconds_count",
				with(opsSim, "operation", "content", "outcome", "success"))).isEqualTo(1.0);
		// The simulator offers a thumbnail, as OpenAI does: one more call, under its own operation.
		assertThat(scrape.require("reelay_provider_calls_seconds_count",
				with(opsSim, "operation", "thumbnail", "outcome", "success"))).isEqualTo(1.0);
		assertThat(scrape.require("reelay_provider_calls_seconds_count",
				with(opsSim, "operation", "status", "outcome", "success"))).isEqualTo(calls - 3);

		assertThat(scrape.require("reelay_jobs_queue_depth", opsSim)).isZero();
		assertThat(scrape.require("reelay_jobs_queue_oldest_age_seconds", opsSim)).isZero();
		assertThat(scrape.require("reelay_dispatch_in_hand", Map.of())).isGreaterThanOrEqualTo(0.0);
		assertThat(scrape.has("reelay_streams_subscribers")).isTrue();
		assertThat(scrape.has("reelay_streams_wakeups_coalesced_total")).isTrue();

		// The job keeps the provider's request id and call count, and says so on every state change line.
		Map<String, Object> row = this.db
			.sql("SELECT provider_request_id, provider_calls, remote_id FROM jobs WHERE id = :id")
			.bind("id", UUID.fromString(id))
			.fetch()
			.one()
			.block(Duration.ofSeconds(5));
		assertThat((String) row.get("provider_request_id")).startsWith("req_");
		assertThat(((Number) row.get("provider_calls")).doubleValue()).isEqualTo(calls);
		JsonNode completed = this.json.readTree(events.get(events.size() - 1).data());
		assertThat(completed.get("provider_request_id").asString()).isEqualTo(row.get("provider_request_id"));
		assertThat(output.getOut()).contains("job " + id + " downloading -> completed provider=ops-sim remote_id="
				+ row.get("remote_id") + " request_id=" + row.get("provider_request_id"));
	}

	@Test
	void healthReportsEveryProviderInstanceWithoutMakingReelayUnhealthy() {
		JsonNode health = get("/actuator/health");
		assertThat(health.get("status").asString()).isEqualTo("UP");
		assertThat(health.at("/components/r2dbc/status").asString()).isEqualTo("UP");

		JsonNode providers = health.at("/components/providers/components");
		assertThat(providers.at("/ops-sim/status").asString()).isEqualTo("UP");
		assertThat(providers.at("/ops-sim/details/state").asString()).isEqualTo("enabled");
		assertThat(providers.at("/ops-sim/details/models/0").asString()).isEqualTo("ops-video");
		assertThat(providers.at("/keyless/status").asString()).isEqualTo("DISABLED");
		assertThat(providers.at("/keyless/details/reason").asString())
			.isEqualTo("no API key (REELAY_PROVIDERS_INSTANCES_KEYLESS_API_KEY)");
		assertThat(providers.at("/switched-off/status").asString()).isEqualTo("DISABLED");
		assertThat(providers.at("/switched-off/details/reason").asString()).isEqualTo("turned off in configuration (enabled: false)");
		assertThat(providers.at("/sunset/status").asString()).isEqualTo("RETIRED");
		assertThat(providers.toString()).doesNotContain("not-used");

		// A pause as the dispatcher records it after a 429.
		Instant until = Instant.now().plus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.MILLIS);
		this.db.sql("INSERT INTO provider_pauses (provider, until, reason) VALUES ('ops-sim', :until, 'slow down')")
			.bind("until", until)
			.then()
			.block(Duration.ofSeconds(5));
		try {
			JsonNode paused = get("/actuator/health");
			assertThat(paused.get("status").asString()).isEqualTo("UP");
			assertThat(paused.at("/components/providers/components/ops-sim/status").asString()).isEqualTo("PAUSED");
			assertThat(paused.at("/components/providers/components/ops-sim/details/paused_until").asString())
				.isEqualTo(until.toString());
			assertThat(paused.at("/components/providers/components/ops-sim/details/reason").asString())
				.isEqualTo("slow down");
		}
		finally {
			this.db.sql("DELETE FROM provider_pauses WHERE provider = 'ops-sim'").then().block(Duration.ofSeconds(5));
		}
		assertThat(get("/actuator/health").at("/components/providers/components/ops-sim/status").asString())
			.isEqualTo("UP");
	}

	@Test
	void aProviderWithoutItsKeyTakesNoJobs() {
		Map<String, String> statuses = new HashMap<>();
		get("/api/v1/models").get("data")
			.forEach((model) -> statuses.put(model.get("id").asString(), model.get("status").asString()));
		assertThat(statuses).containsEntry("ops-video", "available")
			.containsEntry("keyless-video", "disabled")
			.containsEntry("sunset-video", "retired");
		JsonNode problem = http().post()
			.uri("/api/v1/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("model", "keyless-video", "prompt", "No key, no job"))
			.exchangeToMono((response) -> {
				assertThat(response.statusCode().value()).isEqualTo(400);
				return response.bodyToMono(String.class);
			})
			.map(this.json::readTree)
			.block(Duration.ofSeconds(5));
		assertThat(problem.get("field").asString()).isEqualTo("model");
	}

	@Test
	void readinessIncludesTheDatabase() {
		// The event listener connects just after the context has started; until it has, readiness is rightly DOWN.
		JsonNode readiness = Flux.interval(Duration.ZERO, Duration.ofMillis(50))
			.onBackpressureDrop()
			.concatMap((tick) -> read("/actuator/health/readiness"))
			.filter((health) -> "UP".equals(health.get("status").asString()))
			.blockFirst(Duration.ofSeconds(10));
		assertThat(readiness).as("ready within 10 s of starting").isNotNull();
		assertThat(readiness.get("status").asString()).isEqualTo("UP");
		assertThat(readiness.at("/components/r2dbc/status").asString()).isEqualTo("UP");
		assertThat(readiness.at("/components/eventListener/status").asString()).isEqualTo("UP");
		assertThat(readiness.at("/components/readinessState/status").asString()).isEqualTo("UP");
		assertThat(readiness.at("/components/providers").isMissingNode()).isTrue();
		assertThat(get("/actuator/health/liveness").get("status").asString()).isEqualTo("UP");
	}

	@Test
	void sseSubscribersAreCountedWhileConnected() {
		Map<String, String> all = Map.of("scope", "all");
		double before = scrape().block(Duration.ofSeconds(5)).require("reelay_streams_subscribers", all);
		StepVerifier.create(http().get().uri("/api/v1/events").retrieve().bodyToFlux(SSE))
			.assertNext((ready) -> assertThat(ready.comment()).isEqualTo("ready"))
			.then(() -> assertThat(scrape().block(Duration.ofSeconds(5)).require("reelay_streams_subscribers", all))
				.isEqualTo(before + 1))
			.thenCancel()
			.verify(Duration.ofSeconds(10));
		Prometheus after = Flux.interval(Duration.ZERO, Duration.ofMillis(50))
			.onBackpressureDrop()
			.concatMap((tick) -> scrape())
			.filter((text) -> text.require("reelay_streams_subscribers", all) == before)
			.blockFirst(Duration.ofSeconds(5));
		assertThat(after).isNotNull();
	}

	private Mono<Prometheus> scrape() {
		return http().get()
			.uri("/actuator/prometheus")
			.accept(MediaType.TEXT_PLAIN)
			.retrieve()
			.bodyToMono(String.class)
			.map(Prometheus::new);
	}

	private JsonNode get(String path) {
		return read(path).block(Duration.ofSeconds(5));
	}

	private Mono<JsonNode> read(String path) {
		// Health answers 503 when DOWN; read the body either way.
		return http().get()
			.uri(path)
			.exchangeToMono((response) -> response.bodyToMono(String.class))
			.map(this.json::readTree);
	}

	private String submit(String model, String prompt) {
		return http().post()
			.uri("/api/v1/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("model", model, "prompt", prompt))
			.retrieve()
			.bodyToMono(JsonNode.class)
			.map((job) -> job.get("id").asString())
			.block(Duration.ofSeconds(5));
	}

	private static Map<String, String> with(Map<String, String> labels, String... more) {
		Map<String, String> all = new HashMap<>(labels);
		for (int i = 0; i < more.length; i += 2) {
			all.put(more[i], more[i + 1]);
		}
		return all;
	}

}
