package dev.reelay.stream;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

import dev.reelay.ReelayApplication;
import dev.reelay.job.Job;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live streams under load; run only with {@code ./mvnw -Pbench -pl backend test} (see docs/benchmarks.md). One
 * Reelay instance in its own JVM serves the SSE subscribers over loopback; this JVM holds the client connections
 * and a second instance that writes the events, so every event crosses PostgreSQL LISTEN/NOTIFY as it would
 * between instances. Latency is write (just before the transaction starts) to the client reading the event.
 */
class StreamBenchmark {

	private static final int SUBSCRIBERS = Integer.getInteger("bench.subscribers", 10_000);

	private static final int ALL_JOB_STREAMS = Integer.getInteger("bench.all-streams", 10);

	private static final int JOBS = Integer.getInteger("bench.jobs", 2_000);

	private static final int RATE = Integer.getInteger("bench.rate", 1_000);

	private static final Duration WARMUP = Duration.ofSeconds(Integer.getInteger("bench.warmup-seconds", 15));

	private static final Duration MEASURE = Duration.ofSeconds(Integer.getInteger("bench.seconds", 60));

	private static final String SERVER_HEAP = System.getProperty("bench.server-heap", "1g");

	private static final int WRITE_CONCURRENCY = 16;

	@Test
	void tenThousandSubscribersAtAThousandEventsPerSecond() throws Exception {
		try (ConfigurableApplicationContext writer = new SpringApplicationBuilder(ReelayApplication.class)
			.web(WebApplicationType.NONE)
			.properties("reelay.dispatch.enabled=false", "spring.main.banner-mode=off", "logging.level.root=WARN",
					"spring.r2dbc.pool.max-size=" + WRITE_CONCURRENCY)
			.run()) {
			JobStore store = writer.getBean(JobStore.class);
			List<Job> created = Flux.range(0, JOBS)
				.flatMapSequential((i) -> store.create(new NewJob("sim-video", "simulator", "benchmark job " + i,
						new JobParameters(4, "16:9", "720p", null, null))), 16)
				.collectList()
				.block(Duration.ofMinutes(5));
			AtomicReferenceArray<Job> jobs = new AtomicReferenceArray<>(created.toArray(Job[]::new));

			try (BenchServer server = BenchServer.start(serverProperties(writer.getEnvironment()), SERVER_HEAP,
					Path.of("target", "bench", "stream-server.log"))) {
				int maxSamples = (int) Math.min(Integer.MAX_VALUE - 8,
						(long) RATE * (MEASURE.toSeconds() + 5) * (SUBSCRIBERS / JOBS + ALL_JOB_STREAMS + 2));
				Map<Long, Long> commits = new ConcurrentHashMap<>();
				try (SseLoad load = new SseLoad(server.port(), SUBSCRIBERS, maxSamples, commits)) {
					long connectStart = System.nanoTime();
					Flux.range(0, SUBSCRIBERS)
						.flatMap((i) -> load.open((i < ALL_JOB_STREAMS) ? "/api/v1/events"
								: "/api/v1/jobs/" + created.get(i % JOBS).id() + "/events"), 200)
						.then()
						.block(Duration.ofMinutes(10));
					Duration connecting = Duration.ofNanos(System.nanoTime() - connectStart);
					System.out.printf(Locale.ROOT, "%n%d streams open in %.1f s; the server counts %d%n", load.opened(),
							connecting.toMillis() / 1000.0, server.subscribers());

					AtomicLong written = new AtomicLong();
					AtomicLong skipped = new AtomicLong();
					Disposable writing = write(store, jobs, commits, written, skipped);
					try {
						Flux.interval(WARMUP).next().block();
						Measurement measurement = measure(server, load, written);
						System.out.println(measurement.report(load, skipped.get()));
						assertThat(load.closes()).as("streams closed as too slow").isZero();
						assertThat(measurement.p99Millis()).as("p99 delivery latency, ms").isLessThan(100);
						assertThat(measurement.heapPeak()).as("server heap peak, bytes").isLessThan(1L << 30);
					}
					finally {
						writing.dispose();
					}
				}
			}
		}
	}

	/**
	 * Writes {@link #RATE} events a second, round robin over the jobs (passing over a job whose last write is still
	 * in flight), each stamped with its write time; notes when each was committed. Paced by the clock, so a stall
	 * is made up for afterwards; {@code skipped} counts the writes it could not place at all.
	 */
	private static Disposable write(JobStore store, AtomicReferenceArray<Job> jobs, Map<Long, Long> commits,
			AtomicLong written, AtomicLong skipped) {
		AtomicInteger next = new AtomicInteger();
		AtomicLong issued = new AtomicLong();
		AtomicLong lastStamp = new AtomicLong();
		AtomicIntegerArray busy = new AtomicIntegerArray(jobs.length());
		long start = System.nanoTime();
		return Flux.interval(Duration.ofMillis(10))
			.onBackpressureDrop()
			.concatMap((tick) -> {
				long due = Math.max(0, Math.min(RATE, (System.nanoTime() - start) * RATE / 1_000_000_000L - issued.get()));
				issued.addAndGet(due);
				return Flux.range(0, (int) due);
			}, 1)
			.flatMap((i) -> {
				int slot = -1;
				for (int tries = 0; tries < jobs.length() && slot < 0; tries++) {
					int candidate = Math.floorMod(next.getAndIncrement(), jobs.length());
					if (busy.compareAndSet(candidate, 0, 1)) {
						slot = candidate;
					}
				}
				if (slot < 0) {
					skipped.incrementAndGet();
					return Mono.empty();
				}
				int taken = slot;
				long stamp = lastStamp.updateAndGet((last) -> Math.max(last + 1, SseLoad.nowMicros()));
				return store.change(jobs.get(taken), (c) -> c.statusReason = "bench " + stamp, false)
					.doOnNext((changed) -> {
						commits.put(stamp, SseLoad.nowMicros());
						jobs.set(taken, changed);
						written.incrementAndGet();
					})
					.doFinally((signal) -> busy.set(taken, 0));
			}, WRITE_CONCURRENCY)
			.subscribe();
	}

