package dev.reelay.dispatch;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.reelay.ReelayApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Reelay killed with SIGKILL while jobs are in every state, then started again: every job still ends, and the
 * provider stand-in never saw a job created twice. The instances run in their own JVMs so the kill is real.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "reelay.dispatch.enabled=false")
class CrashRecoveryTests {

	private static final Pattern PORT = Pattern.compile("Netty started on port (\\d+)");

	private static final int JOBS = 16;

	@Autowired
	private Environment environment;

	@Autowired
	private DatabaseClient db;

	private final List<Process> processes = new CopyOnWriteArrayList<>();

	@AfterEach
	void killLeftovers() {
		this.processes.forEach(Process::destroyForcibly);
	}

	@Test
	void killedMidFlightEveryJobStillEndsAndNoneIsCreatedTwice() throws Exception {
		String tag = "crash-" + UUID.randomUUID() + " ";
		Instance first = start();
		WebClient http = WebClient.create("http://127.0.0.1:" + first.port());
		Flux.range(0, JOBS)
			.concatMap((i) -> http.post()
				.uri("/api/v1/jobs")
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("prompt", tag + i))
				.retrieve()
				.toBodilessEntity())
			.blockLast();

		// Kill once jobs are spread over the states: some still queued, some at the provider, some done.
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
			Map<String, Long> states = states(tag);
			return states.getOrDefault("queued", 0L) > 0 && states.getOrDefault("completed", 0L) > 0
					&& (states.getOrDefault("submitted", 0L) + states.getOrDefault("in_progress", 0L)) > 0;
		});
		first.process().destroyForcibly();
		assertThat(first.process().waitFor()).isEqualTo(137);
		Map<String, Long> atCrash = states(tag);

		start();
		await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
			.until(() -> states(tag).getOrDefault("completed", 0L) == JOBS);

		assertThat(atCrash.keySet()).contains("queued", "completed");
		StandInLedger ledger = StandInLedger.read(this.db, tag);
		assertThat(ledger.createsPerPrompt()).as("creates per job after a crash").hasSize(JOBS)
			.allSatisfy((prompt, creates) -> assertThat(creates).isEqualTo(1L));
	}

	private Map<String, Long> states(String tag) {
		return this.db.sql("SELECT status, count(*) AS n FROM jobs WHERE prompt LIKE :tag GROUP BY status")
			.bind("tag", tag + "%")
			.map((row) -> Map.entry(row.get("status", String.class), row.get("n", Long.class)))
			.all()
			.collectMap(Map.Entry::getKey, Map.Entry::getValue)
			.block();
	}

	/** Starts Reelay in a fresh JVM on this test's database and waits until it serves HTTP. */
	private Instance start() throws Exception {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Path videos = Files.createTempDirectory("reelay-crash-videos");
		Process process = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-Xmx256m", "-cp",
				System.getProperty("java.class.path"), ReelayApplication.class.getName(), "--server.port=0", "--reelay.dispatch.enabled=true",
				"--spring.r2dbc.url=" + this.environment.getRequiredProperty("spring.r2dbc.url"),
				"--spring.r2dbc.username=" + this.environment.getRequiredProperty("spring.r2dbc.username"),
				"--spring.r2dbc.password=" + this.environment.getRequiredProperty("spring.r2dbc.password"),
				"--reelay.storage.directory=" + videos, "--reelay.simulator.generation-time=2s",
				"--reelay.simulator.lost-response-rate=0.2", "--reelay.simulator.server-error-rate=0.1",
				"--reelay.providers.instances.simulator.poll-interval=200ms", "--reelay.dispatch.tick=100ms",
				"--reelay.dispatch.lease=4s", "--reelay.dispatch.download-timeout=3s",
				"--reelay.dispatch.retry-base=100ms", "--reelay.dispatch.retry-max=1s",
				"--reelay.dispatch.limits.simulator.max-in-flight=4", "--logging.level.root=WARN",
				"--logging.level.org.springframework.boot.web=INFO", "--logging.level.org.springframework.boot.reactor=INFO")
			.redirectErrorStream(true)
			.start();
		this.processes.add(process);
		List<String> output = new CopyOnWriteArrayList<>();
		Thread reader = new Thread(() -> {
			try (BufferedReader lines = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
				lines.lines().forEach(output::add);
			}
			catch (java.io.IOException ended) {
				// the process was killed
			}
		}, "reelay-child-output");
		reader.setDaemon(true);
		reader.start();
		int port = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
			assertThat(process.isAlive()).as("child JVM output: %s", output).isTrue();
			return output.stream().map(PORT::matcher).filter(Matcher::find).map((m) -> Integer.parseInt(m.group(1)))
				.findFirst().orElse(0);
		}, (found) -> found > 0);
		return new Instance(process, port);
	}

	private record Instance(Process process, int port) {
	}

}
