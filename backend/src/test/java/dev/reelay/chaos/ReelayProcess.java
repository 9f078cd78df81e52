package dev.reelay.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.reelay.ReelayApplication;

/**
 * One Reelay instance as a child JVM on the test classpath, so that a kill is a real SIGKILL (no shutdown hook, no
 * drain, leases and in-flight creates left as they were) and a graceful stop is a real SIGTERM (Spring's graceful
 * shutdown and the dispatcher's drain). It keeps its port and instance id across restarts, as a redeployed
 * instance would.
 */
final class ReelayProcess {

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	final String name;

	final int port;

	private final Map<String, String> properties;

	private final Map<String, String> environment;

	private final Path log;

	private volatile Process process;

	private volatile boolean ready;

	/** Down on purpose (stopped or killed by the campaign); otherwise an exit is a crash, and it is started again. */
	private volatile boolean expectedDown = true;

	/** Exits nobody asked for (say, the database dropped under its migration at start), each followed by a start. */
	final java.util.concurrent.atomic.AtomicInteger crashes = new java.util.concurrent.atomic.AtomicInteger();

	ReelayProcess(String name, Map<String, String> properties, Map<String, String> environment, Path logDirectory) {
		this.name = name;
		this.port = freePort();
		this.properties = properties;
		this.environment = environment;
		this.log = logDirectory.resolve(name + ".out");
	}

	String baseUrl() {
		return "http://127.0.0.1:" + this.port;
	}

	synchronized void start() {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				// Small and quick to start: two of these share a loaded machine with the test JVM.
				"-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k",
				"-cp", System.getProperty("java.class.path"), ReelayApplication.class.getName(),
				"--server.port=" + this.port, "--reelay.dispatch.instance-id=" + this.name,
				"--logging.file.name=" + this.log.resolveSibling(this.name + ".log")));
		this.properties.forEach((key, value) -> command.add("--" + key + "=" + value));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(this.log.toFile()));
		builder.environment().putAll(this.environment);
		try {
			Files.createDirectories(this.log.getParent());
			this.ready = false;
			this.expectedDown = false;
			this.process = builder.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * What a supervisor (systemd, Kubernetes) does, called every half second by the rig: an instance that exited
	 * without being asked to is started again; one that is up but not known ready is probed once.
	 */
	synchronized void supervise() {
		Process running = this.process;
		if (this.expectedDown || running == null) {
			return;
		}
		if (!running.isAlive()) {
			this.crashes.incrementAndGet();
			start();
			return;
		}
		if (!this.ready) {
			this.ready = answersReady();
		}
	}

	/** Waits until the instance answers its readiness probe; false if it did not within {@code atMost}. */
	boolean awaitReady(Duration atMost) {
		long deadline = System.nanoTime() + atMost.toNanos();
		while (System.nanoTime() < deadline && !this.expectedDown) {
			supervise();
			if (ready()) {
				return true;
			}
			pause(Duration.ofMillis(250));
		}
		return ready();
	}

	private boolean answersReady() {
		try {
			HttpResponse<Void> health = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl()
					+ "/actuator/health/readiness")).timeout(Duration.ofSeconds(3)).build(),
					HttpResponse.BodyHandlers.discarding());
			return health.statusCode() == 200;
		}
		catch (IOException ex) {
			// Not listening yet.
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	boolean ready() {
		return this.ready && this.process != null && this.process.isAlive();
	}

	/** SIGTERM, and the wait for Spring's graceful shutdown; a stop that hangs is itself a failure to report. */
	boolean stopGracefully(Duration atMost) {
		Process running;
		synchronized (this) {
			this.expectedDown = true;
			this.ready = false;
			running = this.process;
		}
		if (running == null) {
			return true;
		}
		running.destroy();
		try {
			if (running.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
				return true;
			}
			running.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/** SIGKILL: nothing of the instance runs after this, not even a shutdown hook. */
	void kill() {
		Process running;
		synchronized (this) {
			this.expectedDown = true;
			this.ready = false;
			running = this.process;
		}
		if (running != null) {
			running.destroyForcibly();
			try {
				running.waitFor(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	static void pause(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
