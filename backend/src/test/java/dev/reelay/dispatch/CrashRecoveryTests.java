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
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import dev.reelay.ReelayApplication;
import org.junit.jupiter.api.AfterEach;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

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
 * <p>
 * They work a provider instance and model of this class's own: on the built-in simulator instance they would first
 * work through every job other test classes left queued on the shared database (oldest first), and this class's jobs
 * would wait behind them for longer than any timeout here.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "reelay.dispatch.enabled=false")
class CrashRecoveryTests {

	private static final Pattern PORT = Pattern.compile("Netty started on port (\\d+)");

	private static final int JOBS = 16;

	private static final String INSTANCE = "crash-recovery";

	private static final String MODEL = "crash-recovery-video";

	/** Statuses in which the provider has, or may have, the job: the moments a kill is most dangerous. */
	private static final List<String> AT_THE_PROVIDER = List.of("submitting", "reconciling", "submitted", "in_progress",
			"downloading");

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
		// One batch, queued in one transaction: submitted one by one to a child JVM that is slow to warm up on a loaded
		// machine, the first jobs could all be done before the last arrived, and no moment would have some queued.
		WebClient.create("http://127.0.0.1:" + first.port())
			.post()
			.uri("/api/v1/jobs/batch")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("jobs", IntStream.range(0, JOBS)
				.mapToObj((i) -> Map.of("model", MODEL, "prompt", tag + i, "duration_seconds", 4))
				.toList()))
			.retrieve()
			.toBodilessEntity()
			.block(Duration.ofSeconds(60));

		// Kill once jobs are spread over the states: some still queued, some at the provider, some done.
		List<Map<String, Long>> seen = new CopyOnWriteArrayList<>();
		awaitOrExplain(first, seen, Duration.ofSeconds(120), Duration.ofMillis(100), () -> {
			Map<String, Long> states = states(tag);
			seen.add(states);
			return states.getOrDefault("queued", 0L) > 0 && states.getOrDefault("completed", 0L) > 0
					&& AT_THE_PROVIDER.stream().mapToLong((status) -> states.getOrDefault(status, 0L)).sum() > 0;
		});
		first.process().destroyForcibly();
		assertThat(first.process().waitFor()).isEqualTo(137);
		Map<String, Long> atCrash = states(tag);

		Instance second = start();
		awaitOrExplain(second, seen, Duration.ofSeconds(240), Duration.ofMillis(500), () -> {
			Map<String, Long> states = states(tag);
			seen.add(states);
			return states.getOrDefault("completed", 0L) == JOBS;
		});

		assertThat(atCrash.keySet()).contains("queued", "completed");
		StandInLedger ledger = StandInLedger.read(this.db, tag);
		assertThat(ledger.createsPerPrompt()).as("creates per job after a crash").hasSize(JOBS)
			.allSatisfy((prompt, creates) -> assertThat(creates).isEqualTo(1L));
	}

	/**
	 * Waits for {@code condition}; when it does not come, fails with what the wait saw and what the child printed, so
	 * that a failure on a loaded CI machine says why.
	 */
	private static void awaitOrExplain(Instance instance, List<Map<String, Long>> seen, Duration atMost,
			Duration every, Callable<Boolean> condition) {
		try {
			await().atMost(atMost).pollInterval(every).until(condition);
		}
		catch (ConditionTimeoutException ex) {
			List<String> output = instance.output();
			throw new AssertionError("not within " + atMost + "; the job states it saw, newest last: "
					+ seen.subList(Math.max(0, seen.size() - 20), seen.size()) + "; the child JVM "
					+ (instance.process().isAlive() ? "still runs" : "ended") + ", its last output:\n"
					+ String.join("\n", output.subList(Math.max(0, output.size() - 60), output.size())), ex);
		}
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
				// The built-in simulator, as an instance of this class's own (base-url empty: this process's simulator).
				"--reelay.providers.instances." + INSTANCE + ".family=openai-videos",
				"--reelay.providers.instances." + INSTANCE + ".base-url=",
				"--reelay.providers.instances." + INSTANCE + ".api-key=simulator",
				"--reelay.providers.instances." + INSTANCE + ".poll-interval=200ms",
				// Other test classes' jobs queued on the built-in instance are not this class's to work.
				"--reelay.providers.instances.simulator.enabled=false",
				"--reelay.catalog.custom-models[0].id=" + MODEL,
				"--reelay.catalog.custom-models[0].display-name=Crash recovery",
				"--reelay.catalog.custom-models[0].provider=" + INSTANCE,
				"--reelay.catalog.custom-models[0].remote-model=sora-2",
				"--reelay.catalog.custom-models[0].durations=4", "--reelay.catalog.custom-models[0].aspect-ratios=16:9",
				"--reelay.catalog.custom-models[0].resolutions=720p", "--reelay.dispatch.tick=100ms",
				"--reelay.dispatch.lease=4s", "--reelay.dispatch.download-timeout=3s",
				"--reelay.dispatch.retry-base=100ms", "--reelay.dispatch.retry-max=1s",
				// As the built-in simulator instance has them (application.yaml), with room for four at once.
				"--reelay.dispatch.limits." + INSTANCE + ".max-in-flight=4",
				"--reelay.dispatch.limits." + INSTANCE + ".submit-grace=1s",
				"--reelay.dispatch.limits." + INSTANCE + ".max-poll-interval=10s", "--logging.level.root=WARN",
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
		return new Instance(process, port, output);
	}

	private record Instance(Process process, int port, List<String> output) {
	}

}
