package dev.reelay.e2e;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import dev.reelay.storage.S3StandIn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job through the whole system with videos in an S3-compatible bucket (the stand-in, over real HTTP): the video
 * and its thumbnail land in the bucket, and the API serves both from there, Range requests included.
 */
@DirtiesContext
@Import(OtherClassesJobsHeld.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.dispatch.enabled=true", "reelay.simulator.generation-time=1s",
				"reelay.providers.instances.simulator.poll-interval=200ms", "reelay.dispatch.tick=100ms",
				"reelay.storage.type=s3", "reelay.storage.s3.bucket=" + S3StandIn.BUCKET,
				"reelay.storage.s3.region=" + S3StandIn.REGION, "reelay.storage.s3.path-style=true",
				"reelay.storage.s3.prefix=e2e/", "reelay.storage.s3.access-key=" + S3StandIn.ACCESS_KEY,
				"reelay.storage.s3.secret-key=" + S3StandIn.SECRET_KEY })
class S3StorageEndToEndTests {

	private static final S3StandIn S3 = new S3StandIn();

	private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {
	};

	@LocalServerPort
	private int port;

	@Autowired
	private JsonMapper json;

	@DynamicPropertySource
	static void bucket(DynamicPropertyRegistry registry) {
		registry.add("reelay.storage.s3.endpoint", S3::endpoint);
	}

	@AfterAll
	static void close() {
		S3.close();
	}

	@Test
	void theVideoAndItsThumbnailAreServedFromTheBucketWithRanges() {
		WebClient http = WebClient.create("http://127.0.0.1:" + this.port);
		Map<?, ?> submitted = http.post()
			.uri("/api/v1/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			// Ahead of the jobs other test classes left queued in the shared database, which this dispatcher also works.
			.bodyValue(Map.of("prompt", "A lighthouse in a storm, kept in a bucket", "duration_seconds", 4, "priority",
					100))
			.retrieve()
			.bodyToMono(Map.class)
			.block();
		String id = (String) submitted.get("id");
		ServerSentEvent<String> done = http.get()
			.uri("/api/v1/jobs/{id}/events", id)
			.retrieve()
			.bodyToFlux(SSE)
			.filter((event) -> "job.completed".equals(event.event()) || "job.failed".equals(event.event()))
			.blockFirst(Duration.ofSeconds(30));
		Map<?, ?> job = this.json.readValue(done.data(), Map.class);
		assertThat(job.get("status")).isEqualTo("completed");
		assertThat(job.get("thumbnail_url")).isEqualTo("/api/v1/jobs/" + id + "/thumbnail");

		byte[] video = S3.object("e2e/" + id + ".mp4").bytes();
		assertThat(((Map<?, ?>) job.get("content")).get("length")).isEqualTo(video.length);
		byte[] served = http.get().uri("/api/v1/jobs/{id}/content", id).retrieve().bodyToMono(byte[].class).block();
		assertThat(served).isEqualTo(video);

		StepVerifier.create(http.get()
			.uri("/api/v1/jobs/{id}/content", id)
			.header("Range", "bytes=1000-")
			.exchangeToMono((response) -> response.toEntity(byte[].class)))
			.assertNext((partial) -> {
				assertThat(partial.getStatusCode()).isEqualTo(HttpStatus.PARTIAL_CONTENT);
				assertThat(partial.getHeaders().getFirst("Content-Range"))
					.isEqualTo("bytes 1000-" + (video.length - 1) + "/" + video.length);
				assertThat(partial.getBody()).isEqualTo(Arrays.copyOfRange(video, 1000, video.length));
			})
			.verifyComplete();
		assertThat(S3.requests).contains("GET e2e/" + id + ".mp4 bytes=1000-" + (video.length - 1));

		ResponseEntity<byte[]> thumbnail = http.get()
			.uri("/api/v1/jobs/{id}/thumbnail", id)
			.exchangeToMono((response) -> response.toEntity(byte[].class))
			.block();
		assertThat(thumbnail.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(thumbnail.getHeaders().getContentType()).isEqualTo(MediaType.parseMediaType("image/webp"));
		assertThat(thumbnail.getBody()).isEqualTo(S3.object("e2e/" + id + "-thumbnail.webp").bytes());
	}

}
