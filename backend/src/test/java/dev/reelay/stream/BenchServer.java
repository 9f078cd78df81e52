package dev.reelay.stream;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The Reelay instance under load, in a JVM of its own (10,000 sockets on each side would not fit one process's
 * 20,000 file descriptors), started from this JVM's class path against the same database. Reads its heap from
 * the actuator and its CPU time from /proc (Linux).
 */
final class BenchServer implements AutoCloseable {

	private static final Pattern VALUE = Pattern.compile("\"value\"\\s*:\\s*([0-9.eE+-]+)");

	private static final long TICKS_PER_SECOND = 100;

	private final Process process;

	private final int port;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private BenchServer(Process process, int port) {
		this.process = process;
		this.port = port;
	}

	static BenchServer start(List<String> properties, String heap, Path log) throws IOException {
		int port = freePort();
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx" + heap));
		// For instance -Dbench.server-jvm-args=-XX:+UseZGC (see docs/benchmarks.md).
		String extra = System.getProperty("bench.server-jvm-args", "");
		if (!extra.isBlank()) {
			command.addAll(List.of(extra.strip().split("\\s+")));
		}
		command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.reelay.ReelayApplication",
				"--server.port=" + port, "--management.endpoints.web.exposure.include=health,metrics"));
		properties.forEach((property) -> command.add("--" + property));
		Files.createDirectories(log.getParent());
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		BenchServer server = new BenchServer(process, port);
		server.awaitHealthy(Duration.ofMinutes(2));
		return server;
	}

	int port() {
		return this.port;
	}

	long pid() {
		return this.process.pid();
	}

	/** Heap in use now, in bytes. */
	long heapUsed() {
		return (long) metric("jvm.memory.used?tag=area:heap");
	}

	/** Open SSE streams as the server counts them. */
	long subscribers() {
		return (long) metric("reelay.streams.subscribers");
	}

	/** Events the server's log tail read and handed to its streams. */
	long published() {
		return (long) metric("reelay.streams.events");
	}

	/** Progress events the server dropped from full buffers (superseded by a later event of the same job). */
	long coalesced() {
		return (long) metric("reelay.streams.progress.coalesced");
	}

	/** Heap in use right after a full collection: what the server really keeps. */
	long heapAfterGc() throws IOException, InterruptedException {
		Process gc = new ProcessBuilder("jcmd", Long.toString(pid()), "GC.run").redirectErrorStream(true).start();
		gc.getInputStream().readAllBytes();
		gc.waitFor();
		return heapUsed();
	}

	/** CPU time (user + system) the server process used so far. */
	Duration cpuTime() throws IOException {
		String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
		return Duration.ofMillis(ticks * 1000 / TICKS_PER_SECOND);
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
			this.process.destroyForcibly();
		}
	}

	private double metric(String path) {
		try {
			HttpResponse<String> response = this.http.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/actuator/metrics/" + path))
						.timeout(Duration.ofSeconds(10))
						.build(),
					HttpResponse.BodyHandlers.ofString());
			Matcher value = VALUE.matcher(response.body());
			if (!value.find()) {
				throw new IllegalStateException("no value in " + response.body());
			}
			return Double.parseDouble(value.group(1));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private void awaitHealthy(Duration timeout) {
		Flux.interval(Duration.ofMillis(250))
			.publishOn(Schedulers.boundedElastic())
			.concatMap((tick) -> Mono.fromCallable(this::healthy), 1)
			.takeUntil((healthy) -> healthy || !this.process.isAlive())
			.timeout(timeout)
			.blockLast();
		if (!this.process.isAlive()) {
			throw new IllegalStateException("the benchmark server exited with " + this.process.exitValue());
		}
	}

	private boolean healthy() {
		try {
			return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/actuator/health"))
				.timeout(Duration.ofSeconds(2))
				.build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
