package dev.reelay.tenant;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two tenants on one Reelay over real HTTP: tenant B can neither read, list, stream, cancel, retry, remix from nor
 * download tenant A's jobs, and sees none of them in the all-jobs stream or the dashboard; every such attempt is the
 * 404 of a job that does not exist.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.dispatch.enabled=false", "reelay.security.admin-key=" + AdminClient.ADMIN_KEY,
				"reelay.simulator.enabled=true" })
class TenantIsolationTests extends TwoTenantsTestSupport {

	private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {
	};

	TenantIsolationTests() {
		super("tenant");
	}

	@Test
	void anotherTenantsJobIsNotFoundWhateverIsAsked() {
		String job = submit(this.a, "A's secret prompt");
		String missing = UUID.randomUUID().toString();

		for (String id : List.of(job, missing)) {
			notFound(this.http.get().uri("/api/v1/jobs/{id}", id), this.b);
			notFound(this.http.get().uri("/api/v1/jobs/{id}/content", id), this.b);
			notFound(this.http.get().uri("/api/v1/jobs/{id}/thumbnail", id), this.b);
			// An event stream's 404 has no problem body (the client asked for text/event-stream only), as for any id.
			as(this.b, this.http.get().uri("/api/v1/jobs/{id}/events", id).accept(MediaType.TEXT_EVENT_STREAM)).exchange()
				.expectStatus().isNotFound();
			notFound(this.http.post().uri("/api/v1/jobs/{id}/cancel", id), this.b);
			notFound(this.http.post().uri("/api/v1/jobs/{id}/retry", id), this.b);
			notFound(this.http.delete().uri("/api/v1/jobs/{id}", id), this.b);
			as(this.b, this.http.post().uri("/api/v1/jobs"))
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("prompt", "a remix", "remix_of", id))
				.exchange()
				.expectStatus()
				.isBadRequest()
				.expectBody()
				.jsonPath("$.field").isEqualTo("remix_of")
				.jsonPath("$.detail").isEqualTo("no job with id " + id + " to remix");
		}

		// Still A's, untouched: queued, readable, and A's own remix attempt gets past "not found".
		as(this.a, this.http.get().uri("/api/v1/jobs/{id}", job)).exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("queued");
		as(this.a, this.http.get().uri("/api/v1/jobs/{id}/content", job)).exchange().expectStatus().isEqualTo(409);
		as(this.a, this.http.post().uri("/api/v1/jobs"))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", "a remix", "remix_of", job))
			.exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.detail").value((String detail) -> assertThat(detail).contains("is queued"));
		as(this.a, this.http.post().uri("/api/v1/jobs/{id}/cancel", job)).exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("canceled");
		notFound(this.http.post().uri("/api/v1/jobs/{id}/retry", job), this.b);
		as(this.a, this.http.post().uri("/api/v1/jobs/{id}/retry", job)).exchange().expectStatus().isAccepted();
		// Ended now: B still cannot delete it, A can.
		notFound(this.http.delete().uri("/api/v1/jobs/{id}", job), this.b);
		as(this.a, this.http.delete().uri("/api/v1/jobs/{id}", job)).exchange().expectStatus().isNoContent();
	}

	@Test
	void listsHoldOnlyTheCallersJobs() {
		String ofA = submit(this.a, "listed for A");
		String ofB = submit(this.b, "listed for B");
		assertThat(ids(this.a)).contains(ofA).doesNotContain(ofB);
		assertThat(ids(this.b)).containsExactly(ofB);
	}

	@Test
	void theDashboardCountsOnlyTheCallersJobs() {
		submit(this.a, "counted for A");
		submit(this.a, "counted for A again");
		submit(this.b, "counted for B");
		Map<?, ?> activity = as(this.b, this.http.get().uri("/api/v1/activity?minutes=5")).exchange()
			.expectStatus().isOk()
			.expectBody(Map.class).returnResult().getResponseBody();
		long total = ((List<?>) activity.get("buckets")).stream()
			.flatMap((bucket) -> ((Map<?, ?>) ((Map<?, ?>) bucket).get("counts")).values().stream())
			.mapToLong((count) -> ((Number) count).longValue())
			.sum();
		assertThat(total).isEqualTo(1);
		as(this.b, this.http.get().uri("/api/v1/providers")).exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.data[?(@.name == 'simulator')].queued").isEqualTo(1);
	}

	@Test
	void theAllJobsStreamCarriesOnlyTheCallersEvents() {
		Flux<String> lines = Flux.merge(stream(this.b, "/api/v1/events").map((event) -> "B " + describe(event)),
				stream(this.a, "/api/v1/events?status=queued").map((event) -> "A " + describe(event)))
			.filter((line) -> !line.endsWith(" heartbeat"));
		// Each stream says it is ready once registered with the log tail; A's job goes first, so a stream that let
		// other tenants' events through would show it to B before B's own.
		StepVerifier.create(lines)
			.expectNextMatches((line) -> line.endsWith(" ready"))
			.expectNextMatches((line) -> line.endsWith(" ready"))
			.then(() -> submit(this.a, "streamed for A only"))
			.then(() -> submit(this.b, "streamed for B"))
			.expectNextMatches(TenantIsolationTests::ownEvent)
			.expectNextMatches(TenantIsolationTests::ownEvent)
			.thenCancel()
			.verify(WAIT);
	}

	private static boolean ownEvent(String line) {
		return line.startsWith("A ") ? line.contains("streamed for A only") : line.contains("streamed for B");
	}

	private static String describe(ServerSentEvent<String> event) {
		if (event.data() != null) {
			return event.event() + " " + event.data();
		}
		return "ready".equals(event.comment()) ? "ready" : "heartbeat";
	}

	@Test
	void oneJobsStreamOpensOnlyForItsTenant() {
		String job = submit(this.a, "A's own stream");
		StepVerifier.create(stream(this.a, "/api/v1/jobs/" + job + "/events").filter((event) -> event.data() != null))
			.assertNext((event) -> {
				assertThat(event.event()).isEqualTo("job.queued");
				assertThat(event.data()).contains(job);
			})
			.thenCancel()
			.verify(WAIT);
	}

	@Test
	void idempotencyKeysBelongToTheirTenant() {
		String key = "order-" + UUID.randomUUID();
		String first = submit(this.a, "idempotent for A", key);
		String other = submit(this.b, "idempotent for B", key);
		assertThat(other).isNotEqualTo(first);
		assertThat(submit(this.a, "idempotent for A", key)).as("A's replay").isEqualTo(first);
		assertThat(submit(this.b, "idempotent for B", key)).as("B's replay").isEqualTo(other);
	}

	private List<String> ids(String key) {
		Map<?, ?> page = as(key, this.http.get().uri("/api/v1/jobs?limit=100")).exchange()
			.expectStatus().isOk()
			.expectBody(Map.class).returnResult().getResponseBody();
		return ((List<?>) page.get("data")).stream().map((job) -> (String) ((Map<?, ?>) job).get("id")).toList();
	}

	private void notFound(WebTestClient.RequestHeadersSpec<?> request, String key) {
		request.header("Authorization", "Bearer " + key)
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.title").isEqualTo("Job not found");
	}

	private Flux<ServerSentEvent<String>> stream(String key, String uri) {
		return WebClient.create("http://127.0.0.1:" + this.port)
			.get()
			.uri(uri)
			.header("Authorization", "Bearer " + key)
			.accept(MediaType.TEXT_EVENT_STREAM)
			.retrieve()
			.bodyToFlux(SSE);
	}

}
