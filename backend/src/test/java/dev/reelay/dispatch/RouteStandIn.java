package dev.reelay.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
 * One route's provider, an OpenAI Videos stand-in with its own ledger: the creates it accepted (stored, and so
 * billed) and the creates it refused (nothing stored). It refuses creates with {@code refuseWith} (a status such as
 * 429 or 401) while that is set, and answers an accepted create only after {@code answerDelay} (stored at once,
 * as a provider that is slow to answer does).
 */
final class RouteStandIn implements AutoCloseable {

	private static final Pattern FIELD = Pattern
		.compile("name=\"([a-z_]+)\"\\r\\n(?:[^\\r\\n]+\\r\\n)*\\r\\n([^\\r]*)\\r\\n");

	private final MockWebServer server;

	private final List<String> accepted = new CopyOnWriteArrayList<>();

	private final List<String> refused = new CopyOnWriteArrayList<>();

	private final List<Instant> acceptedAt = new CopyOnWriteArrayList<>();

	private final AtomicInteger ids = new AtomicInteger();

	private final String name;

	volatile int refuseWith;

	volatile Duration answerDelay = Duration.ZERO;

	/** Polls and downloads answered 503 while set: the instance is failing, for breaker tests. */
	volatile boolean failing;

	RouteStandIn(String name) {
		this.name = name;
		this.server = StandIn.serving(this::answer);
	}

	String name() {
		return this.name;
	}

	String baseUrl() {
		return StandIn.url(this.server, "/v1");
	}

	/** Prompts of the creates this route accepted (and would bill), starting with {@code prefix}. */
	List<String> accepted(String prefix) {
		return this.accepted.stream().filter((prompt) -> prompt.startsWith(prefix)).toList();
	}

	/** Prompts of the creates this route refused, starting with {@code prefix}. */
	List<String> refused(String prefix) {
		return this.refused.stream().filter((prompt) -> prompt.startsWith(prefix)).toList();
	}

	private MockResponse answer(RecordedRequest request) {
		String method = request.getMethod();
		String path = request.getUrl().encodedPath();
		if ("POST".equals(method) && path.equals("/v1/videos")) {
			return create(request);
		}
		if (this.failing) {
			return new MockResponse.Builder().code(503).body("{\"error\": {\"message\": \"overloaded\"}}").build();
		}
		if ("GET".equals(method) && path.equals("/v1/videos")) {
			StringBuilder data = new StringBuilder();
			for (int i = this.accepted.size() - 1; i >= 0; i--) {
				data.append((data.length() > 0) ? ", " : "").append(video(i + 1, "in_progress"));
			}
			return json(200, "{\"object\": \"list\", \"data\": [" + data + "], \"has_more\": false}");
		}
		Matcher content = Pattern.compile("/v1/videos/" + this.name + "_(\\d+)/content").matcher(path);
		if ("GET".equals(method) && content.matches()) {
			if (!"video".equals(request.getUrl().queryParameter("variant"))) {
				return json(404, "{\"error\": {\"message\": \"no thumbnail\"}}");
			}
			return new MockResponse.Builder().code(200)
				.setHeader("Content-Type", "video/mp4")
				.body(new okio.Buffer().write(StandIn.VIDEO))
				.build();
		}
		Matcher one = Pattern.compile("/v1/videos/" + this.name + "_(\\d+)").matcher(path);
		if ("GET".equals(method) && one.matches()) {
			int number = Integer.parseInt(one.group(1));
			return (number <= this.accepted.size()) ? json(200, video(number, "completed"))
					: json(404, "{\"error\": {\"message\": \"no such video\"}}");
		}
		return json(404, "{\"error\": {\"message\": \"not in the stand-in\"}}");
	}

	private MockResponse create(RecordedRequest request) {
		ByteString body = request.getBody();
		Matcher field = FIELD.matcher((body != null) ? body.utf8() : "");
		String prompt = "";
		while (field.find()) {
			if (field.group(1).equals("prompt")) {
				prompt = field.group(2);
			}
		}
		int refusal = this.refuseWith;
		if (refusal != 0) {
			this.refused.add(prompt);
			String code = (refusal == 429) ? "rate_limit_exceeded" : "invalid_api_key";
			return new MockResponse.Builder().code(refusal)
				.setHeader("Content-Type", "application/json")
				.setHeader("Retry-After", "1")
				.body("{\"error\": {\"message\": \"refused\", \"type\": \"" + code + "\", \"code\": \"" + code + "\"}}")
				.build();
		}
		int number;
		synchronized (this) {
			this.accepted.add(prompt);
			this.acceptedAt.add(Instant.now());
			number = this.accepted.size();
		}
		this.ids.incrementAndGet();
		return new MockResponse.Builder().code(200)
			.setHeader("Content-Type", "application/json")
			.headersDelay(this.answerDelay.toMillis(), TimeUnit.MILLISECONDS)
			.body(video(number, "queued"))
			.build();
	}

	private String video(int number, String status) {
		String prompt = this.accepted.get(number - 1);
		return "{\"id\": \"" + this.name + "_" + number + "\", \"object\": \"video\", \"model\": \"sora-2\", "
				+ "\"status\": \"" + status + "\", \"progress\": " + ("completed".equals(status) ? 100 : 0)
				+ ", \"created_at\": " + this.acceptedAt.get(number - 1).getEpochSecond() + ", \"prompt\": \"" + prompt
				+ "\", \"size\": \"1280x720\", \"seconds\": \"4\", \"error\": null}";
	}

	private static MockResponse json(int status, String body) {
		return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json").body(body).build();
	}

	@Override
	public void close() {
		this.server.close();
	}

}
