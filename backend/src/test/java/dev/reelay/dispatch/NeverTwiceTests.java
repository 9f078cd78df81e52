package dev.reelay.dispatch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.reelay.ReelayApplication;
import dev.reelay.provider.AdversarialVideos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Never paid twice, never lost, against a provider stand-in over real HTTP that is unkind the way real providers
 * are: it answers a create after the client gave up and lists it late, serves videos slowly, and is still answering
 * while an instance stops. Judged on the stand-in's own ledger. Each case has its own provider instance (and
 * stand-in); the built-in simulator is off here, so this dispatcher works no other test class's jobs.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.dispatch.enabled=true", "reelay.dispatch.tick=100ms", "reelay.dispatch.retry-base=100ms",
				"reelay.dispatch.retry-max=1s", "reelay.dispatch.lease=6s",
				"reelay.providers.instances.simulator.enabled=false",
				// A create answered after the client's 2 s timeout, listed only 4 s after it arrived.
				"reelay.providers.instances.laggard.family=openai-videos",
				"reelay.providers.instances.laggard.api-key=test", "reelay.providers.instances.laggard.timeout=2s",
				"reelay.providers.instances.laggard.poll-interval=200ms",
				"reelay.dispatch.limits.laggard.submit-grace=6s", "reelay.catalog.custom-models[0].id=laggard-video",
				"reelay.catalog.custom-models[0].display-name=Laggard", "reelay.catalog.custom-models[0].provider=laggard",
				"reelay.catalog.custom-models[0].remote-model=sora-2", "reelay.catalog.custom-models[0].durations=4",
				"reelay.catalog.custom-models[0].aspect-ratios=16:9", "reelay.catalog.custom-models[0].resolutions=720p",
				"reelay.catalog.custom-models[0].price.per-second.720p=0",
				// A video that takes longer to serve than two leases.
				"reelay.providers.instances.slowvideo.family=openai-videos",
				"reelay.providers.instances.slowvideo.api-key=test", "reelay.providers.instances.slowvideo.timeout=40s",
				"reelay.providers.instances.slowvideo.poll-interval=200ms",
				"reelay.catalog.custom-models[1].id=slow-video", "reelay.catalog.custom-models[1].display-name=Slow",
				"reelay.catalog.custom-models[1].provider=slowvideo", "reelay.catalog.custom-models[1].remote-model=sora-2",
				"reelay.catalog.custom-models[1].durations=4", "reelay.catalog.custom-models[1].aspect-ratios=16:9",
				"reelay.catalog.custom-models[1].resolutions=720p",
				"reelay.catalog.custom-models[1].price.per-second.720p=0" })
class NeverTwiceTests {

	static final AdversarialVideos LAGGARD = new AdversarialVideos();

	static final AdversarialVideos SLOW_VIDEO = new AdversarialVideos();

	static final AdversarialVideos DRAINED = new AdversarialVideos();

	static {
		// As the family's thumbnails are optional, these stand-ins have none: one content request per video.
		LAGGARD.thumbnails = false;
		SLOW_VIDEO.thumbnails = false;
		DRAINED.thumbnails = false;
		LAGGARD.answerDelay = Duration.ofSeconds(4);
		LAGGARD.listDelay = Duration.ofSeconds(4);
		SLOW_VIDEO.contentDelay = Duration.ofSeconds(15);
		DRAINED.answerDelay = Duration.ofSeconds(5);
	}

	@DynamicPropertySource
	static void providersAtTheStandIns(DynamicPropertyRegistry properties) {
		properties.add("reelay.providers.instances.laggard.base-url", LAGGARD::baseUrl);
		properties.add("reelay.providers.instances.slowvideo.base-url", SLOW_VIDEO::baseUrl);
	}

	@AfterAll
	static void closeStandIns() {
		LAGGARD.close();
		SLOW_VIDEO.close();
		DRAINED.close();
	}

	@LocalServerPort
	private int port;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private Environment environment;

	/** Finding A: before, each job was created twice (timeout, "not found" 2 s later, a second create). */
	@Test
	void aCreateAnsweredAfterTheTimeoutAndListedLateIsCreatedOnce() {
		String tag = "late-answer-" + UUID.randomUUID() + " ";
		int jobs = 3;
		List<String> ids = submit(this.port, "laggard-video", tag, jobs);

		// Until every job ended, or the stand-in accepted a second create for one of them.
		await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
			.until(() -> statuses(ids).stream().allMatch(NeverTwiceTests::ended)
					|| LAGGARD.createsPerPrompt(tag).values().stream().anyMatch((creates) -> creates > 1));

		assertThat(LAGGARD.createsPerPrompt(tag)).as("creates the stand-in accepted per job").hasSize(jobs)
			.allSatisfy((prompt, creates) -> assertThat(creates).isEqualTo(1L));
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
			.until(() -> statuses(ids).stream().allMatch(NeverTwiceTests::ended));
		assertThat(statuses(ids)).containsOnly("completed");
		assertThat(LAGGARD.createsPerPrompt(tag)).allSatisfy((prompt, creates) -> assertThat(creates).isEqualTo(1L));
	}

