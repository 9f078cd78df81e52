package dev.reelay.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Idempotent and batch submission over HTTP, on the real database. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "reelay.dispatch.enabled=false")
class SubmissionApiTests {

	@LocalServerPort
	private int port;

	@Autowired
	private DatabaseClient db;

	@Test
	void theSameKeyAndBodyReturnTheSameJob() {
		String key = UUID.randomUUID().toString();
		Map<String, Object> body = Map.of("prompt", "idempotent " + key, "duration_seconds", 8);
		ResponseEntity<Map> first = post("/api/v1/jobs", key, body).block();
		ResponseEntity<Map> again = post("/api/v1/jobs", key, body).block();
		assertThat(first.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
		assertThat(again.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
		assertThat(again.getBody().get("id")).isEqualTo(first.getBody().get("id"));
		assertThat(again.getHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
		assertThat(first.getHeaders().getFirst("Idempotent-Replayed")).isNull();
		assertThat(countPrompt("idempotent " + key)).isEqualTo(1);
	}

	@Test
	void theSameKeyWithAnotherBodyIsAProblem() {
		String key = UUID.randomUUID().toString();
		post("/api/v1/jobs", key, Map.of("prompt", "first " + key)).block();
		ResponseEntity<Map> reused = post("/api/v1/jobs", key, Map.of("prompt", "second " + key)).block();
		assertThat(reused.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
		assertThat(reused.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(reused.getBody().get("field")).isEqualTo("Idempotency-Key");
		assertThat(countPrompt("second " + key)).isZero();
	}

	@Test
	void concurrentRequestsWithOneKeyCreateOneJob() {
		String key = UUID.randomUUID().toString();
		Map<String, Object> body = Map.of("prompt", "racing " + key);
		List<ResponseEntity<Map>> answers = Flux.range(0, 8)
			.flatMap((i) -> post("/api/v1/jobs", key, body), 8)
			.collectList()
			.block();
		assertThat(answers).allSatisfy((answer) -> assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED));
		assertThat(answers.stream().map((answer) -> answer.getBody().get("id")).distinct()).hasSize(1);
		assertThat(countPrompt("racing " + key)).isEqualTo(1);
	}

	@Test
	void aBatchIsQueuedWhole() {
		String tag = "batch " + UUID.randomUUID();
		List<Map<String, Object>> jobs = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			jobs.add(Map.of("prompt", tag + " " + i, "priority", i));
		}
		ResponseEntity<Map> answer = post("/api/v1/jobs/batch", "batch-" + tag, Map.of("jobs", jobs)).block();
		assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
		assertThat((List<?>) answer.getBody().get("data")).hasSize(5);
		assertThat(countPrompt(tag + "%")).isEqualTo(5);
		ResponseEntity<Map> replay = post("/api/v1/jobs/batch", "batch-" + tag, Map.of("jobs", jobs)).block();
		assertThat(replay.getHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
		assertThat(replay.getBody().get("data")).isEqualTo(answer.getBody().get("data"));
	}

	@Test
	void oneBadJobRejectsTheWholeBatchAndNamesIt() {
		String tag = "bad batch " + UUID.randomUUID();
		List<Map<String, Object>> jobs = List.of(Map.of("prompt", tag + " ok"), Map.of("prompt", tag + " ok too"),
				Map.of("prompt", tag + " bad", "duration_seconds", 5));
		ResponseEntity<Map> answer = post("/api/v1/jobs/batch", null, Map.of("jobs", jobs)).block();
		assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(answer.getBody().get("field")).isEqualTo("jobs[2].duration_seconds");
		assertThat(countPrompt(tag + "%")).isZero();
	}

	@Test
	void aBatchOfMoreThanAHundredIsRefused() {
		List<Map<String, Object>> jobs = new ArrayList<>();
		for (int i = 0; i < 101; i++) {
			jobs.add(Map.of("prompt", "too many " + i));
		}
		ResponseEntity<Map> answer = post("/api/v1/jobs/batch", null, Map.of("jobs", jobs)).block();
		assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(answer.getBody().get("field")).isEqualTo("jobs");
	}

	@Test
	void priorityOutOfRangeNamesTheField() {
		ResponseEntity<Map> answer = post("/api/v1/jobs", null, Map.of("prompt", "urgent", "priority", 1000)).block();
		assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(answer.getBody().get("field")).isEqualTo("priority");
	}

	private Mono<ResponseEntity<Map>> post(String path, String key, Object body) {
		return WebClient.create("http://127.0.0.1:" + this.port)
			.post()
			.uri(path)
			.contentType(MediaType.APPLICATION_JSON)
			.headers((headers) -> {
				if (key != null) {
					headers.set("Idempotency-Key", key);
				}
			})
			.bodyValue(body)
			.exchangeToMono((response) -> response.toEntity(Map.class));
	}

	private long countPrompt(String pattern) {
		return this.db.sql("SELECT count(*) AS n FROM jobs WHERE prompt LIKE :p")
			.bind("p", pattern)
			.map((row) -> row.get("n", Long.class))
			.one()
			.block();
	}

}
