package dev.reelay.dispatch;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.reelay.provider.StandIn;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * An unkind stand-in of the OpenAI /v1/videos contract over real HTTP, with its own ledger. It knows which job each
 * create came from by a marker the test hands it before that job exists (creates arrive in the order the test lets
 * jobs be submitted), never from anything Reelay sends, as the contract carries no marker: the ledger is the
 * provider's truth, against which Reelay's rows are checked. Per create it can answer, create and lose the answer
 * (a 502 after the fact), or create and hold the answer until released; its list can be closed (503).
 */
final class VideosStandIn implements AutoCloseable {

	enum Create {

		/** Created and answered. */
		ANSWER,
		/** Created, then answered 502: the client cannot tell that it exists. */
		LOSE,
		/** Created; the answer waits until {@link #release()}. */
		HOLD

	}

	/** One generation as the provider keeps it, with the job the test says sent its create. */
	record Generation(String id, String marker, String prompt, String model, String size, String seconds,
			long createdAt, Create outcome) {
	}

	private final MockWebServer server;

	final List<Generation> ledger = new CopyOnWriteArrayList<>();

	final AtomicInteger lists = new AtomicInteger();

	private final Deque<String> markers = new ArrayDeque<>();

	private final Deque<Create> outcomes = new ArrayDeque<>();

	private volatile boolean listsOpen;

	private volatile CountDownLatch held = new CountDownLatch(1);

	private final AtomicInteger ids = new AtomicInteger();

	VideosStandIn() {
		// Started last, once every field its answers read is in place.
		this.server = StandIn.serving(this::answer);
	}

	String baseUrl() {
		return StandIn.url(this.server, "/v1");
	}

	/** The next create comes from the job {@code marker} names, and gets {@code outcome}. */
	synchronized void nextCreate(String marker, Create outcome) {
		this.markers.add(marker);
		this.outcomes.add(outcome);
	}

	synchronized void reset() {
		this.markers.clear();
		this.outcomes.clear();
		this.listsOpen = false;
		this.held = new CountDownLatch(1);
	}

	void openLists() {
		this.listsOpen = true;
	}

	/** Answers the held creates. */
	void release() {
		this.held.countDown();
	}

	List<Generation> createdFor(String marker) {
		return this.ledger.stream().filter((generation) -> generation.marker().equals(marker)).toList();
	}

	List<Generation> withPrompt(String prompt) {
		return this.ledger.stream().filter((generation) -> generation.prompt().equals(prompt)).toList();
	}

	private MockResponse answer(RecordedRequest request) {
		String target = request.getTarget();
		if (request.getMethod().equals("POST") && target.equals("/v1/videos")) {
			return create(request);
		}
		if (request.getMethod().equals("GET") && target.startsWith("/v1/videos?")) {
			this.lists.incrementAndGet();
			if (!this.listsOpen) {
				return error(503, "the list is not available right now");
			}
			List<Generation> newestFirst = new ArrayList<>(this.ledger);
			java.util.Collections.reverse(newestFirst);
			String data = String.join(", ", newestFirst.stream().map(VideosStandIn::json).toList());
			return json(200, "{\"object\": \"list\", \"data\": [" + data + "], \"first_id\": null, \"last_id\": null, "
					+ "\"has_more\": false}");
		}
		if (request.getMethod().equals("GET") && target.startsWith("/v1/videos/")) {
			String id = target.substring("/v1/videos/".length());
			return this.ledger.stream()
				.filter((generation) -> generation.id().equals(id))
				.findFirst()
				.map((generation) -> json(200, json(generation)))
				.orElseGet(() -> error(404, "no such video"));
		}
		return error(404, "not in the stand-in: " + target);
	}

	private MockResponse create(RecordedRequest request) {
		String marker;
		Create outcome;
		synchronized (this) {
			marker = (this.markers.isEmpty()) ? "unknown" : this.markers.poll();
			outcome = (this.outcomes.isEmpty()) ? Create.ANSWER : this.outcomes.poll();
		}
		Generation created = new Generation("video_standin_" + this.ids.incrementAndGet() + "_"
				+ Long.toHexString(System.nanoTime()), marker, StandIn.formField(request, "prompt"),
				StandIn.formField(request, "model"), StandIn.formField(request, "size"),
				StandIn.formField(request, "seconds"), Instant.now().getEpochSecond(), outcome);
		this.ledger.add(created);
		return switch (outcome) {
			case ANSWER -> json(200, json(created));
			case LOSE -> error(502, "bad gateway");
			case HOLD -> {
				try {
					this.held.await(60, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				yield json(200, json(created));
			}
		};
	}

	private static String json(Generation generation) {
		return "{\"id\": \"" + generation.id() + "\", \"object\": \"video\", \"model\": \"" + generation.model()
				+ "\", \"status\": \"in_progress\", \"progress\": 50, \"created_at\": " + generation.createdAt()
				+ ", \"completed_at\": null, \"expires_at\": null, \"prompt\": \"" + generation.prompt()
				+ "\", \"size\": \"" + generation.size() + "\", \"seconds\": \"" + generation.seconds()
				+ "\", \"remixed_from_video_id\": null, \"error\": null}";
	}

	private static MockResponse json(int status, String body) {
		return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json").body(body).build();
	}

	private static MockResponse error(int status, String message) {
		return json(status, "{\"error\": {\"message\": \"" + message + "\", \"type\": \"server_error\", \"param\": null, "
				+ "\"code\": null}}");
	}

	@Override
	public void close() {
		this.held.countDown();
		this.server.close();
	}

}
