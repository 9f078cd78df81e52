package dev.reelay.callback;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs submitted over the API with a callback URL reach a receiver over real HTTP, signed so that the public
 * scheme verifies them; failures are retried on the (short, test) schedule, logged, replayable.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.callbacks.enabled=true", "reelay.callbacks.allow-http=true",
				"reelay.callbacks.allow-private-addresses=true", "reelay.callbacks.schedule=0s,300ms,300ms",
				"reelay.callbacks.poll=100ms", "reelay.callbacks.lease=5s", "reelay.callbacks.connect-timeout=1s",
				"reelay.callbacks.response-timeout=1s", "reelay.callbacks.response-excerpt=1KB" })
@DirtiesContext
class WebhookDeliveryTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final Receiver receiver = new Receiver();

	@LocalServerPort
	private int port;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private ObjectMapper json;

	@Autowired
	private MeterRegistry meters;

	@AfterAll
	static void closeReceiver() {
		receiver.close();
	}

	@AfterEach
	void noDefaultUrl() {
		// Contexts share the database: a default URL left behind would catch every later test's jobs.
		http().put().uri("/api/v1/callbacks/settings").bodyValue(Map.of()).exchange().expectStatus().isOk();
	}

	private WebTestClient http() {
		return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.port).responseTimeout(WAIT).build();
	}

	private String secret() {
		return (String) settings().get("secret");
	}

	private Map<String, Object> settings() {
		return http().get().uri("/api/v1/callbacks/settings").exchange().expectStatus().isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody();
	}

	private Map<String, Object> submit(Map<String, Object> body) {
		return http().post().uri("/api/v1/jobs").bodyValue(body).exchange().expectStatus().isAccepted()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody();
	}

	private List<Map<String, Object>> deliveries(Object jobId) {
		return http().get().uri("/api/v1/callbacks/deliveries?job_id=" + jobId).exchange().expectStatus().isOk()
			.expectBody(new ParameterizedTypeReference<List<Map<String, Object>>>() {
			}).returnResult().getResponseBody();
	}

	@SuppressWarnings("unchecked")
	private List<Map<String, Object>> attempts(Map<String, Object> delivery) {
		return (List<Map<String, Object>>) delivery.get("attempts");
	}

	private Map<String, Object> awaitDelivery(Object jobId, String status, int attempts) {
		return Flux.interval(Duration.ofMillis(50))
			.onBackpressureDrop()
			.concatMap((tick) -> Mono.fromCallable(() -> deliveries(jobId)).subscribeOn(Schedulers.boundedElastic()))
			.filter((list) -> list.size() == 1 && status.equals(list.get(0).get("status"))
					&& attempts(list.get(0)).size() == attempts)
			.next()
			.map((list) -> list.get(0))
			.timeout(WAIT, Mono.error(() -> new AssertionError(
					"no " + status + " delivery with " + attempts + " attempts for job " + jobId + ": "
							+ deliveries(jobId))))
			.block();
	}

	@Test
	void aReceiverVerifiesEachStateChangeWithThePublicScheme() {
		String path = "/signed-" + UUID.randomUUID();
		Map<String, Object> job = submit(Map.of("prompt", "webhooks please", "callback_url", receiver.url(path)));
		@SuppressWarnings("unchecked")
		Map<String, Object> parameters = (Map<String, Object>) job.get("parameters");
		assertThat(parameters.get("callback_url")).isEqualTo(receiver.url(path));
		List<Receiver.Received> queued = receiver.await(path, 1, WAIT);
		http().post().uri("/api/v1/jobs/" + job.get("id") + "/cancel").exchange().expectStatus().isOk();
		List<Receiver.Received> both = receiver.await(path, 2, WAIT);

		String secret = secret();
		assertThat(secret).startsWith("whsec_");
		assertThat(both).allSatisfy((message) -> {
			assertThat(PublicScheme.verifies(secret, message)).as("signature verifies").isTrue();
			assertThat(message.header("content-type")).startsWith("application/json");
		});
		JsonNode first = this.json.readTree(queued.get(0).text());
		JsonNode second = this.json.readTree(both.get(1).text());
		assertThat(first.get("type").asString()).isEqualTo("job.queued");
		assertThat(second.get("type").asString()).isEqualTo("job.canceled");
		assertThat(first.get("data").get("id").asString()).isEqualTo(job.get("id"));
		assertThat(second.get("data").get("status").asString()).isEqualTo("canceled");
		assertThat(first.get("timestamp").asString()).endsWith("Z");
		assertThat(both.get(0).header("webhook-id")).startsWith("msg_").isNotEqualTo(both.get(1).header("webhook-id"));
		assertThat(deliveries(job.get("id"))).extracting((delivery) -> delivery.get("event_type"))
			.containsExactlyInAnyOrder("job.queued", "job.canceled");

		// Deleting the ended job is a state of its own for a receiver, not a second "canceled".
		http().delete().uri("/api/v1/jobs/" + job.get("id")).exchange().expectStatus().isNoContent();
		JsonNode third = this.json.readTree(receiver.await(path, 3, WAIT).get(2).text());
		assertThat(third.get("type").asString()).isEqualTo("job.deleted");
		assertThat(third.get("data").get("deleted").asBoolean()).isTrue();
		assertThat(PublicScheme.verifies(secret, receiver.await(path, 3, WAIT).get(2))).isTrue();
	}

	@Test
	void failuresAreRetriedOnTheScheduleUntilTheReceiverTakesIt() {
		String path = "/flaky-" + UUID.randomUUID();
		receiver.answer(path, 500, 503);
		Map<String, Object> job = submit(Map.of("prompt", "retry me", "callback_url", receiver.url(path)));
		List<Receiver.Received> tries = receiver.await(path, 3, WAIT);
		assertThat(tries).extracting((message) -> message.header("webhook-id")).containsOnly(
				tries.get(0).header("webhook-id"));
		assertThat(tries).extracting(Receiver.Received::text).containsOnly(tries.get(0).text());
		// The schedule waits 300 ms before each retry.
		assertThat(Duration.between(tries.get(0).at(), tries.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(250));
		assertThat(Duration.between(tries.get(1).at(), tries.get(2).at())).isGreaterThanOrEqualTo(Duration.ofMillis(250));
		Map<String, Object> delivery = awaitDelivery(job.get("id"), "delivered", 3);
		assertThat(attempts(delivery)).extracting((attempt) -> attempt.get("status_code")).containsExactly(500, 503, 200);
		assertThat(attempts(delivery)).extracting((attempt) -> attempt.get("response_excerpt"))
			.containsExactly("status 500", "status 503", "ok");
		assertThat(delivery.get("event_type")).isEqualTo("job.queued");
		assertThat(delivery.get("delivered_at")).isNotNull();
		assertThat(this.meters.get("reelay.callbacks.attempts").tag("outcome", "retry").counter().count())
			.isGreaterThanOrEqualTo(2);
		assertThat(this.meters.get("reelay.callbacks.attempts").tag("outcome", "delivered").counter().count())
			.isGreaterThanOrEqualTo(1);
	}

	@Test
	void aDeliveryFailsWhenTheScheduleRunsOut() {
		String path = "/down-" + UUID.randomUUID();
		receiver.answer(path, 500, 500, 500, 500);
		Map<String, Object> job = submit(Map.of("prompt", "nobody home", "callback_url", receiver.url(path)));
		Map<String, Object> delivery = awaitDelivery(job.get("id"), "failed", 3);
		assertThat(delivery.get("last_error")).asString().contains("gave up after 3 attempts");
		assertThat(receiver.at(path)).hasSize(3);
	}

	@Test
	void goneStopsAtOnce() {
		String path = "/gone-" + UUID.randomUUID();
		receiver.answer(path, 410);
		Map<String, Object> job = submit(Map.of("prompt", "gone", "callback_url", receiver.url(path)));
		Map<String, Object> delivery = awaitDelivery(job.get("id"), "failed", 1);
		assertThat(delivery.get("last_error")).asString().contains("410").contains("not retried");
	}

	@Test
	void aReplaySendsTheSameEventAgainWithAFreshSignature() {
		String path = "/replay-" + UUID.randomUUID();
		Map<String, Object> job = submit(Map.of("prompt", "again", "callback_url", receiver.url(path)));
		Map<String, Object> delivery = awaitDelivery(job.get("id"), "delivered", 1);
		http().post().uri("/api/v1/callbacks/deliveries/" + delivery.get("id") + "/replay").exchange()
			.expectStatus().isAccepted().expectBody().jsonPath("$.id").isEqualTo(delivery.get("id"));
		List<Receiver.Received> both = receiver.await(path, 2, WAIT);
		assertThat(both.get(1).header("webhook-id")).isEqualTo(both.get(0).header("webhook-id"));
		assertThat(both.get(1).text()).isEqualTo(both.get(0).text());
		assertThat(PublicScheme.verifies(secret(), both.get(1))).isTrue();
		awaitDelivery(job.get("id"), "delivered", 2);
		http().post().uri("/api/v1/callbacks/deliveries/" + UUID.randomUUID() + "/replay").exchange()
			.expectStatus().isNotFound().expectHeader().contentType("application/problem+json");
	}

	@Test
	void theTenantsDefaultUrlCatchesJobsThatNameNone() {
		// Jobs of other test classes share the database: let the forwarder pass their events first.
		long head = this.db.sql("SELECT coalesce(max(id), 0) AS head FROM job_events")
			.map((row) -> row.get("head", Long.class)).one().block(WAIT);
		Flux.interval(Duration.ofMillis(50))
			.onBackpressureDrop()
			.concatMap((tick) -> this.db.sql("SELECT position FROM callback_forwarder")
				.map((row) -> row.get("position", Long.class)).one())
			.filter((position) -> position >= head)
			.next()
			.timeout(WAIT)
			.block();
		String path = "/default-" + UUID.randomUUID();
		http().put().uri("/api/v1/callbacks/settings").bodyValue(Map.of("default_url", receiver.url(path)))
			.exchange().expectStatus().isOk().expectBody().jsonPath("$.default_url").isEqualTo(receiver.url(path));
		Map<String, Object> job = submit(Map.of("prompt", "use the default"));
		Receiver.Received message = receiver.await(path, 1, WAIT).get(0);
		assertThat(receiver.at(path)).hasSize(1);
		assertThat(message.text()).contains((String) job.get("id"));
		assertThat(PublicScheme.verifies(secret(), message)).isTrue();
	}

	@Test
	void aRotatedSecretSignsAlongsideThePreviousOneDuringTheGrace() {
		String before = secret();
		Map<String, Object> rotated = http().post().uri("/api/v1/callbacks/secret/rotate").exchange()
			.expectStatus().isOk().expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody();
		String after = (String) rotated.get("secret");
		assertThat(after).startsWith("whsec_").isNotEqualTo(before);
		assertThat(rotated.get("previous_secret_signs_until")).isNotNull();
		String path = "/rotated-" + UUID.randomUUID();
		submit(Map.of("prompt", "rotated", "callback_url", receiver.url(path)));
		Receiver.Received message = receiver.await(path, 1, WAIT).get(0);
		assertThat(message.header("webhook-signature").split(" ")).hasSize(2);
		assertThat(PublicScheme.verifies(after, message)).isTrue();
		assertThat(PublicScheme.verifies(before, message)).isTrue();
		// At rest the secret is sealed: neither the value nor its key bytes are in the row.
		String stored = this.db.sql("SELECT secret FROM callback_settings WHERE tenant_id = :tenant")
			.bind("tenant", new UUID(0, 0))
			.map((row) -> row.get("secret", String.class))
			.one()
			.block(WAIT);
		assertThat(stored).startsWith("gcm1:").doesNotContain(after).doesNotContain(after.substring(6));
	}

	@Test
	void aRedirectIsAFailedAttemptAndIsNotFollowed() {
		String path = "/redirect-" + UUID.randomUUID();
		for (int i = 0; i < 3; i++) {
			receiver.script(path, (got, response) -> Receiver.redirect(response, receiver.url(path + "-target")));
		}
		Map<String, Object> job = submit(Map.of("prompt", "moved", "callback_url", receiver.url(path)));
		Map<String, Object> delivery = awaitDelivery(job.get("id"), "failed", 3);
		assertThat(attempts(delivery)).extracting((attempt) -> attempt.get("status_code")).containsOnly(302);
		assertThat(receiver.at(path + "-target")).isEmpty();
	}

}
