package dev.reelay.e2e;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One job through the whole system over real HTTP: REST submit, the dispatcher, the simulator's OpenAI contract,
 * PostgreSQL, the SSE stream and the stored video.
 */
@DirtiesContext
@ActiveProfiles("e2e")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = { "reelay.dispatch.enabled=true",
		"reelay.simulator.generation-time=2s",
		"reelay.dispatch.tick=100ms" })
class VideoJobEndToEndTests {

	private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {
	};

	@LocalServerPort
	private int port;

	@Autowired
	private JsonMapper json;

	private WebClient http() {
		return WebClient.create("http://127.0.0.1:" + this.port);
	}

	@Test
	void submitWatchProgressAndDownloadTheVideo() {
		Map<?, ?> job = submit("A calico cat playing a grand piano, end to end");
		String id = (String) job.get("id");
		assertThat(job.get("status")).isEqualTo("queued");

		List<ServerSentEvent<String>> events = http().get()
			.uri("/api/v1/jobs/{id}/events", id)
			.accept(MediaType.TEXT_EVENT_STREAM)
			.retrieve()
			.bodyToFlux(SSE)
			.filter((event) -> event.event() != null)
			.collectList()
			.block(Duration.ofSeconds(30));

		assertThat(events).isNotEmpty();
		assertThat(events.get(events.size() - 1).event()).isEqualTo("job.completed");
		assertThat(events).extracting(ServerSentEvent::event).contains("job.progress");
		List<Long> ids = events.stream().map((event) -> Long.parseLong(event.id())).toList();
		assertThat(ids).isSorted().doesNotHaveDuplicates();
		List<Integer> progress = events.stream().map((event) -> (Integer) parse(event.data()).get("progress")).toList();
		assertThat(progress).isSorted();
		assertThat(progress).anySatisfy((value) -> assertThat(value).isBetween(1, 99));
		assertThat(progress.get(progress.size() - 1)).isEqualTo(100);

		Map<?, ?> completed = parse(events.get(events.size() - 1).data());
		assertThat(completed.get("status")).isEqualTo("completed");
		assertThat(((Map<?, ?>) completed.get("links")).get("content")).isEqualTo("/api/v1/jobs/" + id + "/content");

		byte[] video = http().get().uri("/api/v1/jobs/{id}/content", id).retrieve().bodyToMono(byte[].class).block();
		assertThat(new String(Arrays.copyOfRange(video, 4, 8), StandardCharsets.US_ASCII)).isEqualTo("ftyp");
		assertThat(((Map<?, ?>) completed.get("content")).get("length")).isEqualTo(video.length);

		// The browser's player seeks with Range requests.
		StepVerifier.create(http().get()
			.uri("/api/v1/jobs/{id}/content", id)
			.header("Range", "bytes=0-99")
			.exchangeToMono((response) -> response.toEntity(byte[].class)))
			.assertNext((partial) -> {
				assertThat(partial.getStatusCode()).isEqualTo(HttpStatus.PARTIAL_CONTENT);
				assertThat(partial.getBody()).hasSize(100);
				assertThat(partial.getHeaders().getFirst("Content-Range")).isEqualTo("bytes 0-99/" + video.length);
			})
			.verifyComplete();

		// Beyond the end: nothing to send, and the length to ask within.
		StepVerifier.create(http().get()
			.uri("/api/v1/jobs/{id}/content", id)
			.header("Range", "bytes=" + video.length + "-")
			.exchangeToMono((response) -> response.toEntity(byte[].class)))
			.assertNext((refused) -> {
				assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
				assertThat(refused.getHeaders().getFirst("Content-Range")).isEqualTo("bytes */" + video.length);
			})
			.verifyComplete();

		// The simulator offers a thumbnail, as OpenAI does: saved with the video and served beside it.
		assertThat(completed.get("thumbnail_url")).isEqualTo("/api/v1/jobs/" + id + "/thumbnail");
		StepVerifier.create(http().get()
			.uri((String) completed.get("thumbnail_url"))
			.exchangeToMono((response) -> response.toEntity(byte[].class)))
			.assertNext((thumbnail) -> {
				assertThat(thumbnail.getStatusCode()).isEqualTo(HttpStatus.OK);
				assertThat(thumbnail.getHeaders().getContentType()).hasToString("image/webp");
				assertThat(new String(Arrays.copyOfRange(thumbnail.getBody(), 8, 12), StandardCharsets.US_ASCII))
					.isEqualTo("WEBP");
			})
			.verifyComplete();

		// A client that reconnects after the second event gets exactly the rest, from the log.
		String resumeFrom = events.get(1).id();
		List<String> replayed = http().get()
			.uri("/api/v1/jobs/{id}/events", id)
			.header("Last-Event-ID", resumeFrom)
			.retrieve()
			.bodyToFlux(SSE)
			.filter((event) -> event.event() != null)
			.map(ServerSentEvent::id)
			.collectList()
			.block(Duration.ofSeconds(10));
		assertThat(replayed).containsExactlyElementsOf(events.subList(2, events.size()).stream().map(ServerSentEvent::id).toList());
	}

