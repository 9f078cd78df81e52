package dev.reelay.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import dev.reelay.job.JobEventType;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;

import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAPI document describes every public endpoint the application actually maps, and the SSE events. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ApiDocumentationTests {

	@LocalServerPort
	private int port;

	@Autowired
	private JsonMapper json;

	@Autowired
	@Qualifier("requestMappingHandlerMapping")
	private RequestMappingHandlerMapping mappings;

	private JsonNode document() {
		return WebClient.create("http://127.0.0.1:" + this.port)
			.get()
			.uri("/v3/api-docs")
			.retrieve()
			.bodyToMono(String.class)
			.map(this.json::readTree)
			// springdoc builds the document on the first request: seconds on a loaded machine.
			.block(Duration.ofSeconds(60));
	}

	@Test
	void listsEveryPublicEndpoint() {
		Set<String> mapped = new TreeSet<>();
		this.mappings.getHandlerMethods().forEach((info, method) -> info.getPatternsCondition()
			.getPatterns()
			.stream()
			.map(Object::toString)
			.filter((path) -> path.startsWith("/api/") || path.startsWith("/v1/"))
			.forEach((path) -> info.getMethodsCondition()
				.getMethods()
				.forEach((verb) -> mapped.add(verb.name() + " " + path))));
		assertThat(mapped).contains("POST /api/v1/jobs", "GET /api/v1/jobs/{id}/events", "GET /api/v1/models",
				"POST /v1/videos", "GET /v1/videos/{video_id}/content");

		JsonNode paths = document().get("paths");
		Set<String> documented = new TreeSet<>();
		paths.properties().forEach((path) -> path.getValue().properties().forEach((operation) -> {
			documented.add(operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
		}));
		assertThat(documented).isEqualTo(mapped);
		// The OpenAI-compatible API under a tag of its own, apart from the native one.
		assertThat(paths.at("/~1v1~1videos/post/tags/0").asString()).isEqualTo("OpenAI-compatible videos");
	}

	/**
	 * Every documented operation, whoever wrote it: a summary, a feature tag (not springdoc's default
	 * {@code *-controller}), its client errors and server errors, each with a body schema; under {@code /api/} those
	 * are RFC 9457 problems.
	 */
	@Test
	void everyOperationHasASummaryATagAndItsErrorResponses() {
		JsonNode paths = document().get("paths");
		List<String> operations = new ArrayList<>();
		paths.properties().forEach((path) -> path.getValue().properties().forEach((entry) -> {
			String operation = entry.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
			operations.add(operation);
			JsonNode op = entry.getValue();
			assertThat(op.path("summary").asString("")).as("summary of %s", operation).isNotBlank();
			assertThat(op.path("tags")).as("tags of %s", operation).isNotEmpty();
			op.path("tags").forEach((tag) -> assertThat(tag.asString()).as("tag of %s", operation)
				.doesNotEndWith("-controller"));
			JsonNode responses = op.path("responses");
			Set<String> codes = new TreeSet<>();
			responses.propertyNames().forEach(codes::add);
			assertThat(codes).as("responses of %s", operation)
				.anyMatch((code) -> code.startsWith("4"))
				.anyMatch((code) -> code.startsWith("5") || code.equals("default"))
				.anyMatch((code) -> code.startsWith("2"));
			codes.stream().filter((code) -> !code.startsWith("2") && !code.startsWith("3")).forEach((code) -> {
				JsonNode content = responses.path(code).path("content");
				assertThat(content.isEmpty()).as("body of %s %s", operation, code).isFalse();
				if (path.getKey().startsWith("/api/")) {
					assertThat(content.at("/application~1problem+json/schema/$ref").asString(""))
						.as("problem schema of %s %s", operation, code)
						.isEqualTo("#/components/schemas/Problem");
				}
			});
			if (path.getKey().contains("{")) {
				assertThat(codes).as("an unknown id in %s", operation).contains("404");
			}
		}));
		assertThat(operations).hasSizeGreaterThan(20);
		assertThat(document().at("/components/schemas/Problem/properties").has("field")).isTrue();
	}

	@Test
	void documentsTheStatusesTheApiAnswersWith() {
		JsonNode document = document();
		JsonNode create = document.at("/paths/~1api~1v1~1jobs/post");
		assertThat(create.at("/responses").has("202")).as("create answers 202").isTrue();
		assertThat(create.at("/responses").has("200")).isFalse();
		assertThat(create.at("/responses").has("422")).as("a reused Idempotency-Key").isTrue();
		assertThat(create.at("/requestBody/content/application~1json/examples")).as("request examples").isNotEmpty();
		assertThat(create.at("/responses/400/content/application~1problem+json/examples").toString())
			.contains("Field 'priority' must be a whole number");
		assertThat(document.at("/paths/~1api~1v1~1jobs~1batch/post/responses").has("202")).isTrue();
		assertThat(document.at("/paths/~1api~1v1~1admin~1tenants/post/responses").has("201")).isTrue();
		assertThat(document.at("/paths/~1api~1v1~1jobs~1{id}~1cancel/post/responses").has("409")).isTrue();
		assertThat(document.at("/paths/~1api~1v1~1jobs~1{id}~1content/get/responses/200/content").has("video/mp4"))
			.isTrue();
	}

	@Test
	void tagsFollowTheFeaturesJobsFirstAdminLast() {
		JsonNode document = document();
		List<String> tags = new ArrayList<>();
		document.get("tags").forEach((tag) -> tags.add(tag.get("name").asString()));
		assertThat(tags).startsWith("Jobs", "Live streams");
		assertThat(tags.indexOf("Admin")).isGreaterThan(tags.indexOf("Callbacks")).isGreaterThan(tags.indexOf("Jobs"));
		assertThat(document.at("/paths/~1api~1v1~1jobs~1{id}~1events/get/tags/0").asString()).isEqualTo("Live streams");
		assertThat(document.at("/paths/~1api~1v1~1admin~1tenants/get/tags/0").asString()).isEqualTo("Admin");
	}

	@Test
	void describesTheServerSentEvents() {
		JsonNode document = document();
		Set<String> types = Arrays.stream(JobEventType.values()).map(JobEventType::wireName).collect(Collectors.toSet());
		for (String path : new String[] { "/api/v1/events", "/api/v1/jobs/{id}/events" }) {
			JsonNode ok = document.at("/paths/" + path.replace("/", "~1") + "/get/responses/200");
			JsonNode schema = ok.at("/content/text~1event-stream/schema");
			Set<String> documented = new TreeSet<>();
			schema.at("/properties/event/enum").forEach((type) -> documented.add(type.asString()));
			assertThat(documented).as(path).isEqualTo(types);
			assertThat(schema.at("/properties/data/$ref").asString()).isEqualTo("#/components/schemas/JobView");
			types.forEach((type) -> assertThat(ok.get("description").asString()).contains("`" + type + "`"));
		}
	}

	@Test
	void namesFieldsAsTheApiSendsThem() {
		JsonNode job = document().at("/components/schemas/JobView/properties");
		assertThat(job.has("provider_request_id")).as(job.toString()).isTrue();
		assertThat(job.has("status_reason")).isTrue();
		assertThat(job.has("remote_id")).isTrue();
		assertThat(document().at("/components/schemas/CreateJobRequest/properties").has("duration_seconds")).isTrue();
	}

	@Test
	void servesTheBrowsableUi() {
		// The documented address redirects to the UI's page.
		String page = WebClient.builder()
			.clientConnector(new ReactorClientHttpConnector(HttpClient.create().followRedirect(true)))
			.baseUrl("http://127.0.0.1:" + this.port)
			.build()
			.get()
			.uri("/swagger-ui.html")
			.retrieve()
			.bodyToMono(String.class)
			// The first call builds the document; a loaded machine takes its time.
			.block(Duration.ofSeconds(60));
		assertThat(page).contains("Swagger UI");
		String yaml = WebClient.create("http://127.0.0.1:" + this.port)
			.get()
			.uri("/v3/api-docs.yaml")
			.retrieve()
			.bodyToMono(String.class)
			// The first call builds the document; a loaded machine takes its time.
			.block(Duration.ofSeconds(60));
		assertThat(yaml).contains("title: Reelay API").contains("/api/v1/jobs/{id}/events:");
		assertThat(yaml.indexOf("/api/v1/jobs:")).as("jobs before admin in the document")
			.isLessThan(yaml.indexOf("/api/v1/admin/tenants:"));
	}

	/** The API docs page, and any page without an icon of its own, show Reelay's icon rather than Swagger's. */
	@Test
	void servesReelaysIconForTheDocsAndAsFavicon() throws Exception {
		byte[] reelay = new ClassPathResource("static/img/reelay-32.png").getContentAsByteArray();
		for (String path : new String[] { "/swagger-ui/favicon-32x32.png", "/favicon.ico" }) {
			ResponseEntity<byte[]> icon = WebClient.create("http://127.0.0.1:" + this.port)
				.get()
				.uri(path)
				.retrieve()
				.toEntity(byte[].class)
				.block(Duration.ofSeconds(10));
			assertThat(icon.getHeaders().getContentType()).as(path).hasToString("image/png");
			assertThat(icon.getBody()).as(path).isEqualTo(reelay);
		}
		byte[] small = WebClient.create("http://127.0.0.1:" + this.port)
			.get()
			.uri("/swagger-ui/favicon-16x16.png")
			.retrieve()
			.bodyToMono(byte[].class)
			.block(Duration.ofSeconds(10));
		assertThat(small).isEqualTo(
				new ClassPathResource("static/img/reelay-16.png").getContentAsByteArray());
	}

}
