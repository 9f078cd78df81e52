package dev.reelay.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped catalog as {@code GET /api/v1/models} serves it, job validation against it, and image-to-video and
 * remix through the REST API to the simulator, with PostgreSQL and the dispatcher running.
 */
@DirtiesContext
@Import(OtherClassesJobsHeld.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = { "reelay.dispatch.enabled=true",
		"reelay.simulator.generation-time=1s", "reelay.providers.instances.simulator.poll-interval=100ms",
		"reelay.dispatch.tick=100ms", "reelay.jobs.image.max-size=64KB",
		"reelay.providers.instances.gemini.api-key=test",
		// Google shut the Gemini API's Veo ids; this operator names a live one for veo-3.1 (not for veo-3.1-fast).
		"GEMINI_VEO_MODEL=veo-3.1-generate-001",
		// An operator's own catalog entry: a shipped id replaced in place, and a new model.
		"reelay.catalog.custom-models[0].id=sora-2", "reelay.catalog.custom-models[0].display-name=Sora 2 (simulated)",
		"reelay.catalog.custom-models[0].provider=simulator", "reelay.catalog.custom-models[0].remote-model=sora-2",
		"reelay.catalog.custom-models[0].durations=4,8", "reelay.catalog.custom-models[0].aspect-ratios=16:9",
		"reelay.catalog.custom-models[0].resolutions=720p",
		"reelay.catalog.custom-models[1].id=my-model", "reelay.catalog.custom-models[1].display-name=Mine",
		"reelay.catalog.custom-models[1].provider=simulator", "reelay.catalog.custom-models[1].remote-model=sora-2",
		"reelay.catalog.custom-models[1].durations=4", "reelay.catalog.custom-models[1].aspect-ratios=16:9",
		"reelay.catalog.custom-models[1].resolutions=720p", "reelay.catalog.custom-models[1].image-required=true",
		"reelay.catalog.custom-models[1].image-inputs=upload",
		// An operator's entry that offers what its family cannot do: Gemini takes a starting image only inline.
		"reelay.catalog.custom-models[2].id=url-on-gemini", "reelay.catalog.custom-models[2].display-name=URL on Gemini",
		"reelay.catalog.custom-models[2].provider=gemini", "reelay.catalog.custom-models[2].remote-model=veo-3.1-generate-001",
		"reelay.catalog.custom-models[2].durations=8", "reelay.catalog.custom-models[2].aspect-ratios=16:9",
		"reelay.catalog.custom-models[2].resolutions=720p", "reelay.catalog.custom-models[2].image-inputs=url" })
class CatalogAndJobInputsTests {

	private static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> SSE = new ParameterizedTypeReference<>() {
	};

	/** A real 320x240 PNG: uploads are checked down to the size in the image's header. */
	private static final byte[] PNG = png(320, 240);

	private static byte[] png(int width, int height) {
		try {
			java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
			javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(width, height,
					java.awt.image.BufferedImage.TYPE_INT_RGB), "png", out);
			return out.toByteArray();
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	@LocalServerPort
	private int port;

	@Autowired
	private DatabaseClient db;

	private WebTestClient http() {
		return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.port).responseTimeout(Duration.ofSeconds(30)).build();
	}

