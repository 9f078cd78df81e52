package dev.reelay.dispatch;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.reelay.provider.StandIn;
import io.r2dbc.spi.Readable;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Lost creates, races with cancels and a failing database against an OpenAI-contract stand-in over real HTTP, judged
 * by the stand-in's own ledger: a job never takes another job's generation, a create answered after a cancel leaves
 * its id on the canceled job (and its bill), and a database error on the id's write does not lose the id.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
		"reelay.dispatch.enabled=true", "reelay.dispatch.tick=100ms", "reelay.dispatch.retry-base=200ms",
		"reelay.dispatch.retry-max=1s", "reelay.providers.instances.simulator.enabled=false",
		"reelay.providers.instances.adoption-standin.family=openai-videos",
		"reelay.providers.instances.adoption-standin.api-key=test",
		"reelay.providers.instances.adoption-standin.poll-interval=1s",
		"reelay.catalog.custom-models[0].id=adoption-video",
		"reelay.catalog.custom-models[0].display-name=Adoption stand-in",
		"reelay.catalog.custom-models[0].provider=adoption-standin", "reelay.catalog.custom-models[0].remote-model=sora-2",
		"reelay.catalog.custom-models[0].durations=4", "reelay.catalog.custom-models[0].aspect-ratios=16:9",
		"reelay.catalog.custom-models[0].resolutions=720p",
		"reelay.catalog.custom-models[0].price.per-second.720p=0.25",
		"reelay.providers.instances.adoption-fal.family=fal", "reelay.providers.instances.adoption-fal.api-key=test",
		"reelay.providers.instances.adoption-fal.poll-interval=1s",
		"reelay.catalog.custom-models[1].id=adoption-fal-video",
		"reelay.catalog.custom-models[1].display-name=Adoption fal stand-in",
		"reelay.catalog.custom-models[1].provider=adoption-fal",
		"reelay.catalog.custom-models[1].remote-model=fal-ai/kling-video/v2.5-turbo/pro/text-to-video",
		"reelay.catalog.custom-models[1].durations=5", "reelay.catalog.custom-models[1].aspect-ratios=16:9",
		"reelay.catalog.custom-models[1].resolutions=720p",
		"reelay.catalog.custom-models[1].price.per-second.720p=0.20",
		// The same stand-in, with a client timeout short enough that a held create goes unanswered.
		"reelay.providers.instances.adoption-hasty.family=openai-videos",
		"reelay.providers.instances.adoption-hasty.api-key=test",
		"reelay.providers.instances.adoption-hasty.timeout=2s",
		"reelay.providers.instances.adoption-hasty.poll-interval=1s",
		"reelay.dispatch.limits.adoption-hasty.submit-grace=1s",
		"reelay.catalog.custom-models[2].id=adoption-hasty-video",
		"reelay.catalog.custom-models[2].display-name=Adoption stand-in, short timeout",
		"reelay.catalog.custom-models[2].provider=adoption-hasty", "reelay.catalog.custom-models[2].remote-model=sora-2",
		"reelay.catalog.custom-models[2].durations=4", "reelay.catalog.custom-models[2].aspect-ratios=16:9",
		"reelay.catalog.custom-models[2].resolutions=720p",
		"reelay.catalog.custom-models[2].price.per-second.720p=0.25" })
class LostCreateAdoptionTests {

	private static final Duration PATIENCE = Duration.ofSeconds(60);

	static final VideosStandIn STAND_IN = new VideosStandIn();

	/** fal's queue, which can cancel: its ledger is every request it queued and every cancel it took. */
	static final MockWebServer FAL = new MockWebServer();

	static final List<String> FAL_LEDGER = new CopyOnWriteArrayList<>();

	static volatile CountDownLatch falHeld = new CountDownLatch(1);

