package dev.reelay.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.reelay.job.Job;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Slow and greedy clients against the running server, over raw sockets: a request head or body that never
 * finishes, a client that stops reading, more connections from one address than allowed, requests the HTTP decoder
 * refuses, and clients that go away mid-request. The timeouts are short here so the tests are quick; every bound
 * asserted is generous, for a loaded machine.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.server.header-timeout=2s", "reelay.server.body-idle-timeout=2s",
				"reelay.server.write-timeout=3s", "reelay.server.max-connections-per-address=3",
				"server.netty.idle-timeout=3s", "reelay.stream.heartbeat=1s",
				"server.max-http-request-header-size=8KB", "server.netty.max-initial-line-length=4KB" })
@ExtendWith(OutputCaptureExtension.class)
class SlowClientTests {

	// How long a connection the server should close may stay open before the test calls it left open.
	private static final Duration CLOSED_WITHIN = Duration.ofSeconds(15);

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final String BIG_PROMPT = "A very long prompt that makes every event large. ".repeat(600);

	@LocalServerPort
	private int port;

	@Autowired
	private ServerProtection protection;

	@Autowired
	private MeterRegistry meters;

	@Autowired
	private JsonMapper json;

	@Autowired
	private JobStore store;

	@Autowired
	private DatabaseClient db;

	private final List<Socket> sockets = new ArrayList<>();

	private final List<UUID> jobs = new ArrayList<>();

	@BeforeEach
	void noConnectionsLeftOver() {
		// Connections of an earlier test of this class count against the per-address limit until they are closed.
		await().atMost(WAIT).until(() -> this.protection.connections().open(InetAddress.getLoopbackAddress()) == 0);
	}

	@AfterEach
	void close() throws IOException {
		for (Socket socket : this.sockets) {
			socket.close();
		}
		if (!this.jobs.isEmpty()) {
			UUID[] ids = this.jobs.toArray(UUID[]::new);
			this.db.sql("DELETE FROM job_events WHERE job_id = ANY(:ids)").bind("ids", ids).then().block(WAIT);
			this.db.sql("DELETE FROM jobs WHERE id = ANY(:ids)").bind("ids", ids).then().block(WAIT);
		}
	}

	@Test
	void halfARequestHeadAndThenNothingIsAnswered408AndClosedAfterTheHeaderTimeout(CapturedOutput output)
			throws IOException {
		long start = System.nanoTime();
		Socket socket = connect();
		send(socket, "GET /api/v1/jobs HTTP/1.1\r\nHost: localhost\r\nX-Half: ");
		Answer answer = readToEnd(socket);
		Duration open = Duration.ofNanos(System.nanoTime() - start);
		assertThat(open).as("closed by the 2 s header timeout, not at once").isGreaterThan(Duration.ofMillis(1500));
		assertThat(open).isLessThan(CLOSED_WITHIN);
		assertThat(answer.status()).isEqualTo(408);
		assertProblem(answer, 408, "headers did not arrive within 2 seconds");
		// The head cut short by the close is not reported again as a decoding failure.
		assertThat(output.getAll()).doesNotContain("Connection closed before received headers");
	}

