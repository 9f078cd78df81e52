package dev.reelay.dispatch;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.reelay.provider.StandIn;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okio.Buffer;
import okio.BufferedSink;
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

	private static final byte[] THUMBNAIL = { 'R', 'I', 'F', 'F', 12, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', ' ' };

	private static final StandInProvider PROVIDER = new StandInProvider();

	@DynamicPropertySource
	static void atTheStandIn(DynamicPropertyRegistry properties) {
		properties.add("reelay.providers.instances.unkind.base-url", () -> PROVIDER.url("/v1"));
		properties.add("reelay.providers.instances.metered.base-url", () -> PROVIDER.url("/metered/v1"));
	}

	@AfterAll
	static void stop() {
		PROVIDER.server.close();
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
		List<Long> calls = PROVIDER.meteredCalls();
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
	 * The OpenAI Videos API with an unkind content endpoint, chosen per job by a marker in its prompt. Keeps its own
	 * ledger: when each content request for each generation arrived.
	 */
	static final class StandInProvider {

		final MockWebServer server;

		private final AtomicInteger ids = new AtomicInteger();

		private final Map<String, String> modes = new ConcurrentHashMap<>();

		private final Map<String, List<Long>> content = new ConcurrentHashMap<>();

		private final List<Long> metered = new CopyOnWriteArrayList<>();

		StandInProvider() {
			// Started last, once every field its answers read is in place.
			this.server = StandIn.serving(this::answer);
		}

		String url(String path) {
			return StandIn.url(this.server, path);
		}

		/** When each request other than a create reached the "metered" instance's API, in milliseconds. */
		List<Long> meteredCalls() {
			return List.copyOf(this.metered);
		}

		List<Long> contentRequests(String remoteId) {
			return List.copyOf(this.content.getOrDefault(remoteId, List.of()));
		}

		private MockResponse answer(RecordedRequest request) {
			String path = request.getUrl().encodedPath();
			if (path.startsWith("/metered/")) {
				path = path.substring("/metered".length());
				if (!request.getMethod().equals("POST")) {
					this.metered.add(System.nanoTime() / 1_000_000);
				}
			}
			if (request.getMethod().equals("POST") && path.equals("/v1/videos")) {
				String body = StandIn.body(request);
				String id = "video_unkind_" + this.ids.incrementAndGet();
				this.modes.put(id, body.contains("[503]") ? "503" : body.contains("[cut-close]") ? "cut-close"
						: body.contains("[cut-length]") ? "cut-length" : "whole");
				return json(200, video(id, "queued"));
			}
			String id = path.replaceFirst("^/v1/videos/([^/]+).*$", "$1");
			if (path.endsWith("/content")) {
				if (!"video".equals(request.getUrl().queryParameter("variant"))) {
					return new MockResponse.Builder().code(200).setHeader("Content-Type", "image/webp")
						.body(new Buffer().write(THUMBNAIL)).build();
				}
				List<Long> seen = this.content.computeIfAbsent(id, (key) -> new CopyOnWriteArrayList<>());
				seen.add(System.nanoTime() / 1_000_000);
				String mode = this.modes.getOrDefault(id, "whole");
				if (mode.equals("503")) {
					return json(503, "{\"error\": {\"message\": \"content store unavailable\", \"type\": \"server_error\"}}");
				}
				boolean cut = mode.startsWith("cut") && seen.size() <= 2;
				return cut ? cutAtHalf(mode.equals("cut-length"))
						: new MockResponse.Builder().code(200).setHeader("Content-Type", "video/mp4")
							.body(new Buffer().write(WHOLE)).build();
			}
			return json(200, video(id, "completed"));
		}

		/**
		 * Half the video, then the connection shut: with the whole length announced, or with none (the body then
		 * ends where the connection does, which HTTP alone cannot tell from a whole body).
		 */
		private static MockResponse cutAtHalf(boolean withLength) {
			MockResponseBody half = new MockResponseBody() {

				@Override
				public long getContentLength() {
					return WHOLE.length;
				}

				@Override
				public void writeTo(BufferedSink sink) throws IOException {
					sink.write(WHOLE, 0, WHOLE.length / 2);
					sink.flush();
				}

			};
			MockResponse.Builder response = new MockResponse.Builder().code(200)
				.setHeader("Content-Type", "video/mp4")
				.body(half)
				.setHeader("Connection", "close")
				.onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE);
			if (!withLength) {
				response.removeHeader("Content-Length");
			}
			return response.build();
		}

		private static MockResponse json(int status, String body) {
			return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json").body(body).build();
		}

		private static String video(String id, String status) {
			return "{\"id\": \"" + id + "\", \"object\": \"video\", \"model\": \"sora-2\", \"status\": \"" + status
					+ "\", \"progress\": " + (status.equals("completed") ? 100 : 0) + ", \"created_at\": 1, "
					+ "\"prompt\": \"p\", \"size\": \"1280x720\", \"seconds\": \"4\", \"error\": null}";
		}

	}

}
