package dev.reelay.dispatch;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.reelay.provider.AdversarialVideos;
import org.junit.jupiter.api.AfterAll;
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
 * Two findings of the fault campaign ({@code FaultCampaignTests}), judged by {@link AdversarialVideos}' ledger. A job
 * canceled while reconciling (its create stored by the provider but answered 5xx, so Reelay is looking for it in the
 * list) must go on looking, keep the id it finds and be billed as accepted; before the dispatcher's step split it
 * ended with no id, settled at 0, while the provider billed a generation no job held. And reconciling jobs must find
 * their generations under a poll budget their own claims can fill. The instances are this class's own, so no other
 * test context's dispatcher claims their jobs.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
		"reelay.dispatch.enabled=true", "reelay.dispatch.tick=100ms", "reelay.dispatch.retry-base=200ms",
		"reelay.dispatch.retry-max=1s", "reelay.providers.instances.simulator.enabled=false",
		// Every create here answers 5xx on purpose; the circuit breaker would rightly stop submissions to such a
		// provider for its cool-down, which is not what these tests are about (RouteFailoverTests covers it).
		"reelay.routes.breaker.failures=1000",
		"reelay.providers.instances.reconcile-cancel.family=openai-videos",
		"reelay.providers.instances.reconcile-cancel.api-key=test",
		"reelay.providers.instances.reconcile-cancel.poll-interval=1s",
		"reelay.catalog.custom-models[0].id=reconcile-cancel-video",
		"reelay.catalog.custom-models[0].display-name=Canceled while reconciling",
		"reelay.catalog.custom-models[0].provider=reconcile-cancel", "reelay.catalog.custom-models[0].remote-model=sora-2",
		"reelay.catalog.custom-models[0].durations=4", "reelay.catalog.custom-models[0].aspect-ratios=16:9",
		"reelay.catalog.custom-models[0].resolutions=720p",
		"reelay.catalog.custom-models[0].price.per-second.720p=0.25",
		// A poll budget that the claims of reconciling jobs alone can fill (a search needs 5 permits).
		"reelay.providers.instances.reconcile-starved.family=openai-videos",
		"reelay.providers.instances.reconcile-starved.api-key=test",
		"reelay.providers.instances.reconcile-starved.poll-interval=300ms",
		"reelay.dispatch.limits.reconcile-starved.polls.count=10",
		"reelay.dispatch.limits.reconcile-starved.polls.per=2s",
		"reelay.dispatch.limits.reconcile-starved.submit-grace=3s",
		"reelay.catalog.custom-models[1].id=reconcile-starved-video",
		"reelay.catalog.custom-models[1].display-name=Reconciles under a full poll budget",
		"reelay.catalog.custom-models[1].provider=reconcile-starved",
		"reelay.catalog.custom-models[1].remote-model=sora-2", "reelay.catalog.custom-models[1].durations=4",
		"reelay.catalog.custom-models[1].aspect-ratios=16:9", "reelay.catalog.custom-models[1].resolutions=720p",
		"reelay.catalog.custom-models[1].price.per-second.720p=0.25" })
class CancelWhileReconcilingTests {

	private static final Duration PATIENCE = Duration.ofSeconds(60);

	static final AdversarialVideos STAND_IN = new AdversarialVideos();

	static {
		// The generation runs for as long as the test looks, and the list stays closed until the test opens it.
		STAND_IN.generationTime = null;
		STAND_IN.closeLists();
	}

	/** Every create stored and answered 500, so every job reconciles; the list shows them at once. */
	static final AdversarialVideos STARVED = new AdversarialVideos();

	static {
		STARVED.thumbnails = false;
		STARVED.inject(AdversarialVideos.Fault.CREATE_THEN_5XX, 1.0);
	}

	@DynamicPropertySource
	static void providerAtTheStandIn(DynamicPropertyRegistry properties) {
		properties.add("reelay.providers.instances.reconcile-cancel.base-url", STAND_IN::baseUrl);
		properties.add("reelay.providers.instances.reconcile-starved.base-url", STARVED::baseUrl);
	}

	@AfterAll
	static void stop() {
		STAND_IN.close();
		STARVED.close();
	}