	@Test
	void aHeadTrickledByteByByteIsClosedAsIfNothingCame() throws IOException {
		long start = System.nanoTime();
		Socket socket = connect();
		// One byte every 200 ms: every read resets an idle timer, never the head's deadline.
		byte[] head = ("GET /api/v1/jobs HTTP/1.1\r\nHost: localhost\r\nX-Trickle: " + "a".repeat(200))
			.getBytes(StandardCharsets.US_ASCII);
		AtomicBoolean closed = new AtomicBoolean();
		Flux.interval(Duration.ZERO, Duration.ofMillis(200))
			.take(CLOSED_WITHIN)
			.take(head.length)
			.takeWhile((i) -> !closed.get())
			.publishOn(Schedulers.boundedElastic())
			.doOnNext((i) -> {
				try {
					socket.getOutputStream().write(head[i.intValue()]);
					socket.getOutputStream().flush();
					closed.set(socket.getInputStream().available() > 0);
				}
				catch (SocketException ex) {
					closed.set(true);
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			})
			.blockLast(CLOSED_WITHIN.plusSeconds(5));
		assertThat(closed.get()).as("the server answered or closed while the head was still trickling in").isTrue();
		assertThat(elapsed(start)).isGreaterThan(Duration.ofMillis(1500)).isLessThan(CLOSED_WITHIN);
		Answer answer = readToEnd(socket);
		assertThat(answer.status()).isEqualTo(408);
	}

	@Test
	void aBodyThatStopsShortOfItsLengthIsClosedAfterTheBodyTimeout(CapturedOutput output) throws IOException {
		long start = System.nanoTime();
		Socket socket = connect();
		send(socket, "POST /api/v1/jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
				+ "Content-Length: 1000\r\n\r\n{\"prompt\":");
		Answer answer = readToEnd(socket);
		Duration open = Duration.ofNanos(System.nanoTime() - start);
		assertThat(open).as("closed by the 2 s body timeout, not at once").isGreaterThan(Duration.ofMillis(1500));
		assertThat(open).isLessThan(CLOSED_WITHIN);
		if (answer.status() != 0) {
			// The answer races the close; when it makes it out, it says what happened.
			assertProblem(answer, 408, "stopped arriving");
		}
		assertThat(output.getAll()).doesNotContain("unexpected error answering a request");
	}

	@Test
	void aConnectionBeyondTheLimitPerAddressIsAnswered429AndClosed() throws IOException {
		List<Socket> streams = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			Socket stream = connect();
			send(stream, "GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n");
			assertThat(statusLine(stream)).startsWith("HTTP/1.1 200");
			streams.add(stream);
		}
		double refusedBefore = closed("address_limit");

		Socket fourth = connect();
		Answer refused = readToEnd(fourth);
		assertThat(refused.status()).isEqualTo(429);
		assertProblem(refused, 429, "already holds 3 connections");
		assertThat(closed("address_limit")).isEqualTo(refusedBefore + 1);

		// A closed connection makes room again.
		streams.get(0).close();
		await().atMost(WAIT)
			.until(() -> this.protection.connections().open(InetAddress.getLoopbackAddress()) < 3);
		Socket again = connect();
		send(again, "GET /actuator/health/liveness HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
		assertThat(readToEnd(again).status()).isEqualTo(200);
	}

	@Test
	void anEventStreamTheClientOnlyListensToOutlivesEveryTimeout() throws IOException {
		Socket stream = connect();
		send(stream, "GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n");
		assertThat(statusLine(stream)).startsWith("HTTP/1.1 200");
		// Twice the longest timeout (3 s) with nothing from the client: heartbeats keep coming, the stream stays.
		long start = System.nanoTime();
		int heartbeats = 0;
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		InputStream in = stream.getInputStream();
		while (elapsed(start).compareTo(Duration.ofSeconds(7)) < 0) {
			int b = in.read();
			assertThat(b).as("the server closed the stream after %s", elapsed(start)).isNotEqualTo(-1);
			if (b == '\n') {
				if (line.toString(StandardCharsets.UTF_8).startsWith(":")) {
					heartbeats++;
				}
				line.reset();
			}
			else {
				line.write(b);
			}
		}
		assertThat(heartbeats).as("heartbeats every 1 s for 7 s").isGreaterThanOrEqualTo(3);
	}

	@Test
	void aClientThatStopsReadingIsClosedAfterTheWriteTimeout() throws IOException {
		double before = closed("write_timeout");
		Socket stream = new Socket();
		// A small window, so that the server's queue for it fills with a few MB of events.
		stream.setReceiveBufferSize(4096);
		stream.connect(new java.net.InetSocketAddress("127.0.0.1", this.port));
		stream.setSoTimeout((int) WAIT.toMillis());
		this.sockets.add(stream);
		send(stream, "GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n");
		assertThat(statusLine(stream)).startsWith("HTTP/1.1 200");

		// Large events (the prompt is in each) until the server gives up on the client; about 30 KB apiece.
		for (int round = 0; round < 40 && closed("write_timeout") == before; round++) {
			Flux.range(0, 20)
				.concatMap((i) -> this.store.create(new NewJob("sim-video", "simulator", i + " " + BIG_PROMPT,
						new JobParameters(4, "16:9", "720p", null, null))))
				.map(Job::id)
				.doOnNext(this.jobs::add)
				.then()
				.block(WAIT);
		}
		await().atMost(WAIT).until(() -> closed("write_timeout") > before);
		// Now the client reads: it gets what had been queued, and then the end of the connection.
		try {
			while (stream.getInputStream().read(new byte[65536]) != -1) {
				// drain
			}
		}
		catch (SocketException ex) {
			// reset: closed too
		}
	}

	@Test
	void headersLargerThanTheLimitAre431WithAProblemBody() throws IOException {
		Socket socket = connect();
		send(socket, "GET /api/v1/jobs HTTP/1.1\r\nHost: localhost\r\nX-Large: " + "a".repeat(20_000) + "\r\n\r\n");
		Answer answer = readToEnd(socket);
		assertThat(answer.status()).isEqualTo(431);
		assertProblem(answer, 431, "larger than 8192 bytes");
	}

	@Test
	void aRequestLineLongerThanTheLimitIs414WithAProblemBody() throws IOException {
		Socket socket = connect();
		send(socket, "GET /api/v1/jobs?q=" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
		Answer answer = readToEnd(socket);
		assertThat(answer.status()).isEqualTo(414);
		assertProblem(answer, 414, "longer than 4096 bytes");
	}

	@Test
	void aMalformedRequestIs400WithAProblemBody() throws IOException {
		Socket socket = connect();
		send(socket, "GET /api/v1/jobs HTTP/1.1\r\nHost: localhost\r\nContent-Length: twelve\r\n\r\n");
		Answer answer = readToEnd(socket);
		assertThat(answer.status()).isEqualTo(400);
		assertProblem(answer, 400, "not valid HTTP/1.1");
	}

	@Test
	void aClientThatHangsUpMidBodyIsNeitherAnErrorNorA500(CapturedOutput output) throws IOException {
		double clientClosedBefore = requests("499");
		double serverErrorsBefore = requests("500");
		for (boolean reset : new boolean[] { false, true }) {
			Socket socket = connect();
			send(socket, "POST /api/v1/jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
					+ "Content-Length: 1000\r\n\r\n{\"prompt\": \"a cat");
			// Let the server start reading the body before the client goes: a closed or a reset connection.
			await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> true);
			if (reset) {
				socket.setSoLinger(true, 0);
			}
			socket.close();
		}
		// Counted as nginx's 499 "client closed request", never as a 500.
		await().atMost(WAIT).until(() -> requests("499") >= clientClosedBefore + 2);
		assertThat(requests("500")).isEqualTo(serverErrorsBefore);
		assertThat(output.getAll()).doesNotContain("unexpected error answering a request")
			.doesNotContain(" ERROR ");
	}

	private Socket connect() throws IOException {
		Socket socket = new Socket("127.0.0.1", this.port);
		socket.setSoTimeout((int) WAIT.toMillis());
		this.sockets.add(socket);
		return socket;
	}

	private static void send(Socket socket, String text) throws IOException {
		OutputStream out = socket.getOutputStream();
		out.write(text.getBytes(StandardCharsets.US_ASCII));
		out.flush();
	}

	private static String statusLine(Socket socket) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		InputStream in = socket.getInputStream();
		for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
			line.write(b);
		}
		return line.toString(StandardCharsets.US_ASCII).strip();
	}

	/** Everything until the server closes the connection; fails if it is still open after {@link #WAIT}. */
	private static Answer readToEnd(Socket socket) throws IOException {
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		byte[] buffer = new byte[8192];
		try {
			for (int n = socket.getInputStream().read(buffer); n != -1; n = socket.getInputStream().read(buffer)) {
				all.write(buffer, 0, n);
			}
		}
		catch (SocketTimeoutException ex) {
			throw new AssertionError("the server left the connection open; got so far: " + all, ex);
		}
		catch (SocketException ex) {
			// A reset after the answer: closed all the same.
		}
		return Answer.parse(all.toString(StandardCharsets.UTF_8));
	}

	private void assertProblem(Answer answer, int status, String detail) {
		assertThat(answer.headers()).as("headers of %s", answer).containsIgnoringCase("content-type: application/problem+json");
		Map<?, ?> problem = this.json.readValue(answer.body(), Map.class);
		assertThat(problem.get("status")).isEqualTo(status);
		assertThat(problem.get("title")).isInstanceOf(String.class);
		assertThat((String) problem.get("detail")).contains(detail);
	}

	private double closed(String reason) {
		Counter counter = this.meters.find("reelay.server.connections.closed").tag("reason", reason).counter();
		return (counter != null) ? counter.count() : 0;
	}

	private double requests(String status) {
		return this.meters.find("http.server.requests")
			.tag("uri", "/api/v1/jobs")
			.tag("status", status)
			.timers()
			.stream()
			.mapToDouble(Timer::count)
			.sum();
	}

	private static Duration elapsed(long start) {
		return Duration.ofNanos(System.nanoTime() - start);
	}

	/** A whole HTTP answer as read off the socket ({@code status} 0 when nothing came). */
	private record Answer(int status, String headers, String body) {

		static Answer parse(String raw) {
			if (raw.isEmpty()) {
				return new Answer(0, "", "");
			}
			int end = raw.indexOf("\r\n\r\n");
			String headers = (end < 0) ? raw : raw.substring(0, end);
			String body = (end < 0) ? "" : raw.substring(end + 4);
			return new Answer(Integer.parseInt(headers.split(" ")[1]), headers, body);
		}

	}

}
