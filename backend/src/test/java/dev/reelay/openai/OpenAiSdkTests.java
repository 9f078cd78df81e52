package dev.reelay.openai;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import javax.imageio.ImageIO;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAI-compatible API driven by the official openai-node SDK (pinned in src/test/openai-sdk), against this
 * application on a random port with tenants on, and every answer it gave checked against OpenAI's OpenAPI document
 * with an OpenAPI validator.
 */
@DirtiesContext
@ActiveProfiles("openai-sdk")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.dispatch.enabled=true", "reelay.simulator.generation-time=2s",
				"reelay.dispatch.tick=100ms", "reelay.security.admin-key=" + OpenAiSdkTests.ADMIN_KEY,
				"reelay.callbacks.enabled=true", "reelay.callbacks.allow-http=true",
				"reelay.callbacks.allow-private-addresses=true" })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenAiSdkTests {

	static final String ADMIN_KEY = "openai-sdk-admin-key-0123456789";

	private static final String MODEL = "oai-sdk-video";

	private static final Duration WAIT = Duration.ofSeconds(60);

	@LocalServerPort
	int port;

	@Autowired
	JsonMapper json;

	@Autowired
	DatabaseClient db;

	@Autowired
	FacadeResponses responses;

	private WebTestClient http;

	private UUID tenant;

	private String key;

	private String webhookSecret;

	/** The tenant's webhook receiver: every delivery, as it arrived. */
	private final Queue<Delivery> deliveries = new ConcurrentLinkedQueue<>();

	private DisposableServer receiver;

	record Delivery(Map<String, String> headers, String body) {
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Recording {

		@Bean
		FacadeResponses facadeResponses() {
			return new FacadeResponses();
		}

	}

	@BeforeAll
	void tenant() {
		this.http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.port).responseTimeout(WAIT).build();
		Map<?, ?> tenant = this.http.post()
			.uri("/api/v1/admin/tenants")
			.header("Authorization", "Bearer " + ADMIN_KEY)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "openai sdk"))
			.exchange()
			.expectStatus().isCreated()
			.expectBody(Map.class).returnResult().getResponseBody();
		this.tenant = UUID.fromString((String) tenant.get("id"));
		Map<?, ?> issued = this.http.post()
			.uri("/api/v1/admin/tenants/{id}/keys", this.tenant)
			.header("Authorization", "Bearer " + ADMIN_KEY)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "sdk"))
			.exchange()
			.expectStatus().isCreated()
			.expectBody(Map.class).returnResult().getResponseBody();
		this.key = (String) issued.get("key");
		this.receiver = HttpServer.create().host("127.0.0.1").port(0).handle((request, response) -> request.receive()
			.aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("").flatMap((body) -> {
				Map<String, String> headers = new HashMap<>();
				request.requestHeaders().forEach((entry) -> headers.put(entry.getKey().toLowerCase(), entry.getValue()));
				this.deliveries.add(new Delivery(headers, body));
				return Mono.from(response.status(200).send());
			})).bindNow();
		Map<?, ?> settings = this.http.put().uri("/api/v1/callbacks/settings").header("Authorization", "Bearer " + this.key)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("default_url", "http://127.0.0.1:" + this.receiver.port() + "/hooks", "format", "openai"))
			.exchange()
			.expectStatus().isOk()
			.expectBody(Map.class).returnResult().getResponseBody();
		assertThat(settings.get("format")).isEqualTo("openai");
		this.webhookSecret = (String) settings.get("secret");
	}

	@AfterAll
	void stopReceiver() {
		this.receiver.disposeNow();
	}

	@Test
	@Order(1)
	void theOfficialNodeSdkWorksByChangingItsBaseUrl() throws Exception {
		Path sdk = NodeSdk.installed();
		Path out = Files.createDirectories(sdk.resolve("out"));
		Path image = out.resolve("first-frame.png");
		ImageIO.write(new BufferedImage(1280, 720, BufferedImage.TYPE_INT_RGB), "png", image.toFile());
		String run = "run-" + UUID.randomUUID();
		Map<String, String> environment = new HashMap<>();
		environment.put("REELAY_BASE_URL", "http://127.0.0.1:" + this.port + "/v1");
		environment.put("REELAY_API_KEY", this.key);
		environment.put("REELAY_MODEL", MODEL);
		environment.put("REELAY_IMAGE", image.toAbsolutePath().toString());
		environment.put("REELAY_OUT_DIR", out.toAbsolutePath().toString());
		environment.put("REELAY_RUN", run);
		environment.put("REELAY_DELETE", "true");
		NodeSdk.Result result = NodeSdk.node("videos.mjs", environment, Duration.ofMinutes(5));
		assertThat(result.exit()).as("node videos.mjs: %s", result.errors()).isZero();
		Map<?, ?> results = this.json.readValue(result.output(), Map.class);
		Map<String, Map<?, ?>> calls = new HashMap<>();
		for (Object call : (List<?>) results.get("calls")) {
			calls.put((String) ((Map<?, ?>) call).get("call"), (Map<?, ?>) call);
		}

		Map<?, ?> created = calls.get("videos.create (multipart, input_reference file)");
		assertThat((String) created.get("id")).startsWith("video_");
		assertThat(created.get("status")).isEqualTo("queued");
		Map<String, Object> imageVideo = map(calls.get("videos.retrieve until completed (image)").get("video"));
		assertThat(imageVideo.get("status")).isEqualTo("completed");
		assertThat(imageVideo).containsEntry("size", "1280x720").containsEntry("seconds", "4")
			.containsEntry("progress", 100).containsEntry("model", MODEL);
		UUID imageJob = VideoIds.parse((String) created.get("id"));
		assertThat(this.db.sql("SELECT parameters->'image'->>'content_type' AS type FROM jobs WHERE id = :id")
			.bind("id", imageJob).map((row) -> row.get("type", String.class)).one().block(WAIT))
			.as("the uploaded image is the job's").isEqualTo("image/png");

		Map<String, Object> textVideo = map(calls.get("videos.retrieve until completed (text)").get("video"));
		assertThat(textVideo).containsEntry("status", "completed").containsEntry("size", "720x1280")
			.containsEntry("seconds", "8");

		Map<?, ?> download = calls.get("videos.downloadContent");
		assertThat(download.get("contentType")).isEqualTo("video/mp4");
		byte[] mp4 = Files.readAllBytes(Path.of((String) download.get("file")));
		assertThat(mp4.length).isGreaterThan(8);
		assertThat(new String(mp4, 4, 4, StandardCharsets.ISO_8859_1)).as("an MP4's ftyp box").isEqualTo("ftyp");

		Map<?, ?> remix = calls.get("videos.remix");
		assertThat(remix.get("status")).isEqualTo("completed");
		assertThat(remix.get("remixedFrom")).isEqualTo(textVideo.get("id"));

		Map<?, ?> badSize = calls.get("videos.create (unsupported size)");
		assertThat(badSize.get("ok")).isEqualTo(false);
		assertThat(badSize.get("errorClass")).isEqualTo("BadRequestError");
		assertThat(badSize.get("status")).isEqualTo(400);
		Map<?, ?> error = (Map<?, ?>) badSize.get("error");
		assertThat(error.get("param")).isEqualTo("size");
		assertThat((String) error.get("message")).contains("'1280x720'", "'720x1280'");

		Map<?, ?> retried = calls.get("videos.create (first answer lost, SDK retries)");
		assertThat(retried.get("attempts")).as("the SDK sent the create again").isEqualTo(2);
		assertThat(this.db.sql("SELECT count(*) AS n FROM jobs WHERE tenant_id = :tenant AND prompt = :prompt")
			.bind("tenant", this.tenant)
			.bind("prompt", run + " retried create")
			.map((row) -> row.get("n", Long.class)).one().block(WAIT))
			.as("one job for a create sent twice").isEqualTo(1L);
		assertThat(VideoIds.parse((String) retried.get("id"))).isNotNull();

		Map<?, ?> listed = calls.get("videos.list (limit 2, asc, auto-paginated)");
		assertThat((List<?>) listed.get("firstPageIds")).hasSize(2);
		assertThat(listed.get("firstPageHasMore")).isEqualTo(true);
		assertThat(list(listed.get("ids"))).as("every video once, oldest first")
			.containsExactly(created.get("id"), textVideo.get("id"), remix.get("id"), retried.get("id"));

		Map<String, Object> deleted = map(calls.get("videos.delete").get("deleted"));
		assertThat(deleted).containsEntry("id", created.get("id")).containsEntry("object", "video.deleted")
			.containsEntry("deleted", true);
		assertThat(calls.get("videos.retrieve (deleted)").get("status")).isEqualTo(404);
		assertThat(this.db.sql("SELECT count(*) AS n FROM jobs WHERE id = :id AND deleted_at IS NOT NULL")
			.bind("id", imageJob).map((row) -> row.get("n", Long.class)).one().block(WAIT)).isEqualTo(1L);

		// The webhook of the text video's completion, in OpenAI's format, verified by the SDK's own unwrap.
		String textId = (String) textVideo.get("id");
		Delivery delivery = Flux.interval(Duration.ofMillis(200))
			.map((tick) -> this.deliveries.stream().filter((got) -> got.body().contains(textId)).findFirst())
			.filter(Optional::isPresent).map(Optional::get).blockFirst(WAIT);
		Map<String, Object> event = map(this.json.readValue(delivery.body(), Map.class));
		assertThat(event).containsEntry("object", "event").containsEntry("type", "video.completed")
			.containsEntry("data", Map.of("id", textId));
		assertThat((String) event.get("id")).startsWith("evt_");
		assertThat(this.deliveries).extracting(Delivery::body).noneMatch((body) -> body.contains("\"job."));
		Path file = out.resolve("delivery.json");
		Files.writeString(file, this.json.writeValueAsString(Map.of("body", delivery.body(), "headers",
				Map.of("webhook-id", delivery.headers().get("webhook-id"), "webhook-timestamp",
						delivery.headers().get("webhook-timestamp"), "webhook-signature",
						delivery.headers().get("webhook-signature")))));
		NodeSdk.Result unwrapped = NodeSdk.node("unwrap.mjs",
				Map.of("REELAY_WEBHOOK_FILE", file.toAbsolutePath().toString(), "REELAY_WEBHOOK_SECRET",
						this.webhookSecret), Duration.ofMinutes(1));
		assertThat(unwrapped.exit()).as("node unwrap.mjs: %s", unwrapped.errors()).isZero();
		Map<?, ?> unwrap = this.json.readValue(unwrapped.output(), Map.class);
		assertThat(unwrap.get("ok")).as("webhooks.unwrap: %s", unwrap).isEqualTo(true);
		assertThat(map(unwrap.get("event"))).containsEntry("type", "video.completed");
		assertThat(unwrap.get("tamperedAccepted")).as("a tampered body is refused").isEqualTo(false);

		Map<?, ?> edit = calls.get("videos.edit (not served)");
		assertThat(edit.get("status")).isEqualTo(404);
		assertThat(((Map<?, ?>) edit.get("error")).get("code")).isEqualTo("unsupported_endpoint");
	}

	@Test
	@Order(2)
	void everyAnswerMatchesOpenAisOpenApiDocument() throws Exception {
		// A few more answers than the SDK run gave: JSON create, the list's ends, bad parameters, an unknown id, no key.
		this.http.post().uri("/v1/videos").header("Authorization", "Bearer " + this.key)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", "json create", "model", MODEL, "seconds", "12", "size", "1280x720",
					"input_reference", Map.of("image_url", "https://example.com/frame.png")))
			.exchange().expectStatus().isOk();
		String queued = (String) this.http.post().uri("/v1/videos").header("Authorization", "Bearer " + this.key)
			.contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("prompt", "deleted before it ends", "model", MODEL))
			.exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody().get("id");
		this.http.delete().uri("/v1/videos/{id}", queued).header("Authorization", "Bearer " + this.key)
			.exchange().expectStatus().isOk().expectBody().jsonPath("$.deleted").isEqualTo(true);
		this.http.get().uri("/v1/videos/{id}", queued).header("Authorization", "Bearer " + this.key)
			.exchange().expectStatus().isNotFound().expectBody().jsonPath("$.error.param").isEqualTo("video_id");
		Map<String, Object> keyed = Map.of("prompt", "keyed " + UUID.randomUUID(), "model", MODEL);
		Object keyedFirst = this.http.post().uri("/v1/videos").header("Authorization", "Bearer " + this.key)
			.header("Idempotency-Key", "facade-key").contentType(MediaType.APPLICATION_JSON).bodyValue(keyed)
			.exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody().get("id");
		this.http.post().uri("/v1/videos").header("Authorization", "Bearer " + this.key)
			.header("Idempotency-Key", "facade-key").contentType(MediaType.APPLICATION_JSON).bodyValue(keyed)
			.exchange().expectStatus().isOk().expectBody().jsonPath("$.id").isEqualTo(keyedFirst);
		this.http.get().uri("/v1/videos?limit=1&order=desc").header("Authorization", "Bearer " + this.key)
			.exchange().expectStatus().isOk();
		this.http.get().uri("/v1/videos?order=sideways").header("Authorization", "Bearer " + this.key)
			.exchange().expectStatus().isBadRequest();
		this.http.post().uri("/v1/videos").header("Authorization", "Bearer " + this.key)
			.contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("prompt", "x", "model", MODEL, "seconds", "5"))
			.exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.error.param").isEqualTo("seconds");
		this.http.post().uri("/v1/videos").header("Authorization", "Bearer " + this.key)
			.contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("prompt", "x", "model", "sora-2-pro"))
			.exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.error.param").isEqualTo("model");
		this.http.get().uri("/v1/videos/video_" + UUID.randomUUID()).header("Authorization", "Bearer " + this.key)
			.exchange().expectStatus().isNotFound();
		this.http.get().uri("/v1/videos/video_" + UUID.randomUUID() + "/content?variant=spritesheet")
			.header("Authorization", "Bearer " + this.key).exchange().expectStatus().isNotFound();
		this.http.get().uri("/v1/videos").exchange().expectStatus().isUnauthorized()
			.expectBody().jsonPath("$.error.type").isEqualTo("authentication_error");

		OpenApiInteractionValidator validator = OpenApiInteractionValidator.createFor(openApi())
			.withBasePathOverride("/v1")
			// Reelay's extra fields on the Video object: the document allows them (no additionalProperties: false);
			// the library refuses undeclared properties unless told to follow the document here.
			.withLevelResolver(LevelResolver.create()
				.withLevel("validation.response.body.schema.additionalProperties", ValidationReport.Level.IGNORE)
				.build())
			.build();
		assertThat(validator.validateResponse("/v1/videos/video_1", Request.Method.GET, SimpleResponse.Builder.status(200)
			.withContentType("application/json").withBody("{\"id\": \"video_1\", \"object\": \"video\"}").build())
			.hasErrors()).as("the validator refuses a video without its required fields").isTrue();
		List<FacadeResponses.Recorded> answers = List.copyOf(this.responses.recorded);
		assertThat(answers).extracting(FacadeResponses.Recorded::status).contains(200, 400, 401, 404);
		List<String> problems = new ArrayList<>();
		for (FacadeResponses.Recorded answer : answers) {
			SimpleResponse.Builder response = SimpleResponse.Builder.status(answer.status());
			if (answer.contentType() != null) {
				response.withContentType(answer.contentType());
			}
			// A binary body is checked for its media type; its bytes are not JSON to look into.
			response.withBody((answer.json() != null) ? new String(answer.json(), StandardCharsets.UTF_8)
					: "(" + answer.bytes() + " bytes)");
			ValidationReport report = validator.validateResponse(answer.path(),
					Request.Method.valueOf(answer.method()), response.build());
			if (report.hasErrors()) {
				problems.add(answer.method() + " " + answer.path() + " " + answer.status() + ": " + report);
			}
		}
		assertThat(problems).as("answers that do not match the document (of %s)", answers.size()).isEmpty();
	}

	/** A path of OpenAI's API that Reelay does not route is OpenAI's 404, not a page or a problem. */
	@Test
	@Order(3)
	void anUnknownPathAnswersInOpenAisShape() {
		this.http.get().uri("/v1/models").header("Authorization", "Bearer " + this.key)
			.exchange()
			.expectStatus().isNotFound()
			.expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
			.expectBody()
			.jsonPath("$.error.type").isEqualTo("invalid_request_error")
			.jsonPath("$.error.message").isNotEmpty();
		this.http.put().uri("/v1/videos").header("Authorization", "Bearer " + this.key)
			.contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("prompt", "x"))
			.exchange()
			.expectStatus().isEqualTo(405)
			.expectBody()
			.jsonPath("$.error.message").isNotEmpty();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		return (Map<String, Object>) value;
	}

	@SuppressWarnings("unchecked")
	private static List<Object> list(Object value) {
		return (List<Object>) value;
	}

	/**
	 * OpenAI's document as given, with its own ErrorResponse as every operation's answer to an error: the document
	 * lists only the 200s, and its error envelope is what the SDKs read on any other status.
	 */
	private static OpenAPI openApi() throws Exception {
		String yaml = new String(OpenAiSdkTests.class.getResourceAsStream("/openai/openai-videos-openapi.yaml")
			.readAllBytes(), StandardCharsets.UTF_8);
		ParseOptions options = new ParseOptions();
		options.setResolve(true);
		OpenAPI api = new OpenAPIV3Parser().readContents(yaml, null, options).getOpenAPI();
		api.getPaths().values().forEach((path) -> path.readOperations().forEach((operation) -> operation.getResponses()
			.addApiResponse("default", new ApiResponse().description("error")
				.content(new io.swagger.v3.oas.models.media.Content().addMediaType("application/json",
						new io.swagger.v3.oas.models.media.MediaType()
							.schema(new io.swagger.v3.oas.models.media.Schema<>()
								.$ref("#/components/schemas/ErrorResponse")))))));
		return api;
	}

}