	@Test
	void aFinishedJobsStreamSendsItsFinalStateAndEnds() {
		String id = (String) submit("A short clip to watch after the fact").get("id");
		http().get()
			.uri("/api/v1/jobs/{id}/events", id)
			.retrieve()
			.bodyToFlux(SSE)
			.filter((event) -> "job.completed".equals(event.event()))
			.blockFirst(Duration.ofSeconds(30));
		StepVerifier.create(http().get().uri("/api/v1/jobs/{id}/events", id).retrieve().bodyToFlux(SSE)
			.filter((event) -> event.event() != null))
			.assertNext((event) -> assertThat(event.event()).isEqualTo("job.completed"))
			.expectComplete()
			.verify(Duration.ofSeconds(10));
	}

	@Test
	void theAllJobsStreamShowsAJobSubmittedElsewhere() {
		Flux<ServerSentEvent<String>> all = http().get().uri("/api/v1/events").retrieve().bodyToFlux(SSE);
		String prompt = "Seen on the all-jobs stream";
		StepVerifier.create(all.filter((event) -> "ready".equals(event.comment())
				|| (event.data() != null && event.data().contains(prompt))).take(2))
			.assertNext((ready) -> assertThat(ready.comment()).isEqualTo("ready"))
			.then(() -> submit(prompt))
			.assertNext((event) -> assertThat(event.event()).isEqualTo("job.queued"))
			.thenCancel()
			.verify(Duration.ofSeconds(15));
	}

	@Test
	void aJobWithoutAThumbnailAnswersAProblem() {
		String id = (String) submit("No thumbnail until it is done").get("id");
		StepVerifier.create(http().get()
			.uri("/api/v1/jobs/{id}/thumbnail", id)
			.exchangeToMono((response) -> response.toEntity(Map.class)))
			.assertNext((missing) -> {
				assertThat(missing.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
				assertThat(missing.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
				assertThat((String) missing.getBody().get("detail")).startsWith("Job " + id + " has no thumbnail");
			})
			.verifyComplete();
	}

	@Test
	void aRejectedJobStoresNothing() {
		String prompt = "rejected-" + System.nanoTime();
		http().post()
			.uri("/api/v1/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", prompt, "duration_seconds", 5))
			.exchangeToMono((response) -> {
				assertThat(response.statusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
				return response.releaseBody();
			})
			.block();
		Map<?, ?> page = http().get().uri("/api/v1/jobs?limit=100").retrieve().bodyToMono(Map.class).block();
		assertThat((List<?>) page.get("data")).noneSatisfy((job) -> assertThat(((Map<?, ?>) job).get("prompt")).isEqualTo(prompt));
	}

	private Map<?, ?> submit(String prompt) {
		return http().post()
			.uri("/api/v1/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", prompt, "duration_seconds", 4))
			.retrieve()
			.bodyToMono(Map.class)
			.block();
	}

	private Map<?, ?> parse(String data) {
		return this.json.readValue(data, Map.class);
	}

}
