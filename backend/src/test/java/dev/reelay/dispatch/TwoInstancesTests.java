package dev.reelay.dispatch;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import dev.reelay.ReelayApplication;
import dev.reelay.job.JobEventLog;
import dev.reelay.job.JobEventType;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two Reelay instances on one database share the work, never claim one job twice, and hold limits together. */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = TwoInstancesTests.SHARED)
class TwoInstancesTests {

	/**
	 * A simulator instance and model of this class's own, so that no other test class's dispatcher takes its jobs
	 * and no other class's calls count against its limits (the call ledger is per instance).
	 */
	static final String SHARED = "reelay.dispatch.enabled=true\n" + "reelay.simulator.generation-time=1s\n"
			+ "reelay.providers.instances.two-instances.family=openai-videos\n"
			+ "reelay.providers.instances.two-instances.base-url=\n"
			+ "reelay.providers.instances.two-instances.api-key=simulator\n"
			+ "reelay.providers.instances.two-instances.poll-interval=200ms\n"
			// Jobs other test classes left on the built-in instance are not this class's to work (nor to count).
			+ "reelay.providers.instances.simulator.enabled=false\n"
			+ "reelay.catalog.custom-models[0].id=" + TwoInstancesTests.MODEL + "\n"
			+ "reelay.catalog.custom-models[0].display-name=Two instances\n"
			+ "reelay.catalog.custom-models[0].provider=two-instances\n"
			+ "reelay.catalog.custom-models[0].remote-model=sora-2\n"
			+ "reelay.catalog.custom-models[0].durations=4\n"
			+ "reelay.catalog.custom-models[0].aspect-ratios=16:9\n"
			+ "reelay.catalog.custom-models[0].resolutions=720p\n" + "reelay.dispatch.tick=100ms\n"
			+ "reelay.dispatch.limits.two-instances.submits.count=6\n"
			+ "reelay.dispatch.limits.two-instances.submits.per=2s\n"
			+ "reelay.dispatch.limits.two-instances.max-in-flight=5\n"
			// As the built-in simulator instance has them (application.yaml).
			+ "reelay.dispatch.limits.two-instances.submit-grace=1s\n"
			+ "reelay.dispatch.limits.two-instances.max-poll-interval=10s\n";

	static final String MODEL = "two-instances-video";

	private static final int JOBS = 30;

	@LocalServerPort
	private int port;

	@Autowired
	private Environment environment;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private JobEventLog eventsHere;

	@Test
	void twoInstancesShareTheQueueWithinOneSetOfLimits() {
		try (ConfigurableApplicationContext other = startSecondInstance()) {
			List<UUID> submittedHere = new CopyOnWriteArrayList<>();
			List<UUID> submittedThere = new CopyOnWriteArrayList<>();
			Disposable here = countSubmissions(this.eventsHere, submittedHere);
			Disposable there = countSubmissions(other.getBean(JobEventLog.class), submittedThere);
			String tag = "two-instances-" + UUID.randomUUID() + " ";
			WebClient http = WebClient.create("http://127.0.0.1:" + this.port);
			Flux.range(0, JOBS)
				.concatMap((i) -> http.post()
					.uri("/api/v1/jobs")
					.contentType(MediaType.APPLICATION_JSON)
					.bodyValue(Map.of("model", MODEL, "prompt", tag + i, "duration_seconds", 4))
					.retrieve()
					.toBodilessEntity())
				.blockLast();

			await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> completed(tag) == JOBS);
			here.dispose();
			there.dispose();

			StandInLedger ledger = StandInLedger.read(this.db, tag);
			assertThat(ledger.createsPerPrompt()).hasSize(JOBS)
				.allSatisfy((prompt, creates) -> assertThat(creates).isEqualTo(1L));
			// Only this class's jobs: a notice is for any job its instance submitted.
			Set<UUID> ours = ids(tag);
			long byThis = submittedHere.stream().filter(ours::contains).count();
			long byOther = submittedThere.stream().filter(ours::contains).count();
			assertThat(byThis + byOther).isEqualTo(JOBS);
			assertThat(byThis).as("jobs this instance submitted").isPositive();
			assertThat(byOther).as("jobs the other instance submitted").isPositive();
			assertThat(ledger.mostCreatesWithin(Duration.ofSeconds(2))).isLessThanOrEqualTo(6);
			assertThat(ledger.mostRunningAtOnce()).isLessThanOrEqualTo(5);
		}
	}

	private ConfigurableApplicationContext startSecondInstance() {
		List<String> properties = new java.util.ArrayList<>(List.of(SHARED.split("\n")));
		properties.add("server.port=0");
		properties.add("spring.r2dbc.url=" + this.environment.getRequiredProperty("spring.r2dbc.url"));
		properties.add("spring.r2dbc.username=" + this.environment.getRequiredProperty("spring.r2dbc.username"));
		properties.add("spring.r2dbc.password=" + this.environment.getRequiredProperty("spring.r2dbc.password"));
		// As arguments, not builder properties: those are defaults that application.yaml would override.
		return new SpringApplicationBuilder(ReelayApplication.class)
			.run(properties.stream().map((property) -> "--" + property).toArray(String[]::new));
	}

	/** Notices are per instance: each lists only the submissions its own dispatcher made, once per submission. */
	private static Disposable countSubmissions(JobEventLog events, List<UUID> submitted) {
		return events.notices()
			.filter((notice) -> notice.type() == JobEventType.SUBMITTED)
			.subscribe((notice) -> submitted.add(notice.jobId()));
	}

	private Set<UUID> ids(String tag) {
		return this.db.sql("SELECT id FROM jobs WHERE prompt LIKE :tag")
			.bind("tag", tag + "%")
			.map((row) -> row.get("id", UUID.class))
			.all()
			.collect(Collectors.toSet())
			.block();
	}

	private long completed(String tag) {
		return this.db.sql("SELECT count(*) AS n FROM jobs WHERE prompt LIKE :tag AND status = 'completed'")
			.bind("tag", tag + "%")
			.map((row) -> row.get("n", Long.class))
			.one()
			.block();
	}

}
