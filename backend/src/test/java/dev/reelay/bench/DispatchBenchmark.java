package dev.reelay.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.context.annotation.Bean;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dispatcher at full speed against zero-latency providers with no limits: full-lifecycle jobs per second
 * (queued, submitted, polled, downloaded into storage, completed, each step a transaction with its event), and
 * heap with a large backlog. Run with {@code ./mvnw -Pbench -pl backend -am verify}; not part of the normal build.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
		"reelay.dispatch.enabled=true", "reelay.dispatch.concurrency=256", "reelay.dispatch.tick=20ms",
		"reelay.providers.instances.bench.family=bench", "reelay.providers.instances.bench.api-key=none",
		"reelay.providers.instances.bench.poll-interval=0s", "reelay.providers.instances.bench-slow.family=bench-slow",
		"reelay.providers.instances.bench-slow.api-key=none", "reelay.providers.instances.bench-slow.poll-interval=60s",
		"reelay.dispatch.limits.bench-slow.max-in-flight=10000", "reelay.dispatch.limits.bench-slow.max-poll-interval=60s",
		"reelay.simulator.enabled=false", "logging.level.dev.reelay=WARN" })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
// Closed after the class: its dispatcher (20 ms tick) must not keep running beside the next benchmark's.
@DirtiesContext
class DispatchBenchmark {

	private static final JobParameters PARAMETERS = new JobParameters(4, "16:9", "720p", null, null);

	private static final int THROUGHPUT_JOBS = Integer.getInteger("bench.jobs", 20_000);

	@Autowired
	private JobStore jobs;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private MeterRegistry meters;

	@Test
	@Order(1)
	void fullLifecycleJobsPerSecond() {
		// Queue everything first, held back by a pause, so the clock measures dispatching alone.
		pause("bench", Instant.now().plus(Duration.ofHours(1)));
		long queueStart = System.nanoTime();
		queue("bench", THROUGHPUT_JOBS);
		double queueSeconds = (System.nanoTime() - queueStart) / 1e9;

		long start = System.nanoTime();
		pause("bench", Instant.now().minusSeconds(1));
		long[] lastPrint = { System.nanoTime() };
		await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
			long completed = count("bench", "completed");
			if (System.nanoTime() - lastPrint[0] > 5_000_000_000L) {
				lastPrint[0] = System.nanoTime();
				System.out.printf(Locale.ROOT,
						"  %5.1f s: %d completed, %.0f in hand, %.1f changes per statement, %.1f ms per statement%n",
						(lastPrint[0] - start) / 1e9, completed, this.meters.get("reelay.dispatch.in.hand").gauge().value(),
						this.meters.get("reelay.jobs.writes.batch").summary().mean(),
						this.meters.get("reelay.jobs.writes.duration").timer().mean(TimeUnit.MILLISECONDS));
			}
			return completed == THROUGHPUT_JOBS;
		});
		double seconds = (System.nanoTime() - start) / 1e9;

		long events = countEvents("bench");
		DistributionSummary batches = this.meters.get("reelay.jobs.writes.batch").summary();
		report("full lifecycle", String.format(Locale.ROOT,
				"%d jobs in %.1f s = %.0f jobs/s (%d events, %.0f events/s); queueing them took %.1f s (%.0f jobs/s)"
						+ "%njob changes: %d statements, %.1f changes each on average, %.0f at most",
				THROUGHPUT_JOBS, seconds, THROUGHPUT_JOBS / seconds, events, events / seconds, queueSeconds,
				THROUGHPUT_JOBS / queueSeconds, batches.count(), batches.mean(), batches.max()));
		// One line for bench/m2-m3-dispatch.sh to read.
		System.out.printf(Locale.ROOT, "BENCH M2 jobs=%d seconds=%.1f jobs_per_s=%.0f load=%.2f%n", THROUGHPUT_JOBS,
				seconds, THROUGHPUT_JOBS / seconds, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
		assertThat(count("bench", "completed")).isEqualTo(THROUGHPUT_JOBS);
	}

	@Test
	@Order(2)
	void heapStaysFlatAsTheBacklogGrows() {
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		List<String> rows = new ArrayList<>();
		rows.add(String.format(Locale.ROOT, "%-34s %10s", "state", "heap MiB"));
		rows.add(row("before", memory));
		// 10,000 generations in flight at the provider (they never finish), polled every minute.
		queue("bench-slow", 10_000);
		await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(500))
			.until(() -> count("bench-slow", "submitted") == 10_000);
		rows.add(row("10,000 in flight", memory));
		for (int backlog = 25_000; backlog <= 100_000; backlog += 25_000) {
			queue("bench-slow", 25_000);
			rows.add(row(String.format(Locale.ROOT, "10,000 in flight + %,d queued", backlog), memory));
		}
		assertThat(count("bench-slow", "queued")).isEqualTo(100_000);
		report("heap", String.join("\n", rows));
	}

	private static String row(String state, MemoryMXBean memory) {
		System.gc();
		long used = memory.getHeapMemoryUsage().getUsed();
		return String.format(Locale.ROOT, "%-34s %10.1f", state, used / 1024.0 / 1024.0);
	}

	private void queue(String provider, int count) {
		Flux.range(0, (count + 99) / 100)
			.concatMap((batch) -> Flux.range(0, Math.min(100, count - batch * 100))
				.map((i) -> new NewJob("bench-model", provider, "bench " + batch + "/" + i, PARAMETERS))
				.collectList()
				.flatMap((requests) -> this.jobs.createBatch(requests, null)), 2)
			.blockLast();
	}

	private void pause(String provider, Instant until) {
		this.db.sql("INSERT INTO provider_pauses (provider, until, reason) VALUES (:p, :u, 'benchmark') "
				+ "ON CONFLICT (provider) DO UPDATE SET until = EXCLUDED.until")
			.bind("p", provider).bind("u", until).fetch().rowsUpdated().block();
	}

	private long count(String provider, String status) {
		return this.db.sql("SELECT count(*) AS n FROM jobs WHERE provider = :p AND status = :s")
			.bind("p", provider).bind("s", status).map((row) -> row.get("n", Long.class)).one().block();
	}

	private long countEvents(String provider) {
		return this.db.sql("SELECT count(*) AS n FROM job_events e JOIN jobs j ON j.id = e.job_id WHERE j.provider = :p")
			.bind("p", provider).map((row) -> row.get("n", Long.class)).one().block();
	}

	private static void report(String what, String figures) {
		System.out.println("\n=== Dispatch benchmark: " + what + " ===\n" + figures + "\n");
	}

	@TestConfiguration
	static class ZeroLatencyProviders {

		@Bean
		ZeroLatencyProvider benchProvider() {
			return new ZeroLatencyProvider("bench", true);
		}

		@Bean
		ZeroLatencyProvider benchSlowProvider() {
			return new ZeroLatencyProvider("bench-slow", false);
		}

	}

}