	static {
		FAL.setDispatcher(new Dispatcher() {

			@Override
			public MockResponse dispatch(RecordedRequest request) {
				String call = request.getMethod() + " " + request.getTarget();
				if (call.equals("POST /fal/fal-ai/kling-video/v2.5-turbo/pro/text-to-video")) {
					String id = "q-" + UUID.randomUUID();
					FAL_LEDGER.add("queued " + id + " " + StandIn.jsonBody(request).get("prompt").asString());
					try {
						falHeld.await(60, TimeUnit.SECONDS);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
					return falJson(200, "{\"request_id\": \"" + id + "\"}");
				}
				if (request.getMethod().equals("PUT") && request.getTarget().endsWith("/cancel")) {
					String id = request.getTarget().replaceAll(".*/requests/([^/]+)/cancel", "$1");
					FAL_LEDGER.add("canceled " + id);
					return falJson(202, "{\"status\": \"CANCELLATION_REQUESTED\"}");
				}
				if (request.getMethod().equals("GET") && request.getTarget().endsWith("/status")) {
					return falJson(200, "{\"status\": \"IN_QUEUE\", \"queue_position\": 3}");
				}
				return falJson(404, "{\"detail\": \"not in the stand-in\"}");
			}

		});
		try {
			FAL.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static MockResponse falJson(int status, String body) {
		return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json").body(body).build();
	}

	@DynamicPropertySource
	static void providerAtTheStandIn(DynamicPropertyRegistry properties) {
		properties.add("reelay.providers.instances.adoption-standin.base-url", STAND_IN::baseUrl);
		properties.add("reelay.providers.instances.adoption-hasty.base-url", STAND_IN::baseUrl);
		properties.add("reelay.providers.instances.adoption-fal.base-url", () -> {
			String base = FAL.url("/").toString();
			return base.substring(0, base.length() - 1) + "/fal";
		});
	}

	@AfterAll
	static void stop() {
		STAND_IN.close();
		falHeld.countDown();
		FAL.close();
	}

	@LocalServerPort
	private int port;

	@Autowired
	private DatabaseClient db;

	@BeforeEach
	void kindStandIn() {
		STAND_IN.release();
		STAND_IN.reset();
	}

	@Test
	void twoJobsWithOnePromptThatBothLoseTheirCreatesTakeNeitherGeneration() {
		String prompt = "twins " + UUID.randomUUID();
		String first = submitWhenTheStandInExpects(prompt, VideosStandIn.Create.LOSE, 1);
		String second = submitWhenTheStandInExpects(prompt, VideosStandIn.Create.LOSE, 2);
		STAND_IN.openLists();

		awaitPastReconciling(first);
		awaitPastReconciling(second);
		for (String job : List.of(first, second)) {
			Map<String, Object> row = row(job);
			assertThat(row.get("remote_id")).as("job %s took no generation", job).isNull();
			assertThat(row.get("status")).isEqualTo("failed");
			assertThat(row.get("error_code")).isEqualTo("submit_outcome_unknown");
			// It may have been paid for: the budget counts it.
			assertThat((BigDecimal) row.get("actual_cost")).isEqualByComparingTo((BigDecimal) row.get("estimated_cost"));
		}
		assertThat(STAND_IN.withPrompt(prompt)).as("one create per job, none sent again").hasSize(2);
		assertThat(STAND_IN.createdFor(first)).hasSize(1);
		assertThat(STAND_IN.createdFor(second)).hasSize(1);
		ledgerAndRowsAgree(prompt);
	}

	@Test
	void aJobThatLostItsCreateTakesItsOwnGenerationNotTheOneAnotherJobHolds() {
		String prompt = "look-alikes " + UUID.randomUUID();
		String lost = submitWhenTheStandInExpects(prompt, VideosStandIn.Create.LOSE, 1);
		String answered = submitWhenTheStandInExpects(prompt, VideosStandIn.Create.ANSWER, 2);
		await().atMost(PATIENCE).until(() -> row(answered).get("remote_id") != null);
		STAND_IN.openLists();

		await().atMost(PATIENCE).until(() -> row(lost).get("remote_id") != null);
		assertThat(row(lost).get("remote_id")).as("the lost create's own generation")
			.isEqualTo(STAND_IN.createdFor(lost).get(0).id());
		assertThat(row(answered).get("remote_id")).isEqualTo(STAND_IN.createdFor(answered).get(0).id());
		assertThat(STAND_IN.withPrompt(prompt)).as("nothing sent again").hasSize(2);
		ledgerAndRowsAgree(prompt);
	}

	@Test
	void aCreateAnsweredAfterTheJobWasCanceledLeavesItsIdOnTheJobAndIsBilled() {
		String prompt = "canceled mid-create " + UUID.randomUUID();
		String job = submitWhenTheStandInExpects(prompt, VideosStandIn.Create.HOLD, 1);
		http().post().uri("/api/v1/jobs/{id}/cancel", job).retrieve().toBodilessEntity().block(PATIENCE);
		assertThat(row(job).get("status")).isEqualTo("canceled");
		assertThat((BigDecimal) row(job).get("actual_cost")).as("nothing known to be accepted yet").isZero();

		STAND_IN.release();
		String created = STAND_IN.createdFor(job).get(0).id();
		await().atMost(PATIENCE).until(() -> created.equals(row(job).get("remote_id")));
		Map<String, Object> canceled = row(job);
		assertThat(canceled.get("status")).isEqualTo("canceled");
		// The family cannot stop a generation (no cancel in the contract): it runs, and is billed as accepted.
		assertThat((BigDecimal) canceled.get("actual_cost"))
			.isEqualByComparingTo((BigDecimal) canceled.get("estimated_cost"));
		assertThat(ledger(job)).containsEntry("settlement", new BigDecimal("0.000000"))
			.containsEntry("adjustment", new BigDecimal("1.000000"));
		assertThat(STAND_IN.withPrompt(prompt)).hasSize(1);
		ledgerAndRowsAgree(prompt);
	}

	/**
	 * Canceled while its create is out, and the create never answers (the client times out): once it could no
	 * longer be answering, Reelay looks for the generation it may have started, records it on the canceled job (the
	 * family cannot stop it) and bills it as accepted. Before, the job ended with no id and billed nothing while the
	 * generation ran and was paid for at the provider.
	 */
	@Test
	void aCreateThatNeverAnswersCanceledWhileOutIsFoundAfterwardsAndBilled() {
		String prompt = "canceled, never answered " + UUID.randomUUID();
		String job = submitWhenTheStandInExpects(prompt, VideosStandIn.Create.HOLD, 1, "adoption-hasty-video");
		http().post().uri("/api/v1/jobs/{id}/cancel", job).retrieve().toBodilessEntity().block(PATIENCE);
		assertThat(row(job).get("status")).isEqualTo("canceled");
		assertThat((BigDecimal) row(job).get("actual_cost")).as("nothing known to be accepted yet").isZero();
		STAND_IN.openLists();

		String created = STAND_IN.createdFor(job).get(0).id();
		await().atMost(PATIENCE).until(() -> created.equals(row(job).get("remote_id")));
		Map<String, Object> canceled = row(job);
		assertThat(canceled.get("status")).isEqualTo("canceled");
		assertThat((BigDecimal) canceled.get("actual_cost"))
			.isEqualByComparingTo((BigDecimal) canceled.get("estimated_cost"));
		assertThat(STAND_IN.withPrompt(prompt)).as("never sent again").hasSize(1);
		ledgerAndRowsAgree(prompt);
	}

	@Test
	void aCreateAnsweredAfterTheJobWasCanceledIsCanceledAtAProviderThatCan() {
		String prompt = "canceled at fal " + UUID.randomUUID();
		Map<String, Object> submitted = http().post()
			.uri("/api/v1/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("model", "adoption-fal-video", "prompt", prompt, "duration_seconds", 5))
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(PATIENCE);
		String job = (String) submitted.get("id");
		await().atMost(PATIENCE).until(() -> FAL_LEDGER.stream().anyMatch((entry) -> entry.endsWith(" " + prompt)));
		String queued = FAL_LEDGER.stream().filter((entry) -> entry.endsWith(" " + prompt)).findFirst().orElseThrow()
			.split(" ")[1];
		http().post().uri("/api/v1/jobs/{id}/cancel", job).retrieve().toBodilessEntity().block(PATIENCE);
		falHeld.countDown();

		await().atMost(PATIENCE).until(() -> FAL_LEDGER.contains("canceled " + queued));
		Map<String, Object> canceled = row(job);
		assertThat(canceled.get("status")).isEqualTo("canceled");
		assertThat((String) canceled.get("remote_id")).endsWith("/requests/" + queued);
		assertThat((BigDecimal) canceled.get("actual_cost"))
			.isEqualByComparingTo((BigDecimal) canceled.get("estimated_cost"));
		assertThat(FAL_LEDGER.stream().filter((entry) -> entry.startsWith("queued ") && entry.endsWith(" " + prompt)))
			.as("queued once").hasSize(1);
	}

	@Test
	void aDatabaseErrorOnTheRemoteIdsWriteDoesNotLoseTheId() {
		String prompt = "refused-write-" + UUID.randomUUID();
		String name = "fail_remote_id_" + UUID.randomUUID().toString().replace("-", "");
		// Refuses the first three writes of this job's remote id (a sequence counts across the rolled-back tries);
		// the list stays closed, so the id cannot come back through a reconcile.
		this.db.sql("CREATE SEQUENCE " + name).then().block(PATIENCE);
		this.db.sql("CREATE FUNCTION " + name + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
				+ "IF NEW.prompt = '" + prompt + "' AND NEW.remote_id IS NOT NULL AND OLD.remote_id IS NULL "
				+ "AND nextval('" + name + "') <= 3 THEN RAISE EXCEPTION 'injected: remote id write refused'; END IF; "
				+ "RETURN NEW; END $$").then().block(PATIENCE);
		this.db.sql("CREATE TRIGGER " + name + " BEFORE UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION " + name + "()")
			.then()
			.block(PATIENCE);
		try {
			String job = submitWhenTheStandInExpects(prompt, VideosStandIn.Create.ANSWER, 1);
			String created = STAND_IN.createdFor(job).get(0).id();
			await().atMost(PATIENCE).until(() -> created.equals(row(job).get("remote_id")));
			assertThat(this.db.sql("SELECT last_value FROM " + name).map((row) -> row.get(0, Long.class)).one()
				.block(PATIENCE)).as("the write was refused before it went through").isGreaterThanOrEqualTo(4);
			assertThat(row(job).get("status")).isIn("submitted", "in_progress");
			assertThat(STAND_IN.withPrompt(prompt)).hasSize(1);
		}
		finally {
			this.db.sql("DROP TRIGGER " + name + " ON jobs").then().block(PATIENCE);
			this.db.sql("DROP FUNCTION " + name + "()").then().block(PATIENCE);
			this.db.sql("DROP SEQUENCE " + name).then().block(PATIENCE);
		}
	}

	/**
	 * Submits a job once the stand-in has seen {@code createsBefore - 1} creates of this prompt, telling it that its
	 * next create is this job's: the test's own marker, which Reelay never sends.
	 */
	private String submitWhenTheStandInExpects(String prompt, VideosStandIn.Create outcome, int createsBefore) {
		return submitWhenTheStandInExpects(prompt, outcome, createsBefore, "adoption-video");
	}

	private String submitWhenTheStandInExpects(String prompt, VideosStandIn.Create outcome, int createsBefore,
			String model) {
		String marker = "pending-" + UUID.randomUUID();
		STAND_IN.nextCreate(marker, outcome);
		Map<String, Object> job = http().post()
			.uri("/api/v1/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("model", model, "prompt", prompt, "duration_seconds", 4))
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(PATIENCE);
		String id = (String) job.get("id");
		await().atMost(PATIENCE).until(() -> STAND_IN.withPrompt(prompt).size() == createsBefore);
		VideosStandIn.Generation created = STAND_IN.withPrompt(prompt).get(createsBefore - 1);
		assertThat(created.marker()).isEqualTo(marker);
		STAND_IN.ledger.set(STAND_IN.ledger.indexOf(created), new VideosStandIn.Generation(created.id(), id,
				created.prompt(), created.model(), created.size(), created.seconds(), created.createdAt(),
				created.outcome()));
		return id;
	}

	/** Every generation of the prompt is held by at most one job, and only by the job whose create made it. */
	private void ledgerAndRowsAgree(String prompt) {
		List<Map<String, Object>> rows = this.db.sql("SELECT id, remote_id FROM jobs WHERE prompt = :prompt")
			.bind("prompt", prompt)
			.map((row) -> Map.<String, Object>of("id", row.get("id", UUID.class).toString(), "remote_id",
					String.valueOf(row.get("remote_id", String.class))))
			.all()
			.collectList()
			.block(PATIENCE);
		for (VideosStandIn.Generation generation : STAND_IN.withPrompt(prompt)) {
			List<String> holders = rows.stream()
				.filter((row) -> generation.id().equals(row.get("remote_id")))
				.map((row) -> (String) row.get("id"))
				.toList();
			assertThat(holders).as("jobs holding %s", generation.id()).isSubsetOf(List.of(generation.marker()));
		}
	}

	/** Until the job has either taken a generation or given up looking: it is no longer waiting on the list. */
	private void awaitPastReconciling(String job) {
		await().atMost(PATIENCE)
			.pollInterval(Duration.ofMillis(200))
			.until(() -> !List.of("queued", "submitting", "reconciling").contains(row(job).get("status")));
	}

	private Map<String, Object> row(String job) {
		return this.db.sql("SELECT status, remote_id, error_code, actual_cost, estimated_cost FROM jobs WHERE id = :id")
			.bind("id", UUID.fromString(job))
			.map(LostCreateAdoptionTests::columns)
			.one()
			.block(PATIENCE);
	}

	private static Map<String, Object> columns(Readable row) {
		Map<String, Object> columns = new java.util.HashMap<>();
		for (String name : List.of("status", "remote_id", "error_code", "actual_cost", "estimated_cost")) {
			@Nullable Object value = row.get(name);
			columns.put(name, value);
		}
		return columns;
	}

	private Map<String, BigDecimal> ledger(String job) {
		return this.db.sql("SELECT kind, amount FROM budget_ledger WHERE job_id = :id")
			.bind("id", UUID.fromString(job))
			.map((row) -> Map.entry(row.get("kind", String.class), row.get("amount", BigDecimal.class)))
			.all()
			.collectMap(Map.Entry::getKey, Map.Entry::getValue)
			.block(PATIENCE);
	}

	private WebClient http() {
		return WebClient.create("http://127.0.0.1:" + this.port);
	}

}
