package dev.reelay.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.reelay.provider.StandIn;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.ByteString;

/**
 * An OpenAI Videos stand-in that is unkind the way real providers are: it stores a create the moment it arrives
 * (and would bill it) but answers only after {@code answerDelay}, lists a video only {@code listDelay} after it
 * was created, and takes {@code contentDelay} before serving a video. Its own ledger, not Reelay's view, is what
 * the tests judge: creates accepted per prompt (each job's prompt carries a unique marker) and downloads per video.
 */
final class UnkindStandIn implements AutoCloseable {

	private static final Pattern FIELD = Pattern
		.compile("name=\"([a-z_]+)\"\\r\\n(?:[^\\r\\n]+\\r\\n)*\\r\\n([^\\r]*)\\r\\n");

	private static final byte[] VIDEO = StandIn.mp4(96);

	private final MockWebServer server;

	private final List<Video> videos = new CopyOnWriteArrayList<>();

	private final Map<String, AtomicInteger> downloads = new ConcurrentHashMap<>();

	private final AtomicInteger ids = new AtomicInteger();

	volatile Duration answerDelay = Duration.ZERO;

	volatile Duration listDelay = Duration.ZERO;

	volatile Duration contentDelay = Duration.ZERO;

	UnkindStandIn() {
		// Started last, once every field its answers read is in place.
		this.server = StandIn.serving(this::answer);
	}

	/** The base URL to configure as the provider instance's {@code base-url}. */
	String baseUrl() {
		return StandIn.url(this.server, "/v1");
	}

	/** Creates accepted for prompts starting with {@code prefix}, per prompt. */
	Map<String, Long> createsPerPrompt(String prefix) {
		Map<String, Long> creates = new java.util.TreeMap<>();
		this.videos.stream()
			.filter((video) -> video.prompt().startsWith(prefix))
			.forEach((video) -> creates.merge(video.prompt(), 1L, Long::sum));
		return creates;
	}

	/** Video downloads served per video id, for the videos of prompts starting with {@code prefix}. */
	Map<String, Integer> downloadsPerVideo(String prefix) {
		Map<String, Integer> served = new java.util.TreeMap<>();
		this.videos.stream()
			.filter((video) -> video.prompt().startsWith(prefix))
			.forEach((video) -> served.put(video.id(),
					this.downloads.getOrDefault(video.id(), new AtomicInteger()).get()));
		return served;
	}

	private MockResponse answer(RecordedRequest request) {
		String method = request.getMethod();
		String path = request.getUrl().encodedPath();
		if ("POST".equals(method) && path.equals("/v1/videos")) {
			return create(request);
		}
		if ("GET".equals(method) && path.equals("/v1/videos")) {
			return list();
		}
		Matcher content = Pattern.compile("/v1/videos/([^/]+)/content").matcher(path);
		if ("GET".equals(method) && content.matches()) {
			if (!"video".equals(request.getUrl().queryParameter("variant"))) {
				return new MockResponse.Builder().code(404).body("{\"error\": {\"message\": \"no thumbnail\"}}").build();
			}
			this.downloads.computeIfAbsent(content.group(1), (id) -> new AtomicInteger()).incrementAndGet();
			return new MockResponse.Builder().code(200)
				.setHeader("Content-Type", "video/mp4")
				.headersDelay(this.contentDelay.toMillis(), TimeUnit.MILLISECONDS)
				.body(new okio.Buffer().write(VIDEO))
				.build();
		}
		Matcher one = Pattern.compile("/v1/videos/([^/]+)").matcher(path);
		if ("GET".equals(method) && one.matches()) {
			return this.videos.stream()
				.filter((video) -> video.id().equals(one.group(1)))
				.findFirst()
				.map((video) -> json(video.json("completed")))
				.orElseGet(() -> new MockResponse.Builder().code(404).body("{\"error\": {\"message\": \"no such video\"}}").build());
		}
		return new MockResponse.Builder().code(404).body("{\"error\": {\"message\": \"not in the stand-in\"}}").build();
	}

	/** Stored (and billed) at once; answered only after {@code answerDelay}, whether anyone still listens or not. */
	private MockResponse create(RecordedRequest request) {
		ByteString body = request.getBody();
		Map<String, String> fields = new java.util.HashMap<>();
		Matcher field = FIELD.matcher((body != null) ? body.utf8() : "");
		while (field.find()) {
			fields.put(field.group(1), field.group(2));
		}
		Video video = new Video("video_unkind_" + this.ids.incrementAndGet(), fields.getOrDefault("prompt", ""),
				fields.getOrDefault("model", "sora-2"), fields.getOrDefault("size", "1280x720"),
				fields.getOrDefault("seconds", "4"), Instant.now());
		this.videos.add(video);
		return new MockResponse.Builder().code(200)
			.setHeader("Content-Type", "application/json")
			.headersDelay(this.answerDelay.toMillis(), TimeUnit.MILLISECONDS)
			.body(video.json("queued"))
			.build();
	}

	/** Newest first, and only what has been created at least {@code listDelay} ago. */
	private MockResponse list() {
		Instant visibleBefore = Instant.now().minus(this.listDelay);
		List<String> data = new ArrayList<>();
		for (int i = this.videos.size() - 1; i >= 0; i--) {
			Video video = this.videos.get(i);
			if (!video.at().isAfter(visibleBefore)) {
				data.add(video.json("in_progress"));
			}
		}
		return json("{\"object\": \"list\", \"data\": [" + String.join(", ", data) + "], \"has_more\": false}");
	}

	private static MockResponse json(String body) {
		return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json").body(body).build();
	}

	@Override
	public void close() {
		this.server.close();
	}

	private record Video(String id, String prompt, String model, String size, String seconds, Instant at) {

		String json(String status) {
			return "{\"id\": \"" + this.id + "\", \"object\": \"video\", \"model\": \"" + this.model + "\", \"status\": \""
					+ status + "\", \"progress\": " + ("completed".equals(status) ? 100 : 0) + ", \"created_at\": "
					+ this.at.getEpochSecond() + ", \"prompt\": \"" + this.prompt + "\", \"size\": \"" + this.size
					+ "\", \"seconds\": \"" + this.seconds + "\", \"error\": null}";
		}

	}

}