	@Test
	void theCatalogListsModelsWithStatusCapabilitiesAndPrice() {
		Map<?, ?> catalog = http().get().uri("/api/v1/models").exchange().expectStatus().isOk()
			.expectBody(Map.class).returnResult().getResponseBody();
		assertThat(catalog.get("default_model")).isEqualTo("sim-video");
		List<?> data = (List<?>) catalog.get("data");
		Map<?, ?> sim = model(data, "sim-video");
		assertThat(sim.get("status")).isEqualTo("available");
		assertThat(((Map<?, ?>) sim.get("capabilities")).get("image_input")).isEqualTo(List.of("upload", "url"));
		assertThat(((Map<?, ?>) sim.get("capabilities")).get("remix")).isEqualTo(true);
		assertThat(model(data, "sora-2-pro").get("status")).isEqualTo("retired");
		assertThat(model(data, "sora-2-pro").get("retired_on")).isEqualTo("2026-09-24");
		assertThat(((Map<?, ?>) ((Map<?, ?>) model(data, "sora-2-pro").get("price")).get("per_second")).get("1080p")).isEqualTo(0.5);
		assertThat(model(data, "veo-3.1").get("status")).as("gemini has a key here").isEqualTo("available");
		assertThat(((Map<?, ?>) model(data, "veo-3.1").get("capabilities")).get("durations_by_resolution"))
			.isEqualTo(Map.of("1080p", List.of(8), "4k", List.of(8)));
		assertThat(model(data, "veo-3.1").get("remote_model")).isEqualTo("veo-3.1-generate-001");
		assertThat(model(data, "veo-3.1-fast").get("status")).as("no live id named for it").isEqualTo("retired");
		assertThat(model(data, "veo-3.1-fast").get("retired_on")).isEqualTo("2026-10-22");
		assertThat(model(data, "veo-3.1-fast-vertex").get("remote_model")).isEqualTo("veo-3.1-fast-generate-001");
		assertThat(model(data, "gemini-omni").get("status")).as("its instance has no key here").isEqualTo("disabled");
		assertThat(model(data, "gemini-omni").get("remote_model")).isEqualTo("gemini-omni-1.1-flash");
		assertThat(model(data, "runway-gen4-turbo").get("status")).as("no key for runway").isEqualTo("disabled");
		assertThat(model(data, "kie-veo3-fast").get("price")).isEqualTo(Map.of("currency", "USD", "per_second", Map.of(),
				"per_clip", 0.4));
		// Configured otherwise: the operator's sora-2 replaces the shipped (retired) one, in place.
		assertThat(model(data, "sora-2").get("status")).isEqualTo("available");
		assertThat(model(data, "sora-2").get("provider")).isEqualTo("simulator");
		assertThat(data.indexOf(model(data, "sora-2"))).isLessThan(data.indexOf(model(data, "sora-2-pro")));
		assertThat(model(data, "my-model").get("status")).isEqualTo("available");
		// A model with several routes lists each with its state; a one-route model lists its one route.
		List<?> routes = (List<?>) model(data, "veo-3.1-any").get("routes");
		assertThat(routes.stream().map((route) -> String.valueOf(((Map<?, ?>) route).get("provider"))).toList())
			.containsExactlyInAnyOrder("vertex", "laozhang", "kie", "gemini");
		Map<?, ?> retiredRoute = routes.stream().map(Map.class::cast)
			.filter((route) -> "gemini".equals(route.get("provider"))).findFirst().orElseThrow();
		assertThat(retiredRoute.get("status")).isEqualTo("retired");
		assertThat(retiredRoute.get("retired_on")).isEqualTo("2026-10-22");
		assertThat(((Map<?, ?>) retiredRoute.get("circuit_breaker")).get("state")).isEqualTo("closed");
		assertThat((List<?>) model(data, "kie-veo3-fast").get("routes")).hasSize(1);
	}

	private static Map<?, ?> model(List<?> data, String id) {
		return data.stream().map(Map.class::cast).filter((model) -> id.equals(model.get("id"))).findFirst().orElseThrow();
	}

	@Test
	void jobsAreValidatedAgainstTheCatalogWithPreciseProblems() {
		problem("{\"model\": \"veo-3.1\", \"prompt\": \"x\", \"duration_seconds\": 5}", "duration_seconds",
				"veo-3.1 supports durations 4, 6, 8; got 5");
		problem("{\"model\": \"veo-3.1\", \"prompt\": \"x\", \"duration_seconds\": 4, \"resolution\": \"1080p\"}",
				"duration_seconds", "veo-3.1 supports only durations 8 at 1080p; got 4");
		problem("{\"model\": \"veo-3.1\", \"prompt\": \"x\", \"resolution\": \"8k\"}", "resolution",
				"veo-3.1 supports resolutions 720p, 1080p, 4k; got 8k");
		problem("{\"model\": \"sora-2-pro\", \"prompt\": \"x\"}", "model",
				"model 'sora-2-pro' was retired on 2026-09-24 and no longer accepts jobs");
		problem("{\"model\": \"veo-3.1-fast\", \"prompt\": \"x\"}", "model",
				"model 'veo-3.1-fast' was retired on 2026-10-22 and no longer accepts jobs; use 'gemini-omni' instead");
		problem("{\"model\": \"runway-gen4-turbo\", \"prompt\": \"x\"}", "model",
				"model 'runway-gen4-turbo' is served by provider 'runway', which is not enabled here (is its API key set?)");
		problem("{\"model\": \"veo-3.1\", \"prompt\": \"x\", \"image\": \"https://example.com/a.png\"}", "image",
				"veo-3.1 takes an image only as an uploaded file");
		problem("{\"model\": \"url-on-gemini\", \"prompt\": \"x\", \"image\": \"https://example.com/a.png\"}", "model",
				"no route of model 'url-on-gemini' enabled here takes a 8 s clip at 720p from an image URL; see GET "
						+ "/api/v1/models for its routes");
		problem("{\"model\": \"sim-video\", \"prompt\": \"x\", \"image\": \"file:///etc/passwd\"}", "image",
				"image must be an http(s) URL (or an uploaded file in a multipart request)");
		problem("{\"model\": \"my-model\", \"prompt\": \"x\"}", "image", "my-model makes videos from an image; send one");
		problem("{\"model\": \"veo-3.1\", \"prompt\": \"x\", \"remix_of\": \"6f1c2c7e-0a43-4a5e-9d37-3f8c0b1d2e4f\"}",
				"remix_of", "veo-3.1 cannot remix videos");
		problem("{\"model\": \"sim-video\", \"prompt\": \"x\", \"remix_of\": \"6f1c2c7e-0a43-4a5e-9d37-3f8c0b1d2e4f\"}",
				"remix_of", "no job with id 6f1c2c7e-0a43-4a5e-9d37-3f8c0b1d2e4f to remix");
		problem("{\"model\": \"sim-video\", \"prompt\": \"x\", \"remix_of\": \"not-a-uuid\"}", "remix_of", null);
	}

