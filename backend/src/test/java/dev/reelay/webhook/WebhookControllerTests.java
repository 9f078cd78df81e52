package dev.reelay.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

import dev.reelay.job.Job;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import dev.reelay.provider.signing.KieSignatures;
import dev.reelay.provider.signing.StandardWebhooks;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /webhooks/{instance}} over real HTTP with PostgreSQL: valid, forged, stale, duplicate and
 * rotated-secret deliveries, and what each does to the job the webhook names.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
		"reelay.dispatch.enabled=false",
		"reelay.providers.instances.hooks.family=openai-videos",
		"reelay.providers.instances.hooks.base-url=http://127.0.0.1:9/v1",
		"reelay.providers.instances.hooks.api-key=test",
		"reelay.providers.instances.hooks.webhook-secrets=" + WebhookControllerTests.NEW_SECRET + ","
				+ WebhookControllerTests.OLD_SECRET,
		"reelay.providers.instances.kiehooks.family=kie",
		"reelay.providers.instances.kiehooks.base-url=http://127.0.0.1:9",
		"reelay.providers.instances.kiehooks.api-key=test",
		"reelay.providers.instances.kiehooks.webhook-secrets=kie-key",
		"reelay.providers.instances.evolinkhooks.family=evolink",
		"reelay.providers.instances.evolinkhooks.base-url=http://127.0.0.1:9",
		"reelay.providers.instances.evolinkhooks.api-key=test",
		"reelay.providers.instances.evolinkhooks.options.callback-url=https://reelay.example/webhooks/evolinkhooks",
		"reelay.providers.instances.falhooks.family=fal",
		"reelay.providers.instances.falhooks.base-url=http://127.0.0.1:9",
		"reelay.providers.instances.falhooks.api-key=test",
		// Nothing listens there: fal's key set cannot be fetched.
		"reelay.providers.instances.falhooks.options.jwks-url=http://127.0.0.1:9/.well-known/jwks.json",
		"reelay.providers.instances.nohooks.family=runway",
		"reelay.providers.instances.nohooks.api-key=test" })
class WebhookControllerTests {

	static final String NEW_SECRET = "whsec_bmV3IHNlY3JldCBmb3IgdGhlIHdlYmhvb2sgdGVzdHM=";

	static final String OLD_SECRET = "whsec_b2xkIHNlY3JldCBmb3IgdGhlIHdlYmhvb2sgdGVzdHM=";

	@LocalServerPort
	private int port;

	@Autowired
	private JobStore jobs;

