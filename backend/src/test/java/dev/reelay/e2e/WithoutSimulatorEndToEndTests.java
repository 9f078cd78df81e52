package dev.reelay.e2e;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.filter.annotation.TypeExcludeFilters;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.type.classreading.MetadataReader;
import org.springframework.core.type.classreading.MetadataReaderFactory;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reelay as a production build without the simulator module: every class of {@code dev.reelay.simulator} left out
 * of the context (as if not compiled), a job still goes through a real provider's API (a stand-in over HTTP) to a
 * stored video, the simulator's paths answer 404, and the configured simulator instance says why it takes no jobs.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.dispatch.enabled=true", "reelay.dispatch.tick=100ms",
				"reelay.providers.instances.nosim-openai.family=openai-videos",
				"reelay.providers.instances.nosim-openai.api-key=test",
				"reelay.providers.instances.nosim-openai.poll-interval=200ms",
				"reelay.catalog.custom-models[0].id=nosim-video",
				"reelay.catalog.custom-models[0].display-name=Without simulator test model",
				"reelay.catalog.custom-models[0].provider=nosim-openai",
				"reelay.catalog.custom-models[0].remote-model=sora-2", "reelay.catalog.custom-models[0].durations=8",
				"reelay.catalog.custom-models[0].aspect-ratios=16:9",
				"reelay.catalog.custom-models[0].resolutions=720p" })
@TypeExcludeFilters(WithoutSimulatorEndToEndTests.LeavesOutTheSimulator.class)
class WithoutSimulatorEndToEndTests {

	private static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> SSE = new ParameterizedTypeReference<>() {
	};

	private static final String SIMULATOR = "dev.reelay.simulator";

	private static final byte[] VIDEO = dev.reelay.provider.StandIn.mp4(64);

	static final MockWebServer OPENAI = new MockWebServer();

	static final ConcurrentLinkedQueue<String> SEEN = new ConcurrentLinkedQueue<>();

	static {
		OPENAI.setDispatcher(new Dispatcher() {

			@Override
			public MockResponse dispatch(RecordedRequest request) {
				SEEN.add(request.getMethod() + " " + request.getTarget());
				return answer(request.getMethod() + " " + request.getTarget());
			}

		});
		try {
			OPENAI.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@DynamicPropertySource
	static void providerAtTheStandIn(DynamicPropertyRegistry properties) {
		properties.add("reelay.providers.instances.nosim-openai.base-url", () -> {
			String base = OPENAI.url("/").toString();
			return base.substring(0, base.length() - 1) + "/v1";
		});
	}

	@AfterAll
	static void stop() {
		OPENAI.close();
	}

	@LocalServerPort
	private int port;

	@Autowired
	private ConfigurableApplicationContext context;

	@Test
	void noBeanOfTheSimulatorModuleExists() {
		List<String> simulatorBeans = Arrays.stream(this.context.getBeanDefinitionNames())
			.filter((name) -> {
				Class<?> type = this.context.getBeanFactory().getType(name, false);
				return type != null && type.getName().startsWith(SIMULATOR + ".");
			})
			.toList();
		assertThat(simulatorBeans).isEmpty();
	}

	@Test
	void aJobGoesThroughARealProvidersApiToAStoredVideo() {
		WebClient http = WebClient.create("http://127.0.0.1:" + this.port);
		Map<?, ?> job = http.post()
			.uri("/api/v1/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("model", "nosim-video", "prompt", "No simulator in this build", "duration_seconds", 8))
			.retrieve()
			.bodyToMono(Map.class)
			.block(Duration.ofSeconds(30));
		assertThat(job.get("provider")).isEqualTo("nosim-openai");

		Map<String, Object> last = http.get()
			.uri("/api/v1/jobs/{id}/events", job.get("id"))
			.retrieve()
			.bodyToFlux(SSE)
			.filter((event) -> event.event() != null
					&& List.of("job.completed", "job.failed", "job.canceled").contains(event.event()))
			.map(ServerSentEvent::data)
			.blockFirst(Duration.ofSeconds(90));
		assertThat(last.get("status")).as("%s", last.get("error")).isEqualTo("completed");
		assertThat(((Map<?, ?>) last.get("content")).get("length")).isEqualTo(VIDEO.length);
		assertThat(SEEN).contains("POST /v1/videos", "GET /v1/videos/video_nosim/content?variant=video");
	}

	@Test
	void theSimulatorsPathsAnswer404AndItsInstanceSaysWhyItTakesNoJobs() {
		WebClient http = WebClient.create("http://127.0.0.1:" + this.port);
		for (String path : List.of("/simulator/openai/v1/videos", "/simulator/openai/v1/videos/video_1")) {
			HttpStatusCode status = http.get()
				.uri(path)
				.header("Authorization", "Bearer sk-anything")
				.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode()))
				.block(Duration.ofSeconds(30));
			assertThat(status.value()).as(path).isEqualTo(404);
		}

		Map<?, ?> providers = http.get().uri("/api/v1/providers").retrieve().bodyToMono(Map.class)
			.block(Duration.ofSeconds(30));
		Map<?, ?> simulator = ((List<?>) providers.get("data")).stream()
			.map(Map.class::cast)
			.filter((provider) -> "simulator".equals(provider.get("name")))
			.findFirst()
			.orElseThrow();
		assertThat(simulator.get("state")).isEqualTo("disabled");
		assertThat((String) simulator.get("state_reason")).contains("no built-in simulator");
	}

	static MockResponse answer(String request) {
		return switch (request) {
			case "POST /v1/videos" -> json(video("queued"));
			case "GET /v1/videos/video_nosim" -> json(video("completed"));
			case "GET /v1/videos/video_nosim/content?variant=video" -> new MockResponse.Builder()
				.setHeader("Content-Type", "video/mp4")
				.body(new Buffer().write(VIDEO))
				.build();
			default -> new MockResponse.Builder().code(404).body("{\"error\": \"not in the stand-in\"}").build();
		};
	}

	static String video(String status) {
		return "{\"id\": \"video_nosim\", \"object\": \"video\", \"model\": \"sora-2\", \"status\": \"" + status
				+ "\", \"progress\": " + (status.equals("completed") ? 100 : 0) + ", \"created_at\": 1, "
				+ "\"prompt\": \"p\", \"size\": \"1280x720\", \"seconds\": \"8\", \"error\": null}";
	}

	static MockResponse json(String body) {
		return new MockResponse.Builder().setHeader("Content-Type", "application/json").body(body).build();
	}

	/** Keeps every class of the simulator module out of component and configuration-properties scanning. */
	static final class LeavesOutTheSimulator extends TypeExcludeFilter {

		@Override
		public boolean match(MetadataReader reader, MetadataReaderFactory factory) {
			return reader.getClassMetadata().getClassName().startsWith(SIMULATOR + ".");
		}

		@Override
		public boolean equals(Object other) {
			return other != null && other.getClass() == getClass();
		}

		@Override
		public int hashCode() {
			return getClass().hashCode();
		}

	}

}