	private void problem(String json, String field, String detail) {
		WebTestClient.BodyContentSpec body = http().post().uri("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(json).exchange()
			.expectStatus().isBadRequest()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.field").isEqualTo(field);
		if (detail != null) {
			body.jsonPath("$.detail").isEqualTo(detail);
		}
	}

	@Test
	void anUploadedImageGoesToTheProviderAndARemixFollowsIt() {
		String prompt = "From an uploaded frame " + System.nanoTime();
		MultipartBodyBuilder form = new MultipartBodyBuilder();
		form.part("model", "sim-video");
		form.part("prompt", prompt);
		form.part("duration_seconds", "8");
		form.part("image", image(PNG)).contentType(MediaType.IMAGE_PNG);
		Map<?, ?> job = http().post().uri("/api/v1/jobs").body(BodyInserters.fromMultipartData(form.build())).exchange()
			.expectStatus().isAccepted()
			.expectBody(Map.class).returnResult().getResponseBody();
		Map<?, ?> image = (Map<?, ?>) ((Map<?, ?>) job.get("parameters")).get("image");
		assertThat(image.get("content_type")).isEqualTo("image/png");
		assertThat(image.get("length")).isEqualTo(PNG.length);

		Map<String, Object> done = awaitEnd((String) job.get("id"));
		assertThat(done.get("status")).isEqualTo("completed");
		Map<String, Object> row = this.db.sql("SELECT id, input_reference FROM simulator_videos WHERE prompt = :p")
			.bind("p", prompt).fetch().one().block();
		assertThat(row.get("input_reference")).as("the simulator got input_reference as a file").isEqualTo(true);
		assertThat(this.db.sql("SELECT count(*) AS n FROM job_inputs WHERE job_id = :id")
			.bind("id", java.util.UUID.fromString((String) job.get("id"))).fetch().one().block().get("n"))
			.as("the upload is dropped once the job has ended").isEqualTo(0L);

		Map<?, ?> remix = http().post().uri("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("model", "sim-video", "prompt", "The same, at night", "remix_of", job.get("id")))
			.exchange().expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody();
		assertThat(awaitEnd((String) remix.get("id")).get("status")).isEqualTo("completed");
		Map<String, Object> remixRow = this.db.sql("SELECT remixed_from FROM simulator_videos WHERE prompt = :p")
			.bind("p", "The same, at night").fetch().all().collectList().block().get(0);
		assertThat(remixRow.get("remixed_from")).isEqualTo(row.get("id"));
	}

	@Test
	void uploadsAreCheckedForTypeContentAndSize() {
		upload(image(PNG), MediaType.TEXT_PLAIN, "image", "image must be one of [image/png, image/jpeg, image/webp]; got text/plain");
		upload(image(new byte[] { (byte) 0xff, (byte) 0xd8, (byte) 0xff, 0 }), MediaType.IMAGE_PNG, "image",
				"image says it is image/png but its content is not");
		byte[] big = new byte[80 * 1024];
		System.arraycopy(PNG, 0, big, 0, PNG.length);
		upload(image(big), MediaType.IMAGE_PNG, "image", "image is larger than 64 KB");
		MultipartBodyBuilder form = new MultipartBodyBuilder();
		form.part("prompt", "x");
		form.part("colour", "red");
		http().post().uri("/api/v1/jobs").body(BodyInserters.fromMultipartData(form.build())).exchange()
			.expectStatus().isBadRequest().expectBody().jsonPath("$.field").isEqualTo("colour");
		MultipartBodyBuilder badNumber = new MultipartBodyBuilder();
		badNumber.part("prompt", "x");
		badNumber.part("duration_seconds", "eight");
		http().post().uri("/api/v1/jobs").body(BodyInserters.fromMultipartData(badNumber.build())).exchange()
			.expectStatus().isBadRequest().expectBody().jsonPath("$.field").isEqualTo("duration_seconds");
	}

	private void upload(ByteArrayResource file, MediaType type, String field, String detail) {
		MultipartBodyBuilder form = new MultipartBodyBuilder();
		form.part("prompt", "x");
		form.part("image", file).contentType(type);
		http().post().uri("/api/v1/jobs").body(BodyInserters.fromMultipartData(form.build())).exchange()
			.expectStatus().isBadRequest()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.field").isEqualTo(field).jsonPath("$.detail").isEqualTo(detail);
	}

	private static ByteArrayResource image(byte[] bytes) {
		return new ByteArrayResource(bytes) {

			@Override
			public String getFilename() {
				return "frame.png";
			}

		};
	}

	private Map<String, Object> awaitEnd(String id) {
		return org.springframework.web.reactive.function.client.WebClient.create("http://127.0.0.1:" + this.port)
			.get().uri("/api/v1/jobs/{id}/events", id).retrieve().bodyToFlux(SSE)
			.filter((event) -> event.event() != null && List.of("job.completed", "job.failed", "job.canceled").contains(event.event()))
			.map(ServerSentEvent::data)
			.blockFirst(Duration.ofSeconds(30));
	}

}
