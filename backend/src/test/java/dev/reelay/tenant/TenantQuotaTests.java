package dev.reelay.tenant;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Per-tenant quotas over real HTTP, with small quotas of this test's own: the job past the queued quota is a 429
 * problem that names the quota and stores nothing (a batch is refused whole), concurrent submissions never take a
 * tenant past it, and the stream past the stream quota is a 429 until one of the tenant's streams closes. Other
 * tenants are never affected.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.dispatch.enabled=false", "reelay.security.admin-key=" + AdminClient.ADMIN_KEY,
				"reelay.simulator.enabled=true", "reelay.quotas.max-queued-jobs=5", "reelay.quotas.max-streams=2",
				"reelay.quotas.queued-retry-after=45s" })
class TenantQuotaTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	@LocalServerPort
	private int port;

	@Autowired
	private DatabaseClient db;

	private WebTestClient http;

	private AdminClient admin;

	private final List<Disposable> streams = new ArrayList<>();

	@BeforeEach
	void client() {
		this.http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.port).responseTimeout(WAIT).build();
		this.admin = new AdminClient(this.http);
	}

	@AfterEach
	void closeStreams() {
		this.streams.forEach(Disposable::dispose);
	}

	@Test
	void theJobPastTheQueuedQuotaIsRefusedAndNothingIsStored() {
		UUID a = this.admin.tenant("queue filler");
		String aKey = this.admin.key(a);
		UUID b = this.admin.tenant("bystander");
		String bKey = this.admin.key(b);
		for (int i = 0; i < 5; i++) {
			submit(aKey, "job " + i).expectStatus().isAccepted();
		}

		submit(aKey, "one too many").expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader()
			.valueEquals("Retry-After", "45")
			.expectBody()
			.jsonPath("$.title").isEqualTo("Quota exceeded")
			.jsonPath("$.quota").isEqualTo("max-queued-jobs")
			.jsonPath("$.limit").isEqualTo(5)
			.jsonPath("$.detail").value((String detail) -> assertThat(detail).contains("at most 5 jobs queued")
				.contains("max-queued-jobs")
				.contains("nothing was stored")
				.doesNotContain("Exception"));
		assertThat(jobs(a)).isEqualTo(5);
		assertThat(events(a)).isEqualTo(5);

		// Another tenant submits as usual.
		submit(bKey, "B's job").expectStatus().isAccepted();
		assertThat(jobs(b)).isEqualTo(1);
	}

	@Test
	void aBatchPastTheQueuedQuotaIsRefusedWhole() {
		UUID tenant = this.admin.tenant("batcher");
		String key = this.admin.key(tenant);
		submit(key, "first").expectStatus().isAccepted();
		submit(key, "second").expectStatus().isAccepted();

		batch(key, 4).expectStatus()
			.isEqualTo(429)
			.expectBody()
			.jsonPath("$.quota").isEqualTo("max-queued-jobs")
			.jsonPath("$.detail").value((String detail) -> assertThat(detail).contains("these 4 jobs were not accepted"));
		assertThat(jobs(tenant)).isEqualTo(2);

		batch(key, 3).expectStatus().isAccepted();
		assertThat(jobs(tenant)).isEqualTo(5);
	}

	@Test
	void concurrentSubmissionsNeverTakeATenantPastItsQueuedQuota() {
		UUID tenant = this.admin.tenant("racer");
		String key = this.admin.key(tenant);
		submit(key, "already queued").expectStatus().isAccepted();
		WebClient client = WebClient.create("http://127.0.0.1:" + this.port);

		// 20 at once for the 4 places left.
		List<Integer> statuses = Flux.range(0, 20)
			.flatMap((i) -> client.post()
				.uri("/api/v1/jobs")
				.header("Authorization", "Bearer " + key)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("prompt", "race " + i, "duration_seconds", 4))
				.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value())), 20)
			.collectList()
			.block(WAIT);

		assertThat(statuses).filteredOn((status) -> status == 202).hasSize(4);
		assertThat(statuses).filteredOn((status) -> status == 429).hasSize(16);
		assertThat(jobs(tenant)).isEqualTo(5);
	}

	@Test
	void repeatsOfOneIdempotentSubmissionForTheLastPlaceAllGetItsJob() {
		UUID tenant = this.admin.tenant("retrier");
		String key = this.admin.key(tenant);
		for (int i = 0; i < 4; i++) {
			submit(key, "job " + i).expectStatus().isAccepted();
		}
		WebClient client = WebClient.create("http://127.0.0.1:" + this.port);

		// A client retrying one request at once: whichever stores it, the others replay it, none is refused.
		List<String> answers = Flux.range(0, 10)
			.flatMap((i) -> client.post()
				.uri("/api/v1/jobs")
				.header("Authorization", "Bearer " + key)
				.header("Idempotency-Key", "last-place")
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("prompt", "the last one", "duration_seconds", 4))
				.exchangeToMono((response) -> response.bodyToMono(Map.class)
					.map((body) -> response.statusCode().value() + " " + body.get("id"))), 10)
			.collectList()
			.block(WAIT);

		assertThat(answers).hasSize(10).allSatisfy((answer) -> assertThat(answer).startsWith("20"));
		assertThat(answers.stream().map((answer) -> answer.substring(4)).distinct()).hasSize(1);
		assertThat(jobs(tenant)).isEqualTo(5);
	}

	@Test
	void theStreamPastTheStreamQuotaIsRefusedUntilOneCloses() {
		UUID a = this.admin.tenant("watcher");
		String aKey = this.admin.key(a);
		String bKey = this.admin.newTenantKey("other watcher");
		String job = (String) submit(aKey, "watched").expectStatus()
			.isAccepted()
			.expectBody(Map.class)
			.returnResult()
			.getResponseBody()
			.get("id");
		// Both kinds of stream count: one of a job, one of all jobs.
		Held first = open(aKey, "/api/v1/jobs/" + job + "/events");
		Held second = open(aKey, "/api/v1/events");
		assertThat(first.status()).isEqualTo(200);
		assertThat(second.status()).isEqualTo(200);

		for (String uri : List.of("/api/v1/events", "/api/v1/jobs/" + job + "/events")) {
			this.http.get()
				.uri(uri)
				.header("Authorization", "Bearer " + aKey)
				.accept(MediaType.TEXT_EVENT_STREAM, MediaType.APPLICATION_PROBLEM_JSON)
				.exchange()
				.expectStatus()
				.isEqualTo(429)
				.expectHeader()
				.contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody()
				.jsonPath("$.title").isEqualTo("Quota exceeded")
				.jsonPath("$.quota").isEqualTo("max-streams")
				.jsonPath("$.limit").isEqualTo(2)
				.jsonPath("$.detail").value((String detail) -> assertThat(detail).contains("at most 2 open at once"));
		}
		// Another tenant's streams are its own.
		assertThat(open(bKey, "/api/v1/events").status()).isEqualTo(200);

		// Closing one of A's streams frees its place (once the server has seen the connection go).
		first.stream().dispose();
		await().atMost(WAIT).until(() -> open(aKey, "/api/v1/events").status() == 200);
		assertThat(open(aKey, "/api/v1/events").status()).isEqualTo(429);
	}

	private WebTestClient.ResponseSpec submit(String key, String prompt) {
		return this.http.post()
			.uri("/api/v1/jobs")
			.header("Authorization", "Bearer " + key)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", prompt, "duration_seconds", 4))
			.exchange();
	}

	private WebTestClient.ResponseSpec batch(String key, int size) {
		List<Map<String, Object>> jobs = new ArrayList<>();
		for (int i = 0; i < size; i++) {
			jobs.add(Map.of("prompt", "batch job " + i, "duration_seconds", 4));
		}
		return this.http.post()
			.uri("/api/v1/jobs/batch")
			.header("Authorization", "Bearer " + key)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("jobs", jobs))
			.exchange();
	}

	/** Opens an event stream and keeps it open (until the test ends); answers its status once the headers are in. */
	private Held open(String key, String uri) {
		Sinks.One<Integer> status = Sinks.one();
		Disposable stream = WebClient.create("http://127.0.0.1:" + this.port)
			.get()
			.uri(uri)
			.header("Authorization", "Bearer " + key)
			.accept(MediaType.TEXT_EVENT_STREAM, MediaType.APPLICATION_PROBLEM_JSON)
			.exchangeToFlux((response) -> {
				status.tryEmitValue(response.statusCode().value());
				return response.statusCode().is2xxSuccessful() ? response.bodyToFlux(String.class)
						: response.releaseBody().thenMany(Flux.empty());
			})
			.subscribe();
		this.streams.add(stream);
		return new Held(status.asMono().block(WAIT), stream);
	}

	private long jobs(UUID tenant) {
		return count("SELECT count(*) AS n FROM jobs WHERE tenant_id = :tenant", tenant);
	}

	private long events(UUID tenant) {
		return count("SELECT count(*) AS n FROM job_events e JOIN jobs j ON j.id = e.job_id WHERE j.tenant_id = :tenant",
				tenant);
	}

	private long count(String sql, UUID tenant) {
		return this.db.sql(sql).bind("tenant", tenant).map((row) -> row.get("n", Long.class)).one().block(WAIT);
	}

	private record Held(int status, Disposable stream) {
	}

}
