package dev.reelay.e2e;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job for each family, submitted through {@code POST /api/v1/jobs} by model id, routed by the catalog to its
 * provider instance, and followed by the dispatcher to a stored video. One stand-in plays all seven HTTP APIs.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = { "reelay.dispatch.enabled=true", "reelay.dispatch.tick=100ms",
		// Jobs other test classes left on the built-in simulator instance are not this class's to work.
		"reelay.providers.instances.simulator.enabled=false",
		"reelay.providers.instances.laozhang.api-key=test", "reelay.providers.instances.laozhang.poll-interval=200ms",
		"reelay.providers.instances.gemini.api-key=test", "reelay.providers.instances.gemini.poll-interval=200ms",
		// Google shut the Gemini API's Veo ids; an operator who knows a live one names it, and veo-3.1 is routed to it.
		"GEMINI_VEO_MODEL=veo-3.1-generate-001",
		"reelay.providers.instances.gemini-omni.api-key=test", "reelay.providers.instances.gemini-omni.poll-interval=200ms",
		// An Omni instance whose creates are taken but never answered (the connection drops first).
		"reelay.providers.instances.omni-lost.family=gemini-interactions", "reelay.providers.instances.omni-lost.api-key=test",
		"reelay.providers.instances.omni-lost.poll-interval=200ms", "reelay.dispatch.limits.omni-lost.submit-grace=1s",
		"reelay.catalog.custom-models[0].id=omni-lost", "reelay.catalog.custom-models[0].display-name=Omni, answer lost",
		"reelay.catalog.custom-models[0].provider=omni-lost", "reelay.catalog.custom-models[0].remote-model=gemini-omni-1.1-flash",
		"reelay.catalog.custom-models[0].durations=8", "reelay.catalog.custom-models[0].aspect-ratios=16:9",
		"reelay.catalog.custom-models[0].resolutions=720p",
		"reelay.providers.instances.kie.api-key=test", "reelay.providers.instances.kie.poll-interval=200ms",
		"reelay.providers.instances.runway.api-key=test", "reelay.providers.instances.runway.poll-interval=200ms",
		"reelay.providers.instances.fal.api-key=test", "reelay.providers.instances.fal.poll-interval=200ms",
		"reelay.providers.instances.evolink.api-key=test", "reelay.providers.instances.evolink.poll-interval=200ms" })
class ProviderRoutingEndToEndTests {

	private static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> SSE = new ParameterizedTypeReference<>() {
	};

	private static final byte[] VIDEO = dev.reelay.provider.StandIn.mp4(64);

	static final MockWebServer PROVIDERS = new MockWebServer();

	static final ConcurrentLinkedQueue<String> SEEN = new ConcurrentLinkedQueue<>();

	static final AtomicInteger EVOLINK_TASKS = new AtomicInteger();