	@LocalServerPort
	private int port;

	@Autowired
	private DatabaseClient db;

	// Failed before worker-steps' "canceled creates in doubt looked for after the cancel" (V160); passes since.
	@Test
	void aJobCanceledWhileReconcilingStillLearnsItsGenerationAndIsBilled() {
		String marker = "reconcile-cancel-" + UUID.randomUUID();
		String prompt = "canceled while reconciling " + AdversarialVideos.marker(marker);
		// Stored by the provider, answered 502: the create's outcome is unknown to Reelay.
		STAND_IN.inject(AdversarialVideos.Fault.CREATE_THEN_5XX, 1.0);
		String job = submit(prompt);
		await().atMost(PATIENCE).until(() -> STAND_IN.createdFor(marker).size() == 1);
		STAND_IN.calm();
		await().atMost(PATIENCE).until(() -> "reconciling".equals(row(job).get("status")));
		http().post().uri("/api/v1/jobs/{id}/cancel", job).retrieve().toBodilessEntity().block(PATIENCE);
		assertThat(row(job).get("status")).isEqualTo("canceled");
		STAND_IN.openLists();

		String created = STAND_IN.createdFor(marker).get(0).id();
		await().atMost(PATIENCE).until(() -> created.equals(row(job).get("remote_id")));
		Map<String, Object> canceled = row(job);
		assertThat(canceled.get("status")).isEqualTo("canceled");
		// The family cannot stop a generation: it runs, and is billed as accepted.
		assertThat((BigDecimal) canceled.get("actual_cost"))
			.isEqualByComparingTo((BigDecimal) canceled.get("estimated_cost"));
		assertThat(STAND_IN.createdFor(marker)).as("never sent again").hasSize(1);
	}

	/**
	 * Found by the long campaign (seed 42): 18 jobs sat in reconciling for over five minutes while Reelay recorded
	 * exactly its poll limit in permits, window after window, and made no search. Each claim of a reconciling job
	 * takes one poll permit; its search needs the other four of its five list pages up front
	 * ({@code MeteredProvider.findSubmitted}), which a budget the claims keep full never has, so the search fails with
	 * {@code BudgetSpent}, the job is due again in a moment, and its next claim takes another permit: nothing is
	 * ever looked up. Here 12 jobs reconcile at once under a budget of 10 per 2 s. Fixed by claims that take a job's
	 * whole poll cost ({@link PollCost}); failed before it.
	 */
	@Test
	void reconcilingJobsFindTheirGenerationsUnderAFullPollBudget() {
		String tag = "starved-" + UUID.randomUUID() + "-";
		List<String> jobs = new java.util.ArrayList<>();
		for (int i = 0; i < 12; i++) {
			jobs.add(submit("reconcile-starved-video", "starved " + AdversarialVideos.marker(tag + i)));
		}
		await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
			.until(() -> jobs.stream().noneMatch((job) -> List.of("queued", "submitting", "reconciling")
				.contains(row(job).get("status"))));
		for (int i = 0; i < 12; i++) {
			assertThat(row(jobs.get(i)).get("remote_id")).as("job %d took its own generation", i)
				.isEqualTo(STARVED.createdFor(tag + i).get(0).id());
		}
	}

	private String submit(String prompt) {
		return submit("reconcile-cancel-video", prompt);
	}

	private String submit(String model, String prompt) {
		Map<String, Object> job = http().post()
			.uri("/api/v1/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("model", model, "prompt", prompt, "duration_seconds", 4))
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(PATIENCE);
		return (String) job.get("id");
	}

	private Map<String, Object> row(String job) {
		return this.db.sql("SELECT status, remote_id, actual_cost, estimated_cost FROM jobs WHERE id = :id")
			.bind("id", UUID.fromString(job))
			.map((row) -> {
				Map<String, Object> columns = new java.util.HashMap<>();
				for (String name : List.of("status", "remote_id", "actual_cost", "estimated_cost")) {
					columns.put(name, row.get(name));
				}
				return columns;
			})
			.one()
			.block(PATIENCE);
	}

	private WebClient http() {
		return WebClient.builder().baseUrl("http://127.0.0.1:" + this.port).build();
	}

}
