package dev.reelay.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Type mismatches over HTTP, across endpoints and places (body fields, path ids, query parameters, dates, status
 * lists) and the framework's own refusals (unknown path, method, media type): every answer is a problem whose
 * detail names the field where there is one and says what it must be in plain words, without a word of the
 * libraries behind it (complements {@code BadInputCorpusTests}, which checks that nothing is stored).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ProblemWordingTests {

	private static final String JOBS = "/api/v1/jobs";

	@LocalServerPort
	private int port;

	@Autowired
	private JsonMapper json;

	@ParameterizedTest(name = "{0}")
	@MethodSource("mismatches")
	void saysWhatIsWrongInPlainWords(Mismatch mismatch) {
		WebClient.RequestBodySpec request = WebClient.create("http://127.0.0.1:" + this.port)
			.method(mismatch.method())
			.uri(mismatch.path())
			.header(HttpHeaders.ACCEPT, mismatch.accept());
		WebClient.RequestHeadersSpec<?> ready = (mismatch.body() != null)
				? request.contentType(mismatch.contentType()).bodyValue(mismatch.body()) : request;
		String[] answer = ready.exchangeToMono((response) -> response.bodyToMono(String.class)
			.defaultIfEmpty("")
			.map((body) -> new String[] { String.valueOf(response.statusCode().value()),
					String.valueOf(response.headers().asHttpHeaders().getFirst(HttpHeaders.CONTENT_TYPE)), body }))
			.block(Duration.ofSeconds(30));

		assertThat(Integer.parseInt(answer[0])).as("status (%s)", answer[2]).isEqualTo(mismatch.status());
		assertThat(answer[1]).startsWith(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		Map<?, ?> problem = this.json.readValue(answer[2], Map.class);
		String detail = (String) problem.get("detail");
		assertThat(detail).as("detail").isNotBlank().doesNotContainPattern(JsonProblemTests.LIBRARY_WORDS)
			.doesNotContainPattern("No static resource|Supported methods|Content-Type '.*' is not supported|\\bnull\\b");
		assertThat(String.valueOf(problem.get("title"))).doesNotContainPattern(JsonProblemTests.LIBRARY_WORDS);
		assertThat(detail).contains(mismatch.detail());
		if (mismatch.status() == 415) {
			assertThat(detail).startsWith("This address takes a body of ").contains("application/json");
		}
		if (mismatch.field() != null) {
			assertThat(problem.get("field")).isEqualTo(mismatch.field());
		}
	}

	static Stream<Named<Mismatch>> mismatches() {
		List<Mismatch> all = new ArrayList<>();
		// Body fields: numbers, booleans where numbers go, dates, ids, text, lists, objects.
		all.add(post("priority as a word", JOBS, "{\"prompt\": \"a cat\", \"priority\": \"low\"}", "priority",
				"Field 'priority' must be a whole number"));
		all.add(post("priority as true", JOBS, "{\"prompt\": \"a cat\", \"priority\": true}", "priority",
				"Field 'priority' must be a whole number"));
		all.add(post("duration as a fraction", JOBS, "{\"prompt\": \"a cat\", \"duration_seconds\": 4.5}",
				"duration_seconds", "Field 'duration_seconds' must be a whole number"));
		all.add(post("seed as text", JOBS, "{\"prompt\": \"a cat\", \"seed\": \"lucky\"}", "seed",
				"Field 'seed' must be a whole number"));
		all.add(post("not_before as true", JOBS, "{\"prompt\": \"a cat\", \"not_before\": true}", "not_before",
				"Field 'not_before' must be a timestamp string"));
		all.add(post("remix_of that is not an id", JOBS, "{\"prompt\": \"a cat\", \"remix_of\": \"job-1\"}",
				"remix_of", "Field 'remix_of' must be an id"));
		all.add(post("prompt as a list", JOBS, "{\"prompt\": [\"a cat\"]}", "prompt", "Field 'prompt' must be text"));
		all.add(post("an estimate with priority as a word", JOBS + "/estimate",
				"{\"prompt\": \"a cat\", \"priority\": \"high\"}", "priority", "Field 'priority' must be a whole number"));
		all.add(post("a batch whose jobs are text", JOBS + "/batch", "{\"jobs\": \"all\"}", "jobs",
				"Field 'jobs' must be a list"));
		all.add(post("a batch job with a priority as a word", JOBS + "/batch",
				"{\"jobs\": [{\"prompt\": \"a\", \"priority\": \"normal\"}]}", "jobs[0].priority",
				"Field 'jobs[0].priority' must be a whole number"));
		all.add(new Mismatch("a default webhook URL as a number", HttpMethod.PUT, "/api/v1/callbacks/settings",
				MediaType.APPLICATION_JSON, "{\"default_url\": 443}", "application/json", 400, "default_url",
				"Field 'default_url' must be text"));
		all.add(post("a body that is a list", JOBS, "[1, 2]", null, "The body must be a JSON object"));
		// Ids in paths and query parameters, dates and lists in query parameters.
		all.add(get("a job id that is not an id", JOBS + "/not-a-uuid", 400, "id", "'id' must be an id"));
		all.add(get("a job id that is not an id, for its video", JOBS + "/seven/content", 400, "id",
				"'id' must be an id"));
		all.add(get("a delivery id that is not an id", "/api/v1/callbacks/deliveries/x", 400, "id",
				"'id' must be an id"));
		all.add(get("a delivery filter by a job id that is not one", "/api/v1/callbacks/deliveries?job_id=x", 400,
				"job_id", "'job_id' must be an id"));
		all.add(get("a page size as a word", JOBS + "?limit=many", 400, "limit", "'limit' must be a whole number"));
		all.add(get("a status that does not exist", JOBS + "?status=exploded", 400, "status", "is not one of [queued"));
		all.add(get("a usage date that is not a date", "/api/v1/usage?from=last-week", 400, "from",
				"from must be a date"));
		all.add(get("activity minutes as a fraction", "/api/v1/activity?minutes=1.5", 400, "minutes",
				"'minutes' must be a whole number"));
		all.add(new Mismatch("an event stream for a job id that is not one", HttpMethod.GET,
				"/api/v1/events?job_id=seven", null, null, "text/event-stream, application/problem+json", 400, "job_id",
				"not a job id"));
		// The framework's own refusals.
		all.add(get("an unknown address", "/no-such-thing", 404, null, "There is nothing at this address"));
		all.add(get("an unknown API address", "/api/v1/nothing-here", 404, null, "There is nothing at this address"));
		all.add(new Mismatch("a method the address does not take", HttpMethod.PUT, JOBS + "/estimate", null, null,
				"application/json", 405, null, "This address does not take PUT requests; it takes "));
		all.add(new Mismatch("a body of a type not taken", HttpMethod.POST, JOBS, MediaType.TEXT_PLAIN, "a cat",
				"application/json", 415, null, "; the request sent text/plain"));
		return all.stream().map((mismatch) -> Named.of(mismatch.name(), mismatch));
	}

	private static Mismatch post(String name, String path, String body, @Nullable String field, String detail) {
		return new Mismatch(name, HttpMethod.POST, path, MediaType.APPLICATION_JSON, body, "application/json", 400,
				field, detail);
	}

	private static Mismatch get(String name, String path, int status, @Nullable String field, String detail) {
		return new Mismatch(name, HttpMethod.GET, path, null, null, "application/json", status, field, detail);
	}

	record Mismatch(String name, HttpMethod method, String path, @Nullable MediaType contentType, @Nullable String body,
			String accept, int status, @Nullable String field, String detail) {

		@Override
		public String toString() {
			return this.name;
		}

	}

}
