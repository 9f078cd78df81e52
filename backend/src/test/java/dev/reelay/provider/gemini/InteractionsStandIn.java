package dev.reelay.provider.gemini;

import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.reelay.provider.StandIn;
import dev.reelay.provider.StandInServer;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The Gemini API's Interactions endpoints as gemini-interactions.md describes them, with a ledger: every create it
 * accepted (whether or not its answer reached the caller), every interaction's state, every request. It checks
 * what Google checks: the {@code x-goog-api-key} header (else 401 in Google's envelope), the create body's shape
 * ({@code background: true}, a video {@code response_format} whose {@code duration} is a string like {@code "8s"}
 * between 3 and 10 s, known ratios and resolutions; else 400 {@code invalid_request}), unknown ids (400 "Invalid
 * interaction name", not 404) and cancel only while running. It can answer late, fail with any status, lose a
 * create's answer after taking the create, and report states Google has not documented.
 */
final class InteractionsStandIn implements StandInServer {

	static final String KEY = "test-key";

	private static final Pattern INTERACTION = Pattern.compile("/v1beta/interactions/([^/]+)(/cancel)?");

	private static final Pattern FILE = Pattern.compile("/v1beta/files/([A-Za-z0-9_-]+)(:download)?");

	private static final Set<String> RUNNING = Set.of("queued", "in_progress");

	/** Every create taken, in order: the ledger a lost answer is checked against. */
	final List<JsonNode> creates = new CopyOnWriteArrayList<>();

	final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();

	final Map<String, Remote> interactions = new ConcurrentHashMap<>();

	final Map<String, String> fileStates = new ConcurrentHashMap<>();

	private final ConcurrentLinkedDeque<MockResponse> scripted = new ConcurrentLinkedDeque<>();

	private final AtomicInteger ids = new AtomicInteger();

	private volatile boolean loseNextCreateAnswer;

	private volatile boolean answerWithoutId;

	private final MockWebServer server = StandIn.serving(this::answer);

	/** One interaction's state: a status word, and what its finished body holds. */
	static final class Remote {

		volatile String status = "in_progress";

		volatile String model = "gemini-omni-1.1-flash";

		/** The finished video, served inline (base64) or as a Files API file. */
		volatile byte @Nullable [] video;

		volatile boolean asUri;

		volatile @Nullable String refusalText;

		volatile @Nullable String failure;

	}

	@Override
	public String url(String path) {
		return StandIn.url(this.server, path);
	}

	/** The next request, whatever it is, gets this answer instead. */
	void script(MockResponse response) {
		this.scripted.add(response);
	}

	void failNext(int status) {
		MockResponse.Builder response = new MockResponse.Builder().code(status)
			.setHeader("Content-Type", "application/json")
			.body(googleError(status, "Request failed", (status == 429) ? "RESOURCE_EXHAUSTED" : "INVALID_ARGUMENT",
					(status == 429) ? "[{\"@type\": \"type.googleapis.com/google.rpc.RetryInfo\", \"retryDelay\": \"17s\"}]"
							: "[]"));
		script(response.build());
	}

	@Override
	public void slowly() {
		script(new MockResponse.Builder().headersDelay(1, TimeUnit.SECONDS)
			.setHeader("Content-Type", "application/json")
			.body("{}")
			.build());
	}

	/** The next create is taken (and billed) but its answer never arrives: the connection drops first. */
	void loseNextCreateAnswer() {
		this.loseNextCreateAnswer = true;
	}

	void answerNextCreateWithoutId() {
		this.answerWithoutId = true;
	}

	Remote remote(String id) {
		Remote remote = this.interactions.get(id);
		if (remote == null) {
			throw new IllegalStateException("the stand-in holds no interaction " + id);
		}
		return remote;
	}

	void complete(String id, byte[] video, boolean asUri) {
		Remote remote = remote(id);
		remote.video = video;
		remote.asUri = asUri;
		remote.status = "completed";
	}

	long requests(String method, String pathPrefix) {
		return this.requests.stream()
			.filter((request) -> request.getMethod().equals(method)
					&& request.getUrl().encodedPath().startsWith(pathPrefix))
			.count();
	}

	private MockResponse answer(RecordedRequest request) {
		this.requests.add(request);
		if (!KEY.equals(request.getHeaders().get("x-goog-api-key"))) {
			return json(401, googleError(401, "API key not valid. Please pass a valid API key.", "UNAUTHENTICATED",
					"[{\"reason\": \"API_KEY_INVALID\"}]"));
		}
		MockResponse scripted = this.scripted.poll();
		if (scripted != null) {
			return scripted;
		}
		String path = request.getUrl().encodedPath();
		if (request.getMethod().equals("POST") && path.equals("/v1beta/interactions")) {
			return create(StandIn.jsonBody(request));
		}
		Matcher interaction = INTERACTION.matcher(path);
		if (interaction.matches()) {
			Remote remote = this.interactions.get(interaction.group(1));
			if (remote == null) {
				return json(400, "{\"error\": {\"code\": \"invalid_request\", \"message\": \"Invalid interaction name\"}}");
			}
			if (interaction.group(2) != null && request.getMethod().equals("POST")) {
				if (!RUNNING.contains(remote.status)) {
					return json(400, "{\"error\": {\"code\": \"invalid_request\", \"message\": "
							+ "\"Only background interactions that are still running can be cancelled.\"}}");
				}
				remote.status = "cancelled";
			}
			return json(200, body(interaction.group(1), remote));
		}
		Matcher file = FILE.matcher(path);
		if (file.matches() && request.getMethod().equals("GET")) {
			String id = file.group(1);
			Remote owner = this.interactions.get(id);
			if (owner == null || owner.video == null) {
				return json(404, googleError(404, "File not found", "NOT_FOUND", "[]"));
			}
			if (file.group(2) == null) {
				return json(200, "{\"name\": \"files/" + id + "\", \"mimeType\": \"video/mp4\", \"state\": \""
						+ this.fileStates.getOrDefault(id, "ACTIVE") + "\"}");
			}
			if (!"media".equals(request.getUrl().queryParameter("alt"))) {
				return json(400, googleError(400, "alt=media is required to download", "INVALID_ARGUMENT", "[]"));
			}
			return new MockResponse.Builder().code(200)
				.setHeader("Content-Type", "video/mp4")
				.body(new okio.Buffer().write(owner.video))
				.build();
		}
		return json(404, googleError(404, "Not found: " + path, "NOT_FOUND", "[]"));
	}

	private MockResponse create(JsonNode body) {
		String problem = problem(body);
		if (problem != null) {
			return json(400, "{\"error\": {\"code\": \"invalid_request\", \"message\": \"" + problem + "\"}}");
		}
		this.creates.add(body);
		String id = "v1_ChdYb" + this.ids.incrementAndGet();
		Remote remote = new Remote();
		remote.model = body.get("model").stringValue();
		this.interactions.put(id, remote);
		if (this.loseNextCreateAnswer) {
			this.loseNextCreateAnswer = false;
			return new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build();
		}
		if (this.answerWithoutId) {
			this.answerWithoutId = false;
			return json(200, "{\"object\": \"interaction\", \"status\": \"in_progress\"}");
		}
		return json(200, body(id, remote));
	}

	/** What Google's create would refuse, in its words; null when the body is acceptable. */
	private static @Nullable String problem(JsonNode body) {
		if (body.path("model").stringValue("").isBlank()) {
			return "model is required";
		}
		if (!body.path("input").isString() && !body.path("input").isArray()) {
			return "input must be a string or an array of content";
		}
		if (!body.path("background").asBoolean(false)) {
			return "this stand-in only plays background interactions";
		}
		JsonNode format = body.path("response_format");
		if (!"video".equals(format.path("type").stringValue(""))) {
			return "response_format.type must be video";
		}
		JsonNode duration = format.path("duration");
		if (!duration.isString() || !duration.stringValue().matches("\\d+(\\.\\d+)?s")) {
			return "duration must be a Duration string such as 8s";
		}
		double seconds = Double.parseDouble(duration.stringValue().replace("s", ""));
		if (seconds < 3 || seconds > 10) {
			return "duration must be between 3s and 10s";
		}
		if (!Set.of("16:9", "9:16").contains(format.path("aspect_ratio").stringValue("16:9"))) {
			return "aspect_ratio must be 16:9 or 9:16";
		}
		if (!Set.of("360p", "720p", "1080p", "4k").contains(format.path("resolution").stringValue("720p"))) {
			return "resolution must be 360p, 720p, 1080p or 4k";
		}
		if (!Set.of("inline", "uri").contains(format.path("delivery").stringValue("inline"))) {
			return "delivery must be inline or uri";
		}
		return null;
	}

	private String body(String id, Remote remote) {
		String now = Instant.now().toString();
		StringBuilder body = new StringBuilder("{\"id\": \"" + id + "\", \"object\": \"interaction\", \"model\": \""
				+ remote.model + "\", \"status\": \"" + remote.status + "\", \"created\": \"" + now
				+ "\", \"updated\": \"" + now + "\"");
		if (remote.failure != null) {
			body.append(", \"errors\": [{\"code\": \"https://ai.google.dev/errors/").append(remote.failure)
				.append("\", \"message\": \"The generation failed (").append(remote.failure).append(").\"}]");
		}
		if ("completed".equals(remote.status)) {
			body.append(", \"steps\": [{\"type\": \"user_input\", \"content\": [{\"type\": \"text\", \"text\": \"...\"}]}, "
					+ "{\"type\": \"thought\", \"content\": [{\"type\": \"thought\", \"text\": \"planning\"}]}, "
					+ "{\"type\": \"model_output\", \"content\": [");
			if (remote.refusalText != null) {
				body.append("{\"type\": \"text\", \"text\": \"").append(remote.refusalText).append("\"}");
			}
			else if (remote.video != null && remote.asUri) {
				body.append("{\"type\": \"video\", \"mime_type\": \"video/mp4\", \"uri\": \"")
					.append(url("/v1beta/files/" + id + ":download?alt=media"))
					.append("\"}");
			}
			else if (remote.video != null) {
				body.append("{\"type\": \"video\", \"mime_type\": \"video/mp4\", \"data\": \"")
					.append(Base64.getEncoder().encodeToString(remote.video))
					.append("\"}");
			}
			body.append("]}], \"usage\": {\"output_tokens_by_modality\": [{\"modality\": \"video\", \"tokens\": ")
				.append((remote.video != null) ? 57920 : 0)
				.append("}]}");
		}
		return body.append('}').toString();
	}

	static String googleError(int code, String message, String status, String details) {
		return "{\"error\": {\"code\": " + code + ", \"message\": \"" + message + "\", \"status\": \"" + status
				+ "\", \"details\": " + details + "}}";
	}

	private static MockResponse json(int status, String body) {
		return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json").body(body).build();
	}

	@Override
	public void close() {
		this.server.close();
	}

}
