package dev.reelay.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One SSE client on {@code /api/v1/events} for the campaign's model, as a browser's {@code EventSource} would be:
 * whenever its stream ends (an instance stopped or killed, a {@code close} event), it reconnects to whichever
 * instance is up with the last event id it got. What it received is checked against the event log afterwards: no
 * id missed, none twice.
 */
final class EventWatcher implements AutoCloseable {

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final Supplier<List<ReelayProcess>> instances;

	private final Thread thread;

	private final AtomicLong lastId;

	/** Every event id received, with how many times. */
	final Map<Long, Integer> received = new ConcurrentHashMap<>();

	/** Terminal events received, by job id. */
	final Set<String> terminal = ConcurrentHashMap.newKeySet();

	/** Events delivered out of order (without an id): they cannot be matched by id. */
	final AtomicInteger withoutId = new AtomicInteger();

	final AtomicInteger reconnects = new AtomicInteger();

	private volatile boolean stopped;

	private volatile InputStream open;

	/** The instance to read from while it is up: the campaign points it at the next victim. */
	private volatile ReelayProcess preferred;

	/** The instance the open stream is on, once its first line arrived. */
	private volatile ReelayProcess connected;

	EventWatcher(Supplier<List<ReelayProcess>> instances, long startAfter) {
		this.instances = instances;
		this.lastId = new AtomicLong(startAfter);
		this.thread = new Thread(this::watch, "chaos-sse");
		this.thread.setDaemon(true);
		this.thread.start();
	}

	long lastId() {
		return this.lastId.get();
	}

	private void watch() {
		int attempt = 0;
		while (!this.stopped) {
			List<ReelayProcess> up = this.instances.get();
			if (up.isEmpty()) {
				ReelayProcess.pause(Duration.ofMillis(200));
				continue;
			}
			ReelayProcess wanted = this.preferred;
			ReelayProcess instance = (wanted != null && up.contains(wanted)) ? wanted : up.get(attempt++ % up.size());
			HttpRequest request = HttpRequest.newBuilder(URI.create(instance.baseUrl() + "/api/v1/events?model="
					+ FaultRig.MODEL))
				.header("Accept", "text/event-stream")
				.header("Last-Event-ID", Long.toString(this.lastId.get()))
				.build();
			try {
				HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
				if (response.statusCode() != 200) {
					response.body().close();
					ReelayProcess.pause(Duration.ofMillis(300));
					continue;
				}
				this.open = response.body();
				read(new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8)), instance);
			}
			catch (IOException ex) {
				// The instance went away mid-stream, or was not there: resume elsewhere with the last id.
				ReelayProcess.pause(Duration.ofMillis(200));
			}
			catch (InterruptedException ex) {
				return;
			}
			this.connected = null;
			this.reconnects.incrementAndGet();
		}
	}

	/**
	 * Moves the stream to {@code instance} (resuming there with the last id) and waits until it is reading from it, so
	 * that a fault about to hit that instance cuts this stream.
	 */
	void follow(ReelayProcess instance, Duration atMost) {
		this.preferred = instance;
		if (this.connected != instance) {
			closeOpen();
		}
		long deadline = System.nanoTime() + atMost.toNanos();
		while (this.connected != instance && System.nanoTime() < deadline) {
			ReelayProcess.pause(Duration.ofMillis(100));
		}
	}

	private void read(BufferedReader lines, ReelayProcess instance) throws IOException {
		String id = null;
		String event = null;
		StringBuilder data = new StringBuilder();
		for (String line = lines.readLine(); line != null && !this.stopped; line = lines.readLine()) {
			this.connected = instance;
			if (line.isEmpty()) {
				if (event != null || data.length() > 0) {
					dispatched(id, event, data.toString());
					if ("close".equals(event)) {
						return;
					}
				}
				id = null;
				event = null;
				data.setLength(0);
			}
			else if (line.startsWith("id:")) {
				id = line.substring(3).trim();
			}
			else if (line.startsWith("event:")) {
				event = line.substring(6).trim();
			}
			else if (line.startsWith("data:")) {
				data.append(line.substring(5).trim());
			}
		}
	}

	private void dispatched(String id, String event, String data) {
		if (event == null || !event.startsWith("job.")) {
			return;
		}
		if (id != null && !id.isEmpty()) {
			long eventId = Long.parseLong(id);
			this.received.merge(eventId, 1, Integer::sum);
			this.lastId.accumulateAndGet(eventId, Math::max);
		}
		else {
			this.withoutId.incrementAndGet();
		}
		if (event.equals("job.completed") || event.equals("job.failed") || event.equals("job.canceled")) {
			JsonNode job = JsonMapper.shared().readTree(data);
			this.terminal.add(job.get("id").asString());
		}
	}

	@Override
	public void close() {
		this.stopped = true;
		closeOpen();
		this.thread.interrupt();
	}

	private void closeOpen() {
		InputStream stream = this.open;
		if (stream != null) {
			try {
				stream.close();
			}
			catch (IOException ex) {
				// Closing anyway.
			}
		}
	}

}
