package dev.reelay.dispatch;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole system against a misbehaving provider: a fifth of its answers are 5xx, a tenth are 429, some creates
 * succeed but their answer is lost, and some answers come late. Every job must still end, none may be created
 * twice, and the provider's limits must hold as the provider itself counts them.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = { "reelay.dispatch.enabled=true",
		"reelay.simulator.generation-time=1s", "reelay.simulator.server-error-rate=0.2",
		"reelay.simulator.rate-limit-rate=0.1", "reelay.simulator.lost-response-rate=0.15",
		"reelay.simulator.latency-spike-rate=0.1", "reelay.simulator.latency-spike=700ms",
		"reelay.simulator.retry-after=500ms",
		// A simulator instance and model of this class's own: no other class's dispatcher takes its jobs, and no
		// other class's calls count against its limits (the call ledger is per instance).
		"reelay.providers.instances.under-faults.family=openai-videos",
		"reelay.providers.instances.under-faults.base-url=", "reelay.providers.instances.under-faults.api-key=simulator",
		"reelay.providers.instances.under-faults.poll-interval=200ms",
		// Jobs other test classes left on the built-in simulator instance are not this class's to work.
		"reelay.providers.instances.simulator.enabled=false",
		"reelay.catalog.custom-models[0].id=" + DispatchUnderFaultsTests.MODEL,
		"reelay.catalog.custom-models[0].display-name=Under faults",
		"reelay.catalog.custom-models[0].provider=under-faults", "reelay.catalog.custom-models[0].remote-model=sora-2",
		"reelay.catalog.custom-models[0].durations=4", "reelay.catalog.custom-models[0].aspect-ratios=16:9",
		"reelay.catalog.custom-models[0].resolutions=720p",
		"reelay.dispatch.tick=100ms", "reelay.dispatch.retry-base=100ms", "reelay.dispatch.retry-max=1s",
		"reelay.dispatch.limits.under-faults.submits.count=5",
		"reelay.dispatch.limits.under-faults.submits.per=2s", "reelay.dispatch.limits.under-faults.max-in-flight=4",
		"reelay.dispatch.limits.under-faults.polls.count=40", "reelay.dispatch.limits.under-faults.polls.per=1s",
		// As the built-in simulator instance has them (application.yaml).
		"reelay.dispatch.limits.under-faults.submit-grace=1s",
		"reelay.dispatch.limits.under-faults.max-poll-interval=10s" })
class DispatchUnderFaultsTests {

	static final String MODEL = "under-faults-video";

	private static final int JOBS = 24;

	@LocalServerPort
	private int port;

	@Autowired
	private DatabaseClient db;

	@Test
	void everyJobEndsOnceWithinTheLimits() {
		String tag = "faults-" + UUID.randomUUID() + " ";
		WebClient http = WebClient.create("http://127.0.0.1:" + this.port);
		List<String> ids = Flux.range(0, JOBS)
			.concatMap((i) -> http.post()
				.uri("/api/v1/jobs")
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("model", MODEL, "prompt", tag + i, "duration_seconds", 4))
				.retrieve()
				.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
				})
				.map((job) -> (String) job.get("id")))
			.collectList()
			.block();

		await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> this.db
			.sql("SELECT count(*) AS n FROM jobs WHERE prompt LIKE :tag AND status IN ('completed', 'failed', 'canceled')")
			.bind("tag", tag + "%")
			.map((row) -> row.get("n", Long.class))
			.one()
			.block() == JOBS);

		List<String> statuses = this.db.sql("SELECT status FROM jobs WHERE prompt LIKE :tag")
			.bind("tag", tag + "%")
			.map((row) -> row.get("status", String.class))
			.all()
			.collectList()
			.block();
		assertThat(ids).hasSize(JOBS);
		assertThat(statuses).as("every job completed despite the faults").containsOnly("completed");

		StandInLedger ledger = StandInLedger.read(this.db, tag);
		assertThat(ledger.createsPerPrompt()).as("no job was created (and billed) twice").hasSize(JOBS)
			.allSatisfy((prompt, creates) -> assertThat(creates).isEqualTo(1L));
		assertThat(ledger.mostCreatesWithin(Duration.ofSeconds(2))).as("creates in any 2 s").isLessThanOrEqualTo(5);
		assertThat(ledger.mostRunningAtOnce()).as("generations running at once").isLessThanOrEqualTo(4);
	}

}