	static {
		PROVIDERS.setDispatcher(new Dispatcher() {

			@Override
			public MockResponse dispatch(RecordedRequest request) {
				SEEN.add(request.getMethod() + " " + request.getTarget());
				return answer(request.getMethod(), request.getTarget());
			}

		});
		try {
			PROVIDERS.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@DynamicPropertySource
	static void providersAtTheStandIn(DynamicPropertyRegistry properties) {
		properties.add("reelay.providers.instances.laozhang.base-url", () -> url("/laozhang/v1"));
		properties.add("reelay.providers.instances.gemini.base-url", () -> url("/gemini/v1beta"));
		properties.add("reelay.providers.instances.gemini-omni.base-url", () -> url("/omni/v1beta"));
		properties.add("reelay.providers.instances.omni-lost.base-url", () -> url("/omni-lost/v1beta"));
		properties.add("reelay.providers.instances.kie.base-url", () -> url("/kie"));
		properties.add("reelay.providers.instances.runway.base-url", () -> url("/runway"));
		properties.add("reelay.providers.instances.fal.base-url", () -> url("/fal"));
		properties.add("reelay.providers.instances.evolink.base-url", () -> url("/evolink"));
	}

	@AfterAll
	static void stop() {
		PROVIDERS.close();
	}

	@LocalServerPort
	private int port;

	static String url(String path) {
		String base = PROVIDERS.url("/").toString();
		return base.substring(0, base.length() - 1) + path;
	}

	/** The seven APIs, each just enough to take a job from create to download. */
	static MockResponse answer(String method, String target) {
		// Each EvoLink create gets its own task (a provider's id belongs to one job); its status names it back.
		if (target.startsWith("/evolink/v1/tasks/task-unified-e2e-") && method.equals("GET")) {
			return json(evoLinkTask(target.substring("/evolink/v1/tasks/".length()), "completed",
					", \"results\": [\"" + url("/cdn/evolink.mp4") + "\"]"));
		}
		return switch (method + " " + target) {
			case "POST /laozhang/v1/videos" -> json(openAiVideo("queued"));
			case "GET /laozhang/v1/videos/video_routed" -> json(openAiVideo("completed"));
			case "GET /laozhang/v1/videos/video_routed/content?variant=video" -> video();
			case "POST /gemini/v1beta/models/veo-3.1-generate-001:predictLongRunning" ->
				json("{\"name\": \"models/veo-3.1-generate-001/operations/op1\"}");
			case "GET /gemini/v1beta/models/veo-3.1-generate-001/operations/op1" -> json("{\"name\": \"models/veo-3.1-generate-001/operations/op1\", "
					+ "\"done\": true, \"response\": {\"generateVideoResponse\": {\"generatedSamples\": [{\"video\": {\"uri\": \""
					+ url("/gemini/v1beta/files/f1:download?alt=media") + "\"}}]}}}");
			case "GET /gemini/v1beta/files/f1:download?alt=media", "GET /cdn/kie.mp4", "GET /cdn/runway.mp4",
					"GET /cdn/fal.mp4", "GET /cdn/evolink.mp4" -> video();
			case "POST /omni/v1beta/interactions" -> json("{\"id\": \"v1_e2e\", \"status\": \"in_progress\"}");
			case "GET /omni/v1beta/interactions/v1_e2e" -> json("{\"id\": \"v1_e2e\", \"status\": \"completed\", "
					+ "\"steps\": [{\"type\": \"model_output\", \"content\": [{\"type\": \"video\", "
					+ "\"mime_type\": \"video/mp4\", \"data\": \"" + java.util.Base64.getEncoder().encodeToString(VIDEO)
					+ "\"}]}]}");
			case "POST /omni-lost/v1beta/interactions" ->
				new MockResponse.Builder().onResponseStart(new mockwebserver3.SocketEffect.CloseSocket()).build();
			case "POST /kie/api/v1/veo/generate" -> json("{\"code\": 200, \"msg\": \"success\", \"data\": {\"taskId\": \"t1\"}}");
			case "GET /kie/api/v1/veo/record-info?taskId=t1" -> json("{\"code\": 200, \"msg\": \"success\", \"data\": {\"taskId\": \"t1\", "
					+ "\"successFlag\": 1, \"response\": {\"resultUrls\": [\"" + url("/cdn/kie.mp4") + "\"]}}}");
			case "POST /runway/v1/image_to_video" -> json("{\"id\": \"r1\"}");
			case "GET /runway/v1/tasks/r1" -> json("{\"id\": \"r1\", \"status\": \"SUCCEEDED\", \"output\": [\"" + url("/cdn/runway.mp4") + "\"]}");
			case "POST /fal/fal-ai/kling-video/v2.5-turbo/pro/text-to-video" -> json("{\"request_id\": \"q1\"}");
			case "GET /fal/fal-ai/kling-video/requests/q1/status", "GET /fal/fal-ai/pika/requests/p1/status" ->
				json("{\"status\": \"COMPLETED\"}");
			case "GET /fal/fal-ai/kling-video/requests/q1", "GET /fal/fal-ai/pika/requests/p1" ->
				json("{\"video\": {\"url\": \"" + url("/cdn/fal.mp4") + "\"}}");
			case "POST /fal/fal-ai/pika/v2.2/text-to-video" -> json("{\"request_id\": \"p1\"}");
			case "POST /evolink/v1/videos/generations" ->
				json(evoLinkTask("task-unified-e2e-" + EVOLINK_TASKS.incrementAndGet(), "pending", ""));
			default -> new MockResponse.Builder().code(404).body("{\"error\": \"not in the stand-in: " + target + "\"}").build();
		};
	}

	static String openAiVideo(String status) {
		return "{\"id\": \"video_routed\", \"object\": \"video\", \"model\": \"veo-3.1\", \"status\": \"" + status
				+ "\", \"progress\": " + (status.equals("completed") ? 100 : 0) + ", \"created_at\": 1, \"prompt\": \"p\", "
				+ "\"size\": \"1280x720\", \"seconds\": \"8\", \"error\": null}";
	}

	/** EvoLink's task; the create answer holds credits, the finished task has no usage (the GET schema omits it). */
	static String evoLinkTask(String id, String status, String extra) {
		String usage = status.equals("pending")
				? ", \"usage\": {\"billing_rule\": \"per_second\", \"credits_reserved\": 50, \"user_group\": \"default\"}" : "";
		return "{\"id\": \"" + id + "\", \"object\": \"video.generation.task\", \"status\": \""
				+ status + "\", \"progress\": " + (status.equals("completed") ? 100 : 0) + usage + extra + "}";
	}

	static MockResponse json(String body) {
		return new MockResponse.Builder().setHeader("Content-Type", "application/json").body(body).build();
	}

	static MockResponse video() {
		return new MockResponse.Builder().setHeader("Content-Type", "video/mp4").body(new Buffer().write(VIDEO)).build();
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"laozhang-veo-3.1  | laozhang | POST /laozhang/v1/videos                                 | 8 |",
			"veo-3.1           | gemini   | POST /gemini/v1beta/models/veo-3.1-generate-001:predictLongRunning | 8 |",
			"gemini-omni       | gemini-omni | POST /omni/v1beta/interactions                         | 8 |",
			"kie-veo3-fast     | kie      | POST /kie/api/v1/veo/generate                             | 8 |",
			"runway-gen4-turbo | runway   | POST /runway/v1/image_to_video                            | 5 | https://example.com/frame.png",
			"fal-kling         | fal      | POST /fal/fal-ai/kling-video/v2.5-turbo/pro/text-to-video | 5 |",
			"fal-pika          | fal      | POST /fal/fal-ai/pika/v2.2/text-to-video                  | 5 |",
			"evolink-seedance-2.0 | evolink | POST /evolink/v1/videos/generations                    | 5 |",
			"evolink-kling-o3  | evolink  | POST /evolink/v1/videos/generations                       | 5 |",
			"evolink-hailuo-2.3 | evolink | POST /evolink/v1/videos/generations                       | 6 |" })
	void aJobIsRoutedByModelIdToItsFamilyAndCompletes(String model, String provider, String create, int seconds,
			String image) {
		WebClient http = WebClient.create("http://127.0.0.1:" + this.port);
		Map<String, Object> body = new java.util.HashMap<>(Map.of("model", model, "prompt", "Routed to " + provider,
				"duration_seconds", seconds));
		if (image != null) {
			body.put("image", image);
		}
		Map<?, ?> job = http.post().uri("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON).bodyValue(body)
			.retrieve().bodyToMono(Map.class).block(Duration.ofSeconds(10));
		assertThat(job.get("provider")).isEqualTo(provider);

		Map<String, Object> last = http.get().uri("/api/v1/jobs/{id}/events", job.get("id")).retrieve().bodyToFlux(SSE)
			.filter((event) -> event.event() != null && List.of("job.completed", "job.failed", "job.canceled").contains(event.event()))
			.map(ServerSentEvent::data)
			.blockFirst(Duration.ofSeconds(30));
		assertThat(last.get("status")).as("job %s: %s", model, last.get("error")).isEqualTo("completed");
		assertThat(((Map<?, ?>) last.get("content")).get("length")).isEqualTo(VIDEO.length);
		assertThat(SEEN).contains(create);
		if (provider.equals("evolink")) {
			// EvoLink's hold, from the create answer, kept on the job to the end.
			Map<?, ?> usage = (Map<?, ?>) last.get("provider_usage");
			assertThat(usage.get("billing_rule")).isEqualTo("per_second");
			assertThat(usage.get("credits_reserved")).isEqualTo(50);
		}
		else {
			assertThat(last.get("provider_usage")).isNull();
		}
	}

	/**
	 * Gemini's Interactions API cannot list interactions, so a create whose answer is lost cannot be looked for: the
	 * job fails as "outcome unknown" and the create is never sent a second time (it may be running and billed).
	 */
	@Test
	void anOmniCreateWhoseAnswerIsLostIsNeverSentAgain() {
		WebClient http = WebClient.create("http://127.0.0.1:" + this.port);
		Map<?, ?> job = http.post().uri("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("model", "omni-lost", "prompt", "Lost on the way back", "duration_seconds", 8))
			.retrieve().bodyToMono(Map.class).block(Duration.ofSeconds(10));
		Map<String, Object> last = http.get().uri("/api/v1/jobs/{id}/events", job.get("id")).retrieve().bodyToFlux(SSE)
			.filter((event) -> event.event() != null && List.of("job.completed", "job.failed", "job.canceled").contains(event.event()))
			.map(ServerSentEvent::data)
			.blockFirst(Duration.ofSeconds(60));
		assertThat(last.get("status")).isEqualTo("failed");
		assertThat(((Map<?, ?>) last.get("error")).get("code")).isEqualTo("submit_outcome_unknown");
		assertThat(SEEN.stream().filter("POST /omni-lost/v1beta/interactions"::equals)).as("one create, never resent")
			.hasSize(1);
	}

	/**
	 * Every system the product is compared with that has an API is reachable through a listed model with its
	 * capabilities and price; PicassoIA, which has no public generation API, is not listed.
	 */
	@Test
	void klingPikaSeedanceAndHailuoHaveRoutesWithCapabilitiesAndPriceAndPicassoIaIsNotListed() {
		Map<?, ?> catalog = WebClient.create("http://127.0.0.1:" + this.port).get().uri("/api/v1/models").retrieve()
			.bodyToMono(Map.class).block(Duration.ofSeconds(10));
		List<?> models = (List<?>) catalog.get("data");
		for (String id : List.of("fal-kling", "evolink-kling-o3", "fal-pika", "evolink-seedance-2.0",
				"evolink-seedance-2.0-fast", "evolink-hailuo-2.3")) {
			Map<?, ?> model = models.stream().map(Map.class::cast).filter((entry) -> id.equals(entry.get("id")))
				.findFirst().orElseThrow(() -> new AssertionError(id + " is not listed"));
			assertThat(model.get("status")).as(id).isEqualTo("available");
			assertThat((List<?>) ((Map<?, ?>) model.get("capabilities")).get("durations")).as(id).isNotEmpty();
			assertThat((Map<?, ?>) ((Map<?, ?>) model.get("price")).get("per_second")).as(id).isNotEmpty();
		}
		assertThat(models).as("PicassoIA has no generation API, so no model may claim to reach it")
			.noneMatch((model) -> model.toString().toLowerCase(java.util.Locale.ROOT).contains("picasso"));
	}

}
