package dev.reelay.dispatch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.reelay.provider.AdversarialVideos;
import dev.reelay.provider.StandIn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Downloads from an unkind provider over real HTTP: an OpenAI-family stand-in whose content endpoint answers 503
 * forever, or cuts the video at half (with and without a Content-Length). Judged by the stand-in's own ledger of
 * content requests per generation (the time each arrived), never by Reelay's view: retries must back off and end,
 * and a cut video must never be stored as the finished one. The instance ("unkind") is this class's own, so no
 * other test context's dispatcher claims its jobs; this context's shared simulator instance is off.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
		"reelay.dispatch.enabled=true", "reelay.dispatch.tick=100ms", "reelay.dispatch.retry-base=200ms",
		"reelay.dispatch.retry-max=1600ms", "reelay.dispatch.give-up.retries=" + UnkindDownloadsTests.GIVE_UP,
		"reelay.providers.instances.simulator.enabled=false",
		"reelay.providers.instances.unkind.family=openai-videos", "reelay.providers.instances.unkind.api-key=test",
		"reelay.providers.instances.unkind.poll-interval=100ms",
		"reelay.catalog.custom-models[0].id=unkind-video", "reelay.catalog.custom-models[0].display-name=Unkind",
		"reelay.catalog.custom-models[0].provider=unkind", "reelay.catalog.custom-models[0].remote-model=sora-2",
		"reelay.catalog.custom-models[0].durations=4", "reelay.catalog.custom-models[0].aspect-ratios=16:9",
		"reelay.catalog.custom-models[0].resolutions=720p",
		"reelay.catalog.custom-models[0].price.per-second.720p=0.25",
		"reelay.providers.instances.metered.family=openai-videos", "reelay.providers.instances.metered.api-key=test",
		"reelay.providers.instances.metered.poll-interval=100ms", "reelay.dispatch.call-margin=1s",
		"reelay.dispatch.limits.metered.polls.count=" + UnkindDownloadsTests.POLLS,
		"reelay.dispatch.limits.metered.polls.per=2s",
		"reelay.catalog.custom-models[1].id=metered-video", "reelay.catalog.custom-models[1].display-name=Metered",
		"reelay.catalog.custom-models[1].provider=metered", "reelay.catalog.custom-models[1].remote-model=sora-2",
		"reelay.catalog.custom-models[1].durations=4", "reelay.catalog.custom-models[1].aspect-ratios=16:9",
		"reelay.catalog.custom-models[1].resolutions=720p",
		"reelay.catalog.custom-models[1].price.per-second.720p=0.25" })
class UnkindDownloadsTests {

	static final int GIVE_UP = 6;

	/** The poll budget of the "metered" instance: calls in any 2 s. */
	static final int POLLS = 4;

	private static final byte[] WHOLE = StandIn.mp4(100_000);

	private static final AdversarialVideos PROVIDER = provider();

	@DynamicPropertySource
	static void atTheStandIn(DynamicPropertyRegistry properties) {
		properties.add("reelay.providers.instances.unkind.base-url", () -> PROVIDER.baseUrl());
		properties.add("reelay.providers.instances.metered.base-url", () -> PROVIDER.baseUrl("metered"));
	}

	@AfterAll
	static void stop() {
		PROVIDER.close();
	}

	@LocalServerPort
	private int port;

