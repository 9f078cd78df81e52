package dev.reelay.job;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import dev.reelay.storage.StoredFile;
import dev.reelay.storage.VideoStorage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code DELETE /api/v1/jobs/{id}} over real HTTP on the real database: only a finished job goes; its stored video and
 * thumbnail leave storage, the API no longer finds or lists it, and the streams hear {@code job.deleted}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "reelay.dispatch.enabled=false")
class JobDeletionTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {
	};

	@LocalServerPort
	private int port;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private VideoStorage storage;

	private WebTestClient http;

	@BeforeEach
	void client() {
		this.http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.port).responseTimeout(WAIT).build();
	}

	@Test
	void aJobThatHasNotEndedIsNotDeleted() {
		String job = submit("still queued " + UUID.randomUUID());
		this.http.delete().uri("/api/v1/jobs/{id}", job).exchange()
			.expectStatus().isEqualTo(409)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.detail").value((String detail) -> assertThat(detail).contains("is queued").contains("cancel it first"));
		this.http.get().uri("/api/v1/jobs/{id}", job).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("queued");
	}

	@Test
	void aCompletedJobLosesItsFilesAndIsNoLongerFoundOrListed() {
		String prompt = "completed then deleted " + UUID.randomUUID();
		String job = submit(prompt);
		StoredFile video = store("video-" + job, "video/mp4", "not really a video");
		StoredFile thumbnail = store("thumb-" + job, "image/jpeg", "not really a picture");
		this.db.sql("UPDATE jobs SET status = 'completed', progress = 100, completed_at = now(), content_path = :path, "
				+ "content_type = 'video/mp4', content_length = :length, content_sha256 = :sha, thumbnail = CAST(:thumb AS jsonb), "
				+ "version = version + 1 WHERE id = :id")
			.bind("path", video.location())
			.bind("length", video.length())
			.bind("sha", video.sha256())
			.bind("thumb", "{\"location\":\"" + thumbnail.location() + "\",\"content_type\":\"image/jpeg\",\"length\":"
					+ thumbnail.length() + ",\"sha256\":\"" + thumbnail.sha256() + "\"}")
			.bind("id", UUID.fromString(job))
			.fetch().rowsUpdated().block(WAIT);
		this.http.get().uri("/api/v1/jobs/{id}/content", job).exchange().expectStatus().isOk();

		Flux<ServerSentEvent<String>> events = WebClient.create("http://127.0.0.1:" + this.port)
			.get().uri("/api/v1/events").accept(MediaType.TEXT_EVENT_STREAM)
			.retrieve().bodyToFlux(SSE)
			.filter((event) -> event.data() != null || "ready".equals(event.comment()));
		StepVerifier.create(events)
			.expectNextMatches((event) -> "ready".equals(event.comment()))
			.then(() -> this.http.delete().uri("/api/v1/jobs/{id}", job).exchange().expectStatus().isNoContent())
			.assertNext((event) -> {
				assertThat(event.event()).isEqualTo("job.deleted");
				assertThat(event.data()).contains(job).contains("\"deleted\":true").doesNotContain(prompt);
			})
			.thenCancel()
			.verify(WAIT);

		assertThat(this.storage.read(video.location(), 0, 0).blockOptional(WAIT)).as("video in storage").isEmpty();
		assertThat(this.storage.read(thumbnail.location(), 0, 0).blockOptional(WAIT)).as("thumbnail").isEmpty();
		this.http.get().uri("/api/v1/jobs/{id}", job).exchange().expectStatus().isNotFound();
		this.http.get().uri("/api/v1/jobs/{id}/content", job).exchange().expectStatus().isNotFound();
		this.http.delete().uri("/api/v1/jobs/{id}", job).exchange().expectStatus().isNotFound();
		this.http.get().uri("/api/v1/jobs?limit=100").exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.data[?(@.id == '" + job + "')]").doesNotExist();
		Map<String, Object> row = this.db.sql("SELECT prompt, content_path, deleted_at IS NOT NULL AS deleted FROM jobs WHERE id = :id")
			.bind("id", UUID.fromString(job)).fetch().one().block(WAIT);
		assertThat(row).containsEntry("prompt", "").containsEntry("deleted", true);
		assertThat(row.get("content_path")).isNull();
	}

	@Test
	void aCanceledJobWithoutAVideoIsDeleted() {
		String job = submit("canceled then deleted " + UUID.randomUUID());
		this.http.post().uri("/api/v1/jobs/{id}/cancel", job).exchange().expectStatus().isOk();
		this.http.delete().uri("/api/v1/jobs/{id}", job).exchange().expectStatus().isNoContent();
		this.http.get().uri("/api/v1/jobs/{id}", job).exchange().expectStatus().isNotFound();
		this.http.post().uri("/api/v1/jobs/{id}/retry", job).exchange().expectStatus().isNotFound();
	}

	@Test
	void anUnknownJobIsNotFound() {
		this.http.delete().uri("/api/v1/jobs/{id}", UUID.randomUUID()).exchange()
			.expectStatus().isNotFound()
			.expectBody().jsonPath("$.title").isEqualTo("Job not found");
	}

	private StoredFile store(String name, String type, String text) {
		DataBuffer bytes = DefaultDataBufferFactory.sharedInstance.wrap(text.getBytes(StandardCharsets.UTF_8));
		StoredFile stored = this.storage.store(name, type, Flux.just(bytes)).block(WAIT);
		assertThat(this.storage.read(stored.location(), 0, 0).flatMapMany((body) -> body)
			.doOnNext(DataBufferUtils::release).count().block(WAIT)).isEqualTo(1);
		return stored;
	}

	private String submit(String prompt) {
		return (String) this.http.post().uri("/api/v1/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", prompt, "duration_seconds", 4))
			.exchange()
			.expectStatus().isAccepted()
			.expectBody(Map.class).returnResult().getResponseBody().get("id");
	}

}
