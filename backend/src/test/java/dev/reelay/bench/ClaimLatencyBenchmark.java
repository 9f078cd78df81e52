package dev.reelay.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.util.retry.Retry;

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
 * tick (500 ms) and 256 jobs at once, as in {@link DispatchBenchmark} (the default 32 would measure how long 32 jobs'
 * whole lifecycles take on a loaded machine, not the claim: the peer's no-op tasks never fill its slots), each job's time from its insert's commit to the moment its worker marks it submitting
 * ({@code submit_started_at}, on the same clock). The provider answers at once, so each job's whole
 * lifecycle runs beside the next ones' claims. 500 jobs at 100/s first, not measured (JIT, pools). Run by
 * {@code bench/m2-m3-dispatch.sh}; seconds per rate with {@code -Dbench.latency.seconds} (default 20).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = { "reelay.dispatch.enabled=true",
		"reelay.dispatch.concurrency=256",
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
			int count = rate * SECONDS;
			Map<UUID, Instant> committed = enqueue("rate " + rate, rate, count);
			Map<UUID, Instant> submitting = new HashMap<>();
			this.db.sql("SELECT id, submit_started_at FROM jobs WHERE id = ANY(:ids)")
				.bind("ids", committed.keySet().toArray(UUID[]::new))
				.map((row) -> Map.entry(row.get("id", UUID.class), row.get("submit_started_at", Instant.class)))
				.all()
				.doOnNext((row) -> submitting.put(row.getKey(), row.getValue()))
				.blockLast();
			long[] millis = committed.entrySet().stream()
				.mapToLong((job) -> Duration.between(job.getValue(), submitting.get(job.getKey())).toMillis())
				.sorted()
				.toArray();
			assertThat(millis).hasSize(count);
			// One line per rate for bench/m2-m3-dispatch.sh to read.
			System.out.printf(Locale.ROOT, "BENCH M3 rate=%d n=%d p50=%d p99=%d max=%d load=%.2f%n", rate, count,
					percentile(millis, 0.5), percentile(millis, 0.99), millis[millis.length - 1],
					ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
		}
	}

	private static long percentile(long[] sorted, double p) {
		return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
	}

	/**
	 * Queues {@code count} jobs at {@code rate} per second, one per transaction, and waits until all are submitting:
	 * answers when each one's insert had committed (the moment its job.queued notice goes out). The accept path's own
	 * waits (a tenant's submissions take turns) are not counted: they come before the commit.
	 */
	private Map<UUID, Instant> enqueue(String tag, int rate, int count) {
		Map<UUID, Instant> committed = new ConcurrentHashMap<>();
		// On a schedule, not one after the other: a slow insert does not push back the ones after it (bounded both
		// ways: at most 16 inserts at once, at most count waiting). An insert that found no pooled connection in time
		// is sent again, as a client would; its latency counts from its commit all the same.
		Flux.interval(Duration.ofNanos(1_000_000_000L / rate))
			.take(count)
			.onBackpressureBuffer(count)
			.flatMap((i) -> this.jobs
				.createBatch(List.of(new NewJob("bench-model", "latency", RUN + " " + tag + " " + i, PARAMETERS)), null)
				.retryWhen(Retry.backoff(5, Duration.ofMillis(100))), 16)
			.doOnNext((submission) -> committed.put(submission.jobs().get(0).id(), Instant.now()))
			.blockLast();
		await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
			.until(() -> this.db
				.sql("SELECT count(*) AS n FROM jobs WHERE id = ANY(:ids) AND submit_started_at IS NOT NULL")
				.bind("ids", committed.keySet().toArray(UUID[]::new))
				.map((row) -> row.get("n", Long.class))
				.one()
				.block() == count);
		return committed;
	}

	@TestConfiguration
	static class ZeroLatencyProviders {

		@Bean
		ZeroLatencyProvider latencyProvider() {
			return new ZeroLatencyProvider("latency", true);
		}

	}

}
