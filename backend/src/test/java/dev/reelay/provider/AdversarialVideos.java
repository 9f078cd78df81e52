package dev.reelay.provider;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okio.Buffer;
import okio.BufferedSink;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAI Videos API ({@code /v1/videos}: create, list, retrieve, content) played over real HTTP by a provider
 * that is unkind the way real ones are, with its own ledger. The ledger is the provider's truth: what it created
 * (and would bill), what it served and when every call arrived; tests judge Reelay by it, never by Reelay's own
 * rows.
 * <p>
 * <b>Which job a create came from</b> is told by a hidden marker, never by the prompt as a whole: a {@code [[...]]}
 * token anywhere in the prompt (the contract echoes no metadata of the caller's, so the prompt is the only field
 * that travels), or, for jobs whose prompts are identical on purpose, the marker the test queued for the next create
 * ({@link #nextCreate}).
 * <p>
 * <b>Faults</b> are injected per call, each with a probability drawn from one seeded {@link Random}
 * ({@link #inject}): a create stored and answered after the client's timeout ({@link Fault#CREATE_ANSWERED_LATE}) or
 * never, stored then answered 5xx, 429 with Retry-After, a hang, an HTML 502 page, garbage JSON, a truncated
 * download, odd costs and unknown status words. Standing behaviour is set by fields: how long creates take to be
 * answered, to be listed and to finish, how long the video takes to serve.
 * <p>
 * Several provider instances can share one stand-in: a path prefix before {@code /v1} ({@code /metered/v1/videos})
 * names the instance, and the ledger keeps it with every call.
 */
public final class AdversarialVideos implements AutoCloseable {

	/** What a call can be made to suffer. Each applies to the kinds of call {@link #appliesTo} says. */
	public enum Fault {

		/** The create is stored (billed) at once and answered only after {@link #lateAnswer}. */
		CREATE_ANSWERED_LATE,
		/** The create is stored (billed) and never answered. */
		CREATE_NEVER_ANSWERED,
		/** The create is stored (billed), then answered 500: the caller cannot tell that it exists. */
		CREATE_THEN_5XX,
		/** 429 with a Retry-After; nothing happens. */
		TOO_MANY_REQUESTS,
		/** Never answered; nothing happens. */
		HANG,
		/** A proxy's HTML 502 page; nothing happens. */
		HTML_502,
		/** 200 with a body that is not JSON; nothing happens. */
		GARBAGE_JSON,
		/** Half the video, then the connection shut, with the whole length announced. */
		TRUNCATED_DOWNLOAD,
		/** The video object carries a negative or absurdly large cost. */
		ODD_COST,
		/** The video object carries a status word the contract does not have. */
		UNKNOWN_STATUS;

		boolean appliesTo(Kind kind) {
			return switch (this) {
				case CREATE_ANSWERED_LATE, CREATE_NEVER_ANSWERED, CREATE_THEN_5XX -> kind == Kind.CREATE;
				case TRUNCATED_DOWNLOAD -> kind == Kind.CONTENT;
				case ODD_COST, UNKNOWN_STATUS -> kind == Kind.STATUS;
				case GARBAGE_JSON -> kind != Kind.CONTENT;
				case TOO_MANY_REQUESTS, HANG, HTML_502 -> true;
			};
		}

	}

	/** The kinds of call the contract has (what Reelay uses of it). */
	public enum Kind {

		CREATE, LIST, STATUS, CONTENT, OTHER

	}

	/** How a queued create ({@link #nextCreate}) is answered. */
	public enum CreateAnswer {

		/** Created and answered. */
		ANSWER,
		/** Created, then answered 502: the client cannot tell that it exists. */
		LOSE,
		/** Created; the answer waits until {@link #release()}. */
		HOLD

	}

	/** How one content request for the video is answered, by {@link #contentScript}. */
	public enum ContentAnswer {

		WHOLE, UNAVAILABLE, CUT_CLOSED, CUT_WITH_LENGTH

	}

	/** One generation as the provider keeps it: created, and so billed. */
	public record Generation(String id, String instance, String marker, String prompt, String model, String size,
			String seconds, Instant createdAt, boolean failing) {
	}

	/** One call as it arrived, and what it got. */
	public record Call(String instance, Kind kind, String target, Instant at, long nanos, Fault fault) {
	}

	private static final Pattern MARKER = Pattern.compile("\\[\\[([A-Za-z0-9:_.-]+)\\]\\]");

	private static final Pattern FIELD = Pattern
		.compile("name=\"([a-z_]+)\"\\r\\n(?:[^\\r\\n]+\\r\\n)*\\r\\n([^\\r]*)\\r\\n");

	private static final Pattern PATH = Pattern.compile("^(/[^/]+)?/v1/videos(?:/([^/]+))?(/content)?$");

	private static final byte[] THUMBNAIL = { 'R', 'I', 'F', 'F', 12, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', ' ' };

	private final MockWebServer server;

	private final List<Generation> generations = new CopyOnWriteArrayList<>();

	private final List<Call> calls = new CopyOnWriteArrayList<>();

	private final Map<String, List<Long>> contentRequests = new ConcurrentHashMap<>();

	private final Map<Fault, AtomicInteger> injected = new ConcurrentHashMap<>();

	private final Map<Fault, Double> probabilities = Collections.synchronizedMap(new EnumMap<>(Fault.class));

	private final Deque<String> queuedMarkers = new ArrayDeque<>();

	private final Deque<CreateAnswer> queuedAnswers = new ArrayDeque<>();

	private final AtomicInteger ids = new AtomicInteger();

	private volatile Random random;

	private volatile CountDownLatch held = new CountDownLatch(1);

	private volatile boolean listsOpen = true;

	private volatile BiFunction<Generation, Integer, ContentAnswer> contentScript = (generation,
			attempt) -> ContentAnswer.WHOLE;

	/** How long every create takes to be answered (stored at once all the same). */
	public volatile Duration answerDelay = Duration.ZERO;

	/** How late a {@link Fault#CREATE_ANSWERED_LATE} create is answered: set it past the client's timeout. */
	public volatile Duration lateAnswer = Duration.ofSeconds(10);

	/** A generation shows in the list only this long after it was created. */
	public volatile Duration listDelay = Duration.ZERO;

	/** From create to {@code completed}; {@code null} never finishes ({@code in_progress} for ever). */
	public volatile Duration generationTime = Duration.ZERO;

	/** The share of generations that end {@code failed} instead of {@code completed}. */
	public volatile double failureRate;

	/** How long the video takes to start being served. */
	public volatile Duration contentDelay = Duration.ZERO;

	/** Whether {@code variant=thumbnail} is served (else 404, as for a provider without one). */
	public volatile boolean thumbnails = true;

	/** The video served: a structurally whole MP4. */
	public volatile byte[] video = StandIn.mp4(96);

	public AdversarialVideos() {
		this(0);
	}

	/** {@code seed} decides every fault and failure this stand-in draws. */
	public AdversarialVideos(long seed) {
		this.random = new Random(seed);
		// Started last, once every field its answers read is in place.
		this.server = StandIn.serving(this::answer);
	}

	/** The base URL of the provider instance named by {@code prefix} ("" for none): its {@code base-url}. */
	public String baseUrl(String prefix) {
		return StandIn.url(this.server, (prefix.isEmpty() ? "" : "/" + prefix) + "/v1");
	}

	public String baseUrl() {
		return baseUrl("");
	}

	/** The marker to put in a prompt, which this stand-in reads back from every create. */
	public static String marker(String name) {
		return "[[" + name + "]]";
	}

	/** Draws from a new random sequence: a campaign run reseeds a stand-in it shares with earlier runs. */
	public synchronized void reseed(long seed) {
		this.random = new Random(seed);
	}

	/** From now on each call that {@code fault} applies to suffers it with this probability. */
	public void inject(Fault fault, double probability) {
		this.probabilities.put(fault, probability);
	}

	/** Every fault off. */
	public void calm() {
		this.probabilities.clear();
	}

	/** The next create whose prompt carries no marker is {@code marker}'s, and gets {@code answer}. */
	public synchronized void nextCreate(String marker, CreateAnswer answer) {
		this.queuedMarkers.add(marker);
		this.queuedAnswers.add(answer);
	}

	/** Forgets queued creates, opens the lists and holds the next held creates again. */
	public synchronized void reset() {
		this.queuedMarkers.clear();
		this.queuedAnswers.clear();
		this.listsOpen = true;
		this.held.countDown();
		this.held = new CountDownLatch(1);
	}

	/** Lists answer 503 until {@link #openLists()}. */
	public void closeLists() {
		this.listsOpen = false;
	}

	public void openLists() {
		this.listsOpen = true;
	}

	/** Answers the held creates. */
	public void release() {
		this.held.countDown();
	}

	/** How each content request for a video is answered, by its generation and the request's number (1 first). */
	public void contentScript(BiFunction<Generation, Integer, ContentAnswer> script) {
		this.contentScript = script;
	}

	// --- The ledger -------------------------------------------------------------------------------------------

	public List<Generation> generations() {
		return List.copyOf(this.generations);
	}

	public List<Generation> createdFor(String marker) {
		return this.generations.stream().filter((generation) -> generation.marker().equals(marker)).toList();
	}

	public List<Generation> withPrompt(String prompt) {
		return this.generations.stream().filter((generation) -> generation.prompt().equals(prompt)).toList();
	}

	/** Creates stored per marker, for markers starting with {@code prefix}. */
	public Map<String, Long> createsPerMarker(String prefix) {
		Map<String, Long> creates = new TreeMap<>();
		this.generations.stream()
			.filter((generation) -> generation.marker().startsWith(prefix))
			.forEach((generation) -> creates.merge(generation.marker(), 1L, Long::sum));
		return creates;
	}

	/** Creates stored per prompt, for prompts starting with {@code prefix} (for tests whose prompts are unique). */
	public Map<String, Long> createsPerPrompt(String prefix) {
		Map<String, Long> creates = new TreeMap<>();
		this.generations.stream()
			.filter((generation) -> generation.prompt().startsWith(prefix))
			.forEach((generation) -> creates.merge(generation.prompt(), 1L, Long::sum));
		return creates;
	}

	/** Video requests served per generation id, for the generations of prompts starting with {@code prefix}. */
	public Map<String, Integer> downloadsPerVideoOfPrompts(String prefix) {
		Map<String, Integer> served = new TreeMap<>();
		this.generations.stream()
			.filter((generation) -> generation.prompt().startsWith(prefix))
			.forEach((generation) -> served.put(generation.id(), contentRequests(generation.id()).size()));
		return served;
	}

	/** Files {@code generation} under another marker: the test learns which job a queued create was once it exists. */
	public void relabel(Generation generation, String marker) {
		int at = this.generations.indexOf(generation);
		this.generations.set(at, new Generation(generation.id(), generation.instance(), marker, generation.prompt(),
				generation.model(), generation.size(), generation.seconds(), generation.createdAt(),
				generation.failing()));
	}

	/** Video requests served per generation id, for the generations of markers starting with {@code prefix}. */
	public Map<String, Integer> downloadsPerVideo(String prefix) {
		Map<String, Integer> served = new TreeMap<>();
		this.generations.stream()
			.filter((generation) -> generation.marker().startsWith(prefix))
			.forEach((generation) -> served.put(generation.id(), contentRequests(generation.id()).size()));
		return served;
	}

	/** When each video request for {@code id} arrived, in milliseconds of {@link System#nanoTime()}. */
	public List<Long> contentRequests(String id) {
		return List.copyOf(this.contentRequests.getOrDefault(id, List.of()));
	}

	public List<Call> calls() {
		return List.copyOf(this.calls);
	}

	/** Faults injected so far, by kind. */
	public Map<Fault, Integer> injected() {
		Map<Fault, Integer> counts = new EnumMap<>(Fault.class);
		this.injected.forEach((fault, count) -> counts.put(fault, count.get()));
		return counts;
	}

	/** The most calls of {@code instance} among {@code kinds} that arrived within any window of {@code per}. */
	public long mostCallsWithin(String instance, Duration per, Kind... kinds) {
		return densestWindow(instance, Instant.EPOCH, per, kinds).size();
	}

	/**
	 * The calls of the window of {@code per} that held the most calls of {@code instance} among {@code kinds}, of
	 * those that arrived from {@code since} on.
	 */
	public List<Call> densestWindow(String instance, Instant since, Duration per, Kind... kinds) {
		List<Call> at = this.calls.stream()
			.filter((call) -> call.instance().equals(instance) && List.of(kinds).contains(call.kind())
					&& !call.at().isBefore(since))
			.sorted(java.util.Comparator.comparingLong(Call::nanos))
			.toList();
		int bestStart = 0;
		int bestEnd = -1;
		int start = 0;
		for (int end = 0; end < at.size(); end++) {
			while (at.get(end).nanos() - at.get(start).nanos() >= per.toNanos()) {
				start++;
			}
			if (end - start > bestEnd - bestStart) {
				bestStart = start;
				bestEnd = end;
			}
		}
		return at.subList(bestStart, bestEnd + 1);
	}

	// --- Answers ----------------------------------------------------------------------------------------------

	private MockResponse answer(RecordedRequest request) {
		String path = request.getUrl().encodedPath();
		Matcher parts = PATH.matcher(path);
		if (!parts.matches()) {
			return error(404, "not in the stand-in: " + path);
		}
		String instance = (parts.group(1) != null) ? parts.group(1).substring(1) : "";
		String id = parts.group(2);
		boolean post = request.getMethod().equals("POST");
		Kind kind = (id == null) ? (post ? Kind.CREATE : Kind.LIST)
				: (parts.group(3) != null) ? Kind.CONTENT : (request.getMethod().equals("GET") ? Kind.STATUS : Kind.OTHER);
		Fault fault = draw(kind);
		this.calls.add(new Call(instance, kind, request.getTarget(), Instant.now(), System.nanoTime(), fault));
		if (fault != null) {
			this.injected.computeIfAbsent(fault, (key) -> new AtomicInteger()).incrementAndGet();
			switch (fault) {
				case TOO_MANY_REQUESTS:
					return json(429, errorBody("Rate limit reached for requests", "rate_limit_exceeded"))
						.newBuilder().setHeader("Retry-After", "1").build();
				case HANG:
					return new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build();
				case HTML_502:
					return new MockResponse.Builder().code(502).setHeader("Content-Type", "text/html")
						.body("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
								+ "</h1></center><hr><center>nginx</center></body></html>")
						.build();
				case GARBAGE_JSON:
					return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
						.body("{\"id\": \"video_\", \"object\": \"vid")
						.build();
				default:
					break;
			}
		}
		return switch (kind) {
			case CREATE -> create(request, instance, fault);
			case LIST -> list(instance);
			case STATUS -> status(id, fault);
			case CONTENT -> content(id, request.getUrl().queryParameter("variant"), fault);
			case OTHER -> error(404, "not in the stand-in: " + request.getMethod() + " " + path);
		};
	}

	private synchronized Fault draw(Kind kind) {
		for (Fault fault : Fault.values()) {
			Double probability = this.probabilities.get(fault);
			if (probability != null && fault.appliesTo(kind) && this.random.nextDouble() < probability) {
				return fault;
			}
		}
		return null;
	}

	/** Stored (and billed) the moment it arrives, whatever the answer. */
	private MockResponse create(RecordedRequest request, String instance, Fault fault) {
		Map<String, String> fields = fields(request);
		String prompt = fields.getOrDefault("prompt", "");
		Matcher marked = MARKER.matcher(prompt);
		String marker;
		CreateAnswer queued = CreateAnswer.ANSWER;
		boolean failing;
		synchronized (this) {
			if (marked.find()) {
				marker = marked.group(1);
			}
			else {
				marker = this.queuedMarkers.isEmpty() ? "unknown" : this.queuedMarkers.poll();
				queued = this.queuedAnswers.isEmpty() ? CreateAnswer.ANSWER : this.queuedAnswers.poll();
			}
			failing = this.failureRate > 0 && this.random.nextDouble() < this.failureRate;
		}
		Generation created = new Generation(
				"video_" + this.ids.incrementAndGet() + "_" + Long.toHexString(System.nanoTime()), instance, marker,
				prompt, fields.getOrDefault("model", "sora-2"), fields.getOrDefault("size", "1280x720"),
				fields.getOrDefault("seconds", "4"), Instant.now(), failing);
		this.generations.add(created);
		if (fault == Fault.CREATE_NEVER_ANSWERED) {
			return new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build();
		}
		if (fault == Fault.CREATE_THEN_5XX || queued == CreateAnswer.LOSE) {
			return json(fault == Fault.CREATE_THEN_5XX ? 500 : 502, errorBody("The server had an error", null));
		}
		if (queued == CreateAnswer.HOLD) {
			try {
				this.held.await(60, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		Duration delay = (fault == Fault.CREATE_ANSWERED_LATE) ? this.lateAnswer : this.answerDelay;
		return json(200, video(created, "queued", 0, null)).newBuilder()
			.headersDelay(delay.toMillis(), TimeUnit.MILLISECONDS)
			.build();
	}

	/** Newest first, one page, and only what was created at least {@link #listDelay} ago. */
	private MockResponse list(String instance) {
		if (!this.listsOpen) {
			return error(503, "the list is not available right now");
		}
		Instant visibleBefore = Instant.now().minus(this.listDelay);
		List<String> data = new ArrayList<>();
		List<Generation> all = new ArrayList<>(this.generations);
		for (int i = all.size() - 1; i >= 0; i--) {
			Generation generation = all.get(i);
			if (generation.instance().equals(instance) && !generation.createdAt().isAfter(visibleBefore)) {
				data.add(current(generation, null));
			}
		}
		return json(200, "{\"object\": \"list\", \"data\": [" + String.join(", ", data)
				+ "], \"first_id\": null, \"last_id\": null, \"has_more\": false}");
	}

	private MockResponse status(String id, Fault fault) {
		Generation generation = find(id);
		return (generation != null) ? json(200, current(generation, fault)) : error(404, "no such video");
	}

	private MockResponse content(String id, String variant, Fault fault) {
		Generation generation = find(id);
		if (generation == null) {
			return error(404, "no such video");
		}
		if (!"video".equals(variant)) {
			return this.thumbnails
					? new MockResponse.Builder().code(200).setHeader("Content-Type", "image/webp")
						.body(new Buffer().write(THUMBNAIL)).build()
					: error(404, "no thumbnail");
		}
		List<Long> seen = this.contentRequests.computeIfAbsent(id, (key) -> new CopyOnWriteArrayList<>());
		seen.add(System.nanoTime() / 1_000_000);
		ContentAnswer answer = (fault == Fault.TRUNCATED_DOWNLOAD) ? ContentAnswer.CUT_WITH_LENGTH
				: this.contentScript.apply(generation, seen.size());
		byte[] bytes = this.video;
		return switch (answer) {
			case UNAVAILABLE -> error(503, "content store unavailable");
			case CUT_CLOSED, CUT_WITH_LENGTH -> cutAtHalf(bytes, answer == ContentAnswer.CUT_WITH_LENGTH);
			case WHOLE -> new MockResponse.Builder().code(200)
				.setHeader("Content-Type", "video/mp4")
				.headersDelay(this.contentDelay.toMillis(), TimeUnit.MILLISECONDS)
				.body(new Buffer().write(bytes))
				.build();
		};
	}

	private Generation find(String id) {
		return this.generations.stream().filter((generation) -> generation.id().equals(id)).findFirst().orElse(null);
	}

	/** The generation as it stands now: queued, in progress, then completed (or failed) after generationTime. */
	private String current(Generation generation, Fault fault) {
		Duration took = this.generationTime;
		long elapsed = Duration.between(generation.createdAt(), Instant.now()).toMillis();
		String status;
		int progress;
		if (took == null || elapsed < took.toMillis()) {
			status = "in_progress";
			progress = (took == null) ? 50 : (int) Math.min(99, elapsed * 100 / Math.max(1, took.toMillis()));
		}
		else {
			status = generation.failing() ? "failed" : "completed";
			progress = 100;
		}
		if (fault == Fault.UNKNOWN_STATUS) {
			status = "rendering_on_the_moon";
		}
		String extra = null;
		if (fault == Fault.ODD_COST) {
			extra = "\"usage\": {\"cost_usd\": " + ((generation.id().hashCode() % 2 == 0) ? "-12.5" : "1e30") + "}";
		}
		return video(generation, status, progress, extra);
	}

	private static String video(Generation generation, String status, int progress, String extra) {
		String error = status.equals("failed")
				? "{\"code\": \"video_generation_failed\", \"message\": \"The video could not be generated\"}" : "null";
		return "{\"id\": \"" + generation.id() + "\", \"object\": \"video\", \"model\": \"" + generation.model()
				+ "\", \"status\": \"" + status + "\", \"progress\": " + progress + ", \"created_at\": "
				+ generation.createdAt().getEpochSecond() + ", \"completed_at\": null, \"expires_at\": null, "
				+ "\"prompt\": " + quote(generation.prompt()) + ", \"size\": \"" + generation.size() + "\", \"seconds\": \""
				+ generation.seconds() + "\", \"remixed_from_video_id\": null, \"error\": " + error
				+ ((extra != null) ? ", " + extra : "") + "}";
	}

	private static String quote(String text) {
		return tools.jackson.databind.json.JsonMapper.shared().writeValueAsString(text);
	}

	private static Map<String, String> fields(RecordedRequest request) {
		Map<String, String> fields = new java.util.HashMap<>();
		String body = StandIn.body(request);
		String type = request.getHeaders().get("Content-Type");
		if (type != null && type.startsWith("application/json")) {
			JsonNode json = StandIn.jsonBody(request);
			json.properties().forEach((entry) -> {
				if (entry.getValue().isString()) {
					fields.put(entry.getKey(), entry.getValue().asString());
				}
			});
			return fields;
		}
		Matcher field = FIELD.matcher(body);
		while (field.find()) {
			fields.put(field.group(1), field.group(2));
		}
		return fields;
	}

	/**
	 * Half the video, then the connection shut: with the whole length announced, or with none (the body then ends
	 * where the connection does, which HTTP alone cannot tell from a whole body).
	 */
	private static MockResponse cutAtHalf(byte[] whole, boolean withLength) {
		MockResponseBody half = new MockResponseBody() {

			@Override
			public long getContentLength() {
				return whole.length;
			}

			@Override
			public void writeTo(BufferedSink sink) throws IOException {
				sink.write(whole, 0, whole.length / 2);
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

	private static MockResponse error(int status, String message) {
		return json(status, errorBody(message, null));
	}

	private static String errorBody(String message, String code) {
		return "{\"error\": {\"message\": " + quote(message) + ", \"type\": \"server_error\", \"param\": null, \"code\": "
				+ ((code != null) ? quote(code) : "null") + "}}";
	}

	@Override
	public void close() {
		this.held.countDown();
		this.server.close();
	}

}