	private static Measurement measure(BenchServer server, SseLoad load, AtomicLong written) throws Exception {
		long writtenBefore = written.get();
		long publishedBefore = server.published();
		Duration cpuBefore = server.cpuTime();
		long clientCpuBefore = clientCpuNanos();
		AtomicLong heapPeak = new AtomicLong();
		load.startRecording();
		long start = System.nanoTime();
		Flux.interval(Duration.ofSeconds(1))
			.take(MEASURE.toSeconds())
			.publishOn(Schedulers.boundedElastic())
			.doOnNext((tick) -> heapPeak.accumulateAndGet(server.heapUsed(), Math::max))
			.blockLast();
		load.stopRecording();
		long writtenDuring = written.get() - writtenBefore;
		long publishedDuring = server.published() - publishedBefore;
		double seconds = (System.nanoTime() - start) / 1e9;
		double serverCores = (server.cpuTime().minus(cpuBefore).toNanos() / 1e9) / seconds;
		double clientCores = ((clientCpuNanos() - clientCpuBefore) / 1e9) / seconds;
		// Let the last writes arrive before the server's live set is taken.
		Flux.interval(Duration.ofSeconds(2)).next().block();
		long heapAfterGc = server.heapAfterGc();
		return new Measurement(seconds, writtenDuring, load.latencies(), load.latenciesSinceCommit(),
				heapPeak.get(), heapAfterGc, serverCores, clientCores, server.subscribers(), server.coalesced(),
				publishedDuring);
	}

	private static List<String> serverProperties(Environment environment) {
		List<String> properties = new ArrayList<>(List.of("reelay.dispatch.enabled=false", "spring.main.banner-mode=off",
				"reelay.simulator.enabled=false", "logging.level.root=WARN", "logging.level.dev.reelay=INFO",
				// 10,000 streams open within seconds, all as the local tenant: far beyond any one client's limit.
				"reelay.security.rate-limit.requests-per-second=1000000", "reelay.security.rate-limit.burst=1000000",
				// And far beyond the connections one address may hold: every subscriber is on 127.0.0.1.
				"reelay.server.max-connections-per-address=0"));
		// The same database as the writer, whichever one it resolved.
		for (String name : List.of("spring.r2dbc.url", "spring.r2dbc.username", "spring.r2dbc.password",
				"spring.flyway.url", "spring.flyway.user", "spring.flyway.password")) {
			String value = environment.getProperty(name);
			if (value != null) {
				properties.add(name + "=" + value);
			}
		}
		return properties;
	}

	private static long clientCpuNanos() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();
	}

	private record Measurement(double seconds, long written, long[] latencies, long[] sinceCommit, long heapPeak,
			long heapAfterGc, double serverCores, double clientCores, long subscribers, long coalesced,
			long published) {

		long p99Millis() {
			return percentile(this.latencies, 0.99) / 1000;
		}

		static long percentile(long[] sorted, double quantile) {
			if (sorted.length == 0) {
				return Long.MAX_VALUE;
			}
			return sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)];
		}

		private static String summary(long[] sorted) {
			return String.format(Locale.ROOT, "p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms",
					percentile(sorted, 0.50) / 1000.0, percentile(sorted, 0.90) / 1000.0,
					percentile(sorted, 0.99) / 1000.0, percentile(sorted, 0.999) / 1000.0,
					percentile(sorted, 1.0) / 1000.0);
		}

		String report(SseLoad load, long skippedWrites) throws Exception {
			String load1 = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
			return String.format(Locale.ROOT, """

					== Reelay SSE benchmark ==
					subscribers          %d open (%d on /api/v1/events, the rest on /api/v1/jobs/{id}/events over %d jobs)
					events written       %d in %.1f s = %.0f/s (%d could not be placed)
					deliveries           %d (%.0f/s; %d to the all-jobs streams), %d latencies recorded, %d not recorded
					expected deliveries  about %d (events x watchers); progress coalesced in full buffers: %d
					server read          %d events from the log in the same time
					write  -> client     %s
					commit -> client     %s (%d samples)
					server heap          peak %d MiB, after full GC %d MiB (limit -Xmx%s)
					server CPU           %.2f cores of %d (%.0f%%)
					client+writer CPU    %.2f cores
					streams closed slow  %d, streams ended %d
					load average (1 min) %s
					""", this.subscribers, ALL_JOB_STREAMS, JOBS, this.written, this.seconds,
					this.written / this.seconds, skippedWrites, load.delivered(), load.delivered() / this.seconds,
					load.deliveredToAllJobStreams(), this.latencies.length, load.unrecorded(),
					Math.round(this.written * ((double) (SUBSCRIBERS - ALL_JOB_STREAMS) / JOBS + ALL_JOB_STREAMS)),
					this.coalesced, this.published, summary(this.latencies), summary(this.sinceCommit),
					this.sinceCommit.length, this.heapPeak >> 20, this.heapAfterGc >> 20, SERVER_HEAP, this.serverCores,
					Runtime.getRuntime().availableProcessors(),
					100 * this.serverCores / Runtime.getRuntime().availableProcessors(), this.clientCores, load.closes(),
					load.ended(), load1);
		}

	}

}