	/** Finding 2: before, the lease ran out mid-download and the job was claimed (and downloaded) again. */
	@Test
	void aStepLongerThanItsLeaseKeepsItAndDownloadsOnce() {
		String tag = "slow-video-" + UUID.randomUUID() + " ";
		List<String> ids = submit(this.port, "slow-video", tag, 1);

		// Until the job ended, or the stand-in served its video a second time.
		await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
			.until(() -> statuses(ids).stream().allMatch(NeverTwiceTests::ended)
					|| SLOW_VIDEO.downloadsPerVideoOfPrompts(tag).values().stream().anyMatch((downloads) -> downloads > 1));

		assertThat(SLOW_VIDEO.createsPerPrompt(tag)).hasSize(1)
			.allSatisfy((prompt, creates) -> assertThat(creates).isEqualTo(1L));
		assertThat(SLOW_VIDEO.downloadsPerVideoOfPrompts(tag)).as("downloads the stand-in served per video").hasSize(1)
			.allSatisfy((video, downloads) -> assertThat(downloads).isEqualTo(1));
		assertThat(statuses(ids)).containsOnly("completed");
	}

	/**
	 * Finding 1: before, a graceful stop cut off the create on the wire, so its answer (the remote id) was lost and
	 * the job left submitting, due at once elsewhere. Now the stop waits for the step, which records the id.
	 */
	@Test
	void aGracefulStopLetsACreateOnTheWireFinish() {
		String tag = "drain-" + UUID.randomUUID() + " ";
		List<String> ids;
		try (ConfigurableApplicationContext other = startInstanceWithTheDrainedProvider()) {
			int otherPort = Integer.parseInt(other.getEnvironment().getRequiredProperty("local.server.port"));
			ids = submit(otherPort, "drained-video", tag, 1);
			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
				.until(() -> DRAINED.createsPerPrompt(tag).size() == 1);
		}
		assertThat(DRAINED.createsPerPrompt(tag)).hasSize(1)
			.allSatisfy((prompt, creates) -> assertThat(creates).isEqualTo(1L));
		Map<String, Object> job = this.db.sql("SELECT status, remote_id, lease_owner FROM jobs WHERE id = :id")
			.bind("id", UUID.fromString(ids.get(0)))
			.fetch()
			.one()
			.block();
		assertThat(job).as("the job after the stop").containsEntry("remote_id", DRAINED.generations().get(0).id())
			.containsEntry("lease_owner", null);
		assertThat(job.get("status")).isIn("submitted", "in_progress");
	}

	private ConfigurableApplicationContext startInstanceWithTheDrainedProvider() {
		List<String> properties = new ArrayList<>(List.of("server.port=0", "reelay.dispatch.enabled=true",
				"reelay.dispatch.tick=100ms", "reelay.dispatch.drain-timeout=20s",
				"reelay.providers.instances.simulator.enabled=false",
				"reelay.providers.instances.drained.family=openai-videos", "reelay.providers.instances.drained.api-key=test",
				"reelay.providers.instances.drained.base-url=" + DRAINED.baseUrl(),
				"reelay.providers.instances.drained.timeout=30s",
				"reelay.providers.instances.drained.poll-interval=10s",
				"reelay.catalog.custom-models[0].id=drained-video", "reelay.catalog.custom-models[0].display-name=Drained",
				"reelay.catalog.custom-models[0].provider=drained", "reelay.catalog.custom-models[0].remote-model=sora-2",
				"reelay.catalog.custom-models[0].durations=4", "reelay.catalog.custom-models[0].aspect-ratios=16:9",
				"reelay.catalog.custom-models[0].resolutions=720p",
				"reelay.catalog.custom-models[0].price.per-second.720p=0"));
		properties.add("spring.r2dbc.url=" + this.environment.getRequiredProperty("spring.r2dbc.url"));
		properties.add("spring.r2dbc.username=" + this.environment.getRequiredProperty("spring.r2dbc.username"));
		properties.add("spring.r2dbc.password=" + this.environment.getRequiredProperty("spring.r2dbc.password"));
		// As arguments, not builder properties: those are defaults that application.yaml would override.
		return new SpringApplicationBuilder(ReelayApplication.class)
			.run(properties.stream().map((property) -> "--" + property).toArray(String[]::new));
	}

	private static List<String> submit(int port, String model, String tag, int jobs) {
		WebClient http = WebClient.create("http://127.0.0.1:" + port);
		return Flux.range(0, jobs)
			.concatMap((i) -> http.post()
				.uri("/api/v1/jobs")
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("model", model, "prompt", tag + i, "duration_seconds", 4))
				.retrieve()
				.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
				})
				.map((job) -> (String) job.get("id")))
			.collectList()
			.block(Duration.ofSeconds(60));
	}

	private static boolean ended(String status) {
		return List.of("completed", "failed", "canceled").contains(status);
	}

	private List<String> statuses(List<String> ids) {
		return this.db.sql("SELECT status FROM jobs WHERE id = ANY(:ids)")
			.bind("ids", ids.stream().map(UUID::fromString).toArray(UUID[]::new))
			.map((row) -> row.get("status", String.class))
			.all()
			.collectList()
			.block();
	}

}
