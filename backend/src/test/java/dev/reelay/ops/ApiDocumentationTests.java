package dev.reelay.ops;

import java.time.Duration;
import java.util.Arrays;
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
			// The first call builds the document; a loaded machine takes its time.
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
	}

}