	@Test
	void aContentEndpointAnswering503ForeverIsRetriedWithGrowingWaitsAndThenGivenUp() {
		String id = create("[503] " + UUID.randomUUID());
		Map<?, ?> failed = awaitEnd(id, Duration.ofSeconds(90));
		assertThat(failed.get("status")).isEqualTo("failed");
		Map<?, ?> error = (Map<?, ?>) failed.get("error");
		assertThat(error.get("code")).isEqualTo("content_unavailable");
		assertThat((String) error.get("message")).contains("could not be saved after " + (GIVE_UP + 1) + " tries");

		List<Long> tries = PROVIDER.contentRequests(remoteId(failed));
		// Nothing more once the job failed: wait out more than the longest backoff.
		await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10))
			.until(() -> PROVIDER.contentRequests(remoteId(failed)).size() == tries.size());
		assertThat(tries).as("the first try and %d retries, then no more", GIVE_UP).hasSize(GIVE_UP + 1);
		// Each wait at least the backoff for its retry (200 ms doubling, capped at 1.6 s, less up to 25 % jitter);
		// a loaded machine only makes waits longer.
		List<Long> waits = new ArrayList<>();
		for (int i = 1; i < tries.size(); i++) {
			waits.add(tries.get(i) - tries.get(i - 1));
		}
		for (int retry = 1; retry <= GIVE_UP; retry++) {
			long backoff = Math.min(200L << (retry - 1), 1600L);
			assertThat(waits.get(retry - 1)).as("wait before retry %d of %s", retry, waits)
				.isGreaterThanOrEqualTo(backoff * 3 / 4 - 20);
		}
	}

	@Test
	void aVideoCutAtHalfWithoutAContentLengthIsRetriedNeverStored() {
		cutTwiceThenWhole("[cut-close] " + UUID.randomUUID());
	}

	@Test
	void aVideoCutAtHalfWithItsContentLengthIsRetriedNeverStored() {
		cutTwiceThenWhole("[cut-length] " + UUID.randomUUID());
	}

	/**
	 * A step makes several calls (the status, then the video, then the thumbnail): each is counted against the
	 * poll budget, so the stand-in never sees more than the budget in any window, however the steps fall.
	 */
	@Test
	void everyCallOfAStepIsCountedAgainstThePollBudget() {
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			ids.add(create("metered-video", "[metered] " + i + " " + UUID.randomUUID()));
		}
		for (String id : ids) {
			assertThat(awaitEnd(id, Duration.ofSeconds(90)).get("status")).isEqualTo("completed");
		}
		List<Long> calls = meteredCalls();
		assertThat(calls.size()).as("a status, a video and a thumbnail (or none) per job").isGreaterThanOrEqualTo(10);
		long most = 0;
		for (long first : calls) {
			most = Math.max(most, calls.stream().filter((at) -> at >= first && at < first + 2000).count());
		}
		assertThat(most).as("calls in any 2 s at the stand-in, of %s", calls).isLessThanOrEqualTo(POLLS);
	}

	private void cutTwiceThenWhole(String prompt) {
		String id = create(prompt);
		Map<?, ?> completed = awaitEnd(id, Duration.ofSeconds(60));
		assertThat(completed.get("status")).as("%s", completed.get("error")).isEqualTo("completed");
		assertThat(((Map<?, ?>) completed.get("content")).get("length")).isEqualTo(WHOLE.length);
		assertThat(PROVIDER.contentRequests(remoteId(completed))).as("two cut bodies, then the whole one").hasSize(3);
		byte[] stored = http().get().uri("/api/v1/jobs/{id}/content", id).retrieve().bodyToMono(byte[].class)
			.block(Duration.ofSeconds(30));
		assertThat(stored).isEqualTo(WHOLE);
	}

	private String create(String prompt) {
		return create("unkind-video", prompt);
	}

	private String create(String model, String prompt) {
		Map<?, ?> job = http().post().uri("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("model", model, "prompt", prompt, "duration_seconds", 4))
			.retrieve().bodyToMono(Map.class).block(Duration.ofSeconds(30));
		return (String) job.get("id");
	}

	private Map<?, ?> awaitEnd(String id, Duration atMost) {
		Map<?, ?>[] last = new Map<?, ?>[1];
		await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
			last[0] = http().get().uri("/api/v1/jobs/{id}", id).retrieve().bodyToMono(Map.class)
				.block(Duration.ofSeconds(30));
			return List.of("completed", "failed", "canceled").contains(last[0].get("status"));
		});
		return last[0];
	}

	private static String remoteId(Map<?, ?> job) {
		return (String) job.get("remote_id");
	}

	private WebClient http() {
		return WebClient.builder().baseUrl("http://127.0.0.1:" + this.port)
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(1024 * 1024))
			.build();
	}

	/**
	 * The OpenAI Videos API with an unkind content endpoint, chosen per job by a marker in its prompt, and a second
	 * provider instance ("metered") under the path prefix /metered. Its ledger: when each content request for each
	 * generation arrived, and when each call of the metered instance did.
	 */
	private static AdversarialVideos provider() {
		AdversarialVideos provider = new AdversarialVideos();
		provider.video = WHOLE;
		provider.contentScript((generation, attempt) -> {
			String prompt = generation.prompt();
			if (prompt.contains("[503]")) {
				return AdversarialVideos.ContentAnswer.UNAVAILABLE;
			}
			if (attempt <= 2 && prompt.contains("[cut-close]")) {
				return AdversarialVideos.ContentAnswer.CUT_CLOSED;
			}
			if (attempt <= 2 && prompt.contains("[cut-length]")) {
				return AdversarialVideos.ContentAnswer.CUT_WITH_LENGTH;
			}
			return AdversarialVideos.ContentAnswer.WHOLE;
		});
		return provider;
	}

	/** When each request other than a create reached the "metered" instance's API, in milliseconds. */
	private static List<Long> meteredCalls() {
		return PROVIDER.calls()
			.stream()
			.filter((call) -> call.instance().equals("metered") && call.kind() != AdversarialVideos.Kind.CREATE)
			.map((call) -> call.nanos() / 1_000_000)
			.toList();
	}

}
