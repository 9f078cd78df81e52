package dev.reelay.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Enqueue to claim: jobs queued one at a time at 5, 50 and 500 per second while the dispatcher runs with its shipped
 * defaults (tick, concurrency), each job's time from its insert ({@code created_at}, the insert's {@code now()}) to
 * the write that marks it submitting ({@code submit_started_at}). The provider answers at once, so each job's whole
 * lifecycle runs beside the next ones' claims. 500 jobs at 100/s first, not measured (JIT, pools). Run by
 * {@code bench/m2-m3-dispatch.sh}; seconds per rate with {@code -Dbench.latency.seconds} (default 20).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = { "reelay.dispatch.enabled=true",
		"reelay.providers.instances.latency.family=latency", "reelay.providers.instances.latency.api-key=none",
		"reelay.providers.instances.latency.poll-interval=0s", "reelay.simulator.enabled=false",
		"logging.level.dev.reelay=WARN" })
@DirtiesContext
class ClaimLatencyBenchmark {

	private static final JobParameters PARAMETERS = new JobParameters(4, "16:9", "720p", null, null);

	private static final int SECONDS = Integer.getInteger("bench.latency.seconds", 20);

	private static final String RUN = Long.toHexString(System.currentTimeMillis());

	@Autowired
	private JobStore jobs;

	@Autowired
	private DatabaseClient db;

	@Test
	void enqueueToClaim() {
		enqueue("warm-up", 100, 500);
		for (int rate : List.of(5, 50, 500)) {
			String tag = "rate " + rate;
			int count = rate * SECONDS;
			enqueue(tag, rate, count);
			Map<String, Object> figures = this.db
				.sql("SELECT count(*) AS n, percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) AS p50, "
						+ "percentile_disc(0.99) WITHIN GROUP (ORDER BY ms) AS p99, max(ms) AS max FROM (SELECT "
						+ "extract(epoch FROM submit_started_at - created_at) * 1000 AS ms FROM jobs WHERE "
						+ "provider = 'latency' AND prompt LIKE :tag) AS t")
				.bind("tag", RUN + " " + tag + " %")
				.fetch()
				.one()
				.block();
			assertThat(((Number) figures.get("n")).intValue()).isEqualTo(count);
			// One line per rate for bench/m2-m3-dispatch.sh to read.
			System.out.printf(Locale.ROOT, "BENCH M3 rate=%d n=%d p50=%.0f p99=%.0f max=%.0f load=%.2f%n", rate, count,
					((Number) figures.get("p50")).doubleValue(), ((Number) figures.get("p99")).doubleValue(),
					((Number) figures.get("max")).doubleValue(),
					ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
		}
	}

	/** Queues {@code count} jobs at {@code rate} per second, one per transaction, and waits until all are submitted. */
	private void enqueue(String tag, int rate, int count) {
		// On a schedule, not one after the other: a slow insert does not push back the ones after it (bounded both
		// ways: at most 64 inserts at once, at most count waiting).
		Flux.interval(Duration.ofNanos(1_000_000_000L / rate))
			.take(count)
			.onBackpressureBuffer(count)
			.flatMap((i) -> this.jobs.createBatch(
					List.of(new NewJob("bench-model", "latency", RUN + " " + tag + " " + i, PARAMETERS)), null), 64)
			.blockLast();
		await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
			.until(() -> this.db
				.sql("SELECT count(*) AS n FROM jobs WHERE provider = 'latency' AND prompt LIKE :tag "
						+ "AND submit_started_at IS NOT NULL")
				.bind("tag", RUN + " " + tag + " %")
				.map((row) -> row.get("n", Long.class))
				.one()
				.block() == count);
	}

	@TestConfiguration
	static class ZeroLatencyProviders {

		@Bean
		ZeroLatencyProvider latencyProvider() {
			return new ZeroLatencyProvider("latency", true);
		}

	}

}
