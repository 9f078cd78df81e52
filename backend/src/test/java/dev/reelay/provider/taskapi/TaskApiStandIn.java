package dev.reelay.provider.taskapi;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.reelay.provider.StandIn;
import dev.reelay.provider.StandInServer;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A provider's task API over real HTTP, written from its contract file, with its own ledger: the tasks it accepted
 * and the state word each is in, every request it received, and every way a request broke the contract (wrong
 * credentials, a missing header, a field the contract does not name). A request that breaks it is refused the way
 * the provider refuses it; tests assert the ledger's {@link #violations()} is empty.
 */
abstract class TaskApiStandIn implements StandInServer {

	final MockWebServer server = StandIn.serving(this::answer);

	/** Task id → the provider's state word for it. */
	final Map<String, String> tasks = new ConcurrentHashMap<>();

	final List<RecordedRequest> creates = new CopyOnWriteArrayList<>();

	final List<RecordedRequest> received = new CopyOnWriteArrayList<>();

	final List<String> violations = new CopyOnWriteArrayList<>();

	private final Queue<MockResponse> scripted = new ConcurrentLinkedQueue<>();

	private final AtomicInteger ids = new AtomicInteger();

	@Override
	public String url(String path) {
		return StandIn.url(this.server, path);
	}

	/** The next request, whatever it is, gets this answer instead (a failure, a late answer). */
	void next(MockResponse response) {
		this.scripted.add(response);
	}

	@Override
	public void slowly() {
		next(new MockResponse.Builder().headersDelay(1, TimeUnit.SECONDS)
			.setHeader("Content-Type", "application/json")
			.body("{}")
			.build());
	}

	List<String> violations() {
		return this.violations;
	}

	private MockResponse answer(RecordedRequest request) {
		this.received.add(request);
		MockResponse scriptedAnswer = this.scripted.poll();
		if (scriptedAnswer != null) {
			return scriptedAnswer;
		}
		if (request.getUrl().encodedPath().startsWith("/cdn/")) {
			// The result's storage: public, short-lived URLs that want no key.
			if (request.getHeaders().get("Authorization") != null) {
				this.violations.add("a key was sent to the result's storage host");
			}
			return video();
		}
		String refusal = credentialsProblem(request);
		if (refusal != null) {
			this.violations.add(request.getMethod() + " " + request.getTarget() + ": " + refusal);
			return error(401);
		}
		return route(request);
	}

	/** Accepts a create: a new task in the provider's first state. */
	String accept(RecordedRequest create, String firstState) {
		this.creates.add(create);
		String id = idPrefix() + this.ids.incrementAndGet();
		this.tasks.put(id, firstState);
		return id;
	}

	String idPrefix() {
		return "task-";
	}

	/** Records that the create body names exactly the fields the contract allows at its top level. */
	void expectFields(JsonNode body, String where, List<String> allowed) {
		body.propertyNames().forEach((name) -> {
			if (!allowed.contains(name)) {
				this.violations.add(where + " has field '" + name + "', which the contract does not name");
			}
		});
	}

	void expectHeader(RecordedRequest request, String header, String value) {
		if (!value.equals(request.getHeaders().get(header))) {
			this.violations.add(request.getMethod() + " " + request.getTarget() + " lacks " + header + ": " + value);
		}
	}

	/** Why the request's credentials are not the account's; null when they are. */
	abstract @Nullable String credentialsProblem(RecordedRequest request);

	abstract MockResponse route(RecordedRequest request);

	/** An HTTP error in the provider's documented shape (429 with a Retry-After). */
	abstract MockResponse error(int status);

	static MockResponse json(int status, String body) {
		return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json").body(body).build();
	}

	static MockResponse json(String body) {
		return json(200, body);
	}

	static MockResponse video() {
		return new MockResponse.Builder().setHeader("Content-Type", "video/mp4")
			.body(new Buffer().write(StandIn.VIDEO))
			.build();
	}

	static MockResponse notFound() {
		return json(404, "{\"error\": {\"code\": \"NotFound\", \"message\": \"no such route in the stand-in\"}}");
	}

	static String bearer(RecordedRequest request) {
		String value = request.getHeaders().get("Authorization");
		return (value != null && value.startsWith("Bearer ")) ? value.substring("Bearer ".length()) : "";
	}

	@Override
	public void close() {
		this.server.close();
	}

}