	private WebTestClient http() {
		return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.port).responseTimeout(Duration.ofSeconds(10)).build();
	}

	@Test
	void aVerifiedWebhookMakesTheJobDueAndARedeliveryIsDropped() {
		String remoteId = "video_" + UUID.randomUUID().toString().replace("-", "");
		Job job = submittedJob("hooks", remoteId);
		String id = "msg_" + UUID.randomUUID();
		byte[] body = event(remoteId);
		long ts = Instant.now().getEpochSecond();

		post("hooks", id, ts, StandardWebhooks.sign(NEW_SECRET, id, ts, body), body).expectStatus().isOk()
			.expectBody().jsonPath("$.duplicate").isEqualTo(false).jsonPath("$.jobs").isEqualTo(1);
		Job woken = this.jobs.find(job.id()).block();
		assertThat(woken.nextAttemptAt()).isBefore(Instant.now().plusSeconds(1));
		assertThat(woken.status()).as("the payload is not trusted; only a poll changes the job").isEqualTo(JobStatus.SUBMITTED);

		Job later = pushDue(woken);
		post("hooks", id, ts, StandardWebhooks.sign(NEW_SECRET, id, ts, body), body).expectStatus().isOk()
			.expectBody().jsonPath("$.duplicate").isEqualTo(true).jsonPath("$.jobs").isEqualTo(0);
		assertThat(this.jobs.find(job.id()).block().nextAttemptAt()).isEqualTo(later.nextAttemptAt());
	}

	@Test
	void aFalWebhookWhoseKeysCannotBeFetchedIsA503ToTryAgain() {
		String requestId = "req-" + UUID.randomUUID();
		Job job = submittedJob("falhooks", requestId);
		http().post()
			.uri("/webhooks/falhooks")
			.contentType(MediaType.APPLICATION_JSON)
			.header("X-Fal-Webhook-Request-Id", requestId)
			.header("X-Fal-Webhook-User-Id", "user-9")
			.header("X-Fal-Webhook-Timestamp", Long.toString(Instant.now().getEpochSecond()))
			.header("X-Fal-Webhook-Signature", "00".repeat(64))
			.bodyValue("{\"request_id\": \"" + requestId + "\", \"status\": \"OK\"}")
			.exchange()
			.expectStatus().isEqualTo(503)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader().valueEquals("Retry-After", "30")
			.expectBody()
			.jsonPath("$.title").isEqualTo("Webhook cannot be checked now")
			.jsonPath("$.detail").value((String detail) -> assertThat(detail).contains("fal's published webhook keys")
				.doesNotContain("Exception").doesNotContain("127.0.0.1"));
		assertThat(this.jobs.find(job.id()).block().nextAttemptAt()).isEqualTo(job.nextAttemptAt());
	}

	@Test
	void theOldSecretStillWorksDuringARotation() {
		String remoteId = "video_" + UUID.randomUUID().toString().replace("-", "");
		submittedJob("hooks", remoteId);
		String id = "msg_" + UUID.randomUUID();
		byte[] body = event(remoteId);
		long ts = Instant.now().getEpochSecond();
		post("hooks", id, ts, StandardWebhooks.sign(OLD_SECRET, id, ts, body), body).expectStatus().isOk()
			.expectBody().jsonPath("$.jobs").isEqualTo(1);
	}

	@Test
	void forgedAndStaleWebhooksAre401ProblemsAndChangeNothing() {
		String remoteId = "video_" + UUID.randomUUID().toString().replace("-", "");
		Job job = submittedJob("hooks", remoteId);
		byte[] body = event(remoteId);
		long ts = Instant.now().getEpochSecond();
		String forgedSecret = "whsec_" + Base64.getEncoder().encodeToString("someone else's secret".getBytes(StandardCharsets.UTF_8));

		post("hooks", "msg_forged", ts, StandardWebhooks.sign(forgedSecret, "msg_forged", ts, body), body)
			.expectStatus().isUnauthorized()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.title").isEqualTo("Unverified webhook");
		long stale = ts - 3600;
		post("hooks", "msg_stale", stale, StandardWebhooks.sign(NEW_SECRET, "msg_stale", stale, body), body)
			.expectStatus().isUnauthorized()
			.expectBody().jsonPath("$.title").isEqualTo("Stale webhook");
		http().post().uri("/webhooks/hooks").contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
			.expectStatus().isUnauthorized();
		assertThat(this.jobs.find(job.id()).block().nextAttemptAt()).isEqualTo(job.nextAttemptAt());
	}

	@Test
	void aKieCallbackIsCheckedOnTaskIdAndTimestampThenTheTaskIsPolled() {
		String taskId = "veo_task_" + UUID.randomUUID().toString().replace("-", "");
		Job job = submittedJob("kiehooks", "veo/" + taskId);
		byte[] body = ("{\"code\": 200, \"msg\": \"Veo3.1 video generated successfully.\", \"data\": {\"taskId\": \"" + taskId
				+ "\", \"info\": {\"resultUrls\": [\"https://cdn.example/v.mp4\"]}, \"fallbackFlag\": false}}")
			.getBytes(StandardCharsets.UTF_8);
		long ts = Instant.now().getEpochSecond();
		http().post().uri("/webhooks/kiehooks").contentType(MediaType.APPLICATION_JSON)
			.header("X-Webhook-Timestamp", Long.toString(ts))
			.header("X-Webhook-Signature", KieSignatures.sign("kie-key", taskId, ts))
			.bodyValue(body).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.jobs").isEqualTo(1);
		assertThat(this.jobs.find(job.id()).block().nextAttemptAt()).isBefore(Instant.now().plusSeconds(1));
		http().post().uri("/webhooks/kiehooks").contentType(MediaType.APPLICATION_JSON)
			.header("X-Webhook-Timestamp", Long.toString(ts))
			.header("X-Webhook-Signature", KieSignatures.sign("guessed", taskId, ts))
			.bodyValue(body).exchange()
			.expectStatus().isUnauthorized();
	}

	@Test
	void anUnsignedEvoLinkCallbackOnlyMakesTheTaskItNamesDue() {
		String taskId = "task-unified-1757169743-" + UUID.randomUUID().toString().substring(0, 8);
		Job job = submittedJob("evolinkhooks", taskId);
		byte[] body = ("{\"id\": \"" + taskId + "\", \"object\": \"video.generation.task\", \"status\": \"completed\", "
				+ "\"progress\": 100, \"results\": [\"https://cdn.example/v.mp4\"]}").getBytes(StandardCharsets.UTF_8);
		http().post().uri("/webhooks/evolinkhooks").contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.duplicate").isEqualTo(false).jsonPath("$.jobs").isEqualTo(1);
		Job woken = this.jobs.find(job.id()).block();
		assertThat(woken.nextAttemptAt()).isBefore(Instant.now().plusSeconds(1));
		assertThat(woken.status()).as("the payload says completed; only a poll may say so").isEqualTo(JobStatus.SUBMITTED);
		assertThat(woken.progress()).isZero();
		// EvoLink retries a callback it thinks failed; the same outcome again is dropped.
		pushDue(woken);
		http().post().uri("/webhooks/evolinkhooks").contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.duplicate").isEqualTo(true);
		http().post().uri("/webhooks/evolinkhooks").contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"id\": \"video_123\", \"status\": \"completed\"}").exchange()
			.expectStatus().isUnauthorized();
	}

	@Test
	void unknownInstancesAndFamiliesWithoutWebhooksAre404() {
		http().post().uri("/webhooks/nobody").contentType(MediaType.APPLICATION_JSON).bodyValue("{}").exchange()
			.expectStatus().isNotFound().expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
		http().post().uri("/webhooks/nohooks").contentType(MediaType.APPLICATION_JSON).bodyValue("{}").exchange()
			.expectStatus().isNotFound();
	}

	private WebTestClient.ResponseSpec post(String instance, String id, long ts, String signature, byte[] body) {
		return http().post().uri("/webhooks/{instance}", instance).contentType(MediaType.APPLICATION_JSON)
			.header("webhook-id", id)
			.header("webhook-timestamp", Long.toString(ts))
			.header("webhook-signature", signature)
			.bodyValue(body)
			.exchange();
	}

	private static byte[] event(String remoteId) {
		return ("{\"id\": \"evt_1\", \"object\": \"event\", \"created_at\": 1758941590, \"type\": \"video.completed\", "
				+ "\"data\": {\"id\": \"" + remoteId + "\"}}").getBytes(StandardCharsets.UTF_8);
	}

	/** A job the provider has accepted, next polled an hour from now. */
	private Job submittedJob(String provider, String remoteId) {
		Job queued = this.jobs.create(new NewJob("sim-video", provider, "webhook test",
				new JobParameters(4, "16:9", "720p", null, null))).block();
		Job submitting = this.jobs.change(queued, (c) -> c.status = JobStatus.SUBMITTING, false).block();
		return pushDue(this.jobs.change(submitting, (c) -> {
			c.status = JobStatus.SUBMITTED;
			c.remoteId = remoteId;
		}, true).block());
	}

	private Job pushDue(Job job) {
		return this.jobs.change(job, (c) -> c.nextAttemptAt = Instant.now().plus(Duration.ofHours(1)).truncatedTo(
				java.time.temporal.ChronoUnit.MILLIS), true).block();
	}

}
