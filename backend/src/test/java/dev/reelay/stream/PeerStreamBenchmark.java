package dev.reelay.stream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;

import dev.reelay.ReelayApplication;
import dev.reelay.job.Job;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * M4 (publish → SSE latency) and M5 (memory per subscriber) against Nchan, run by {@code bench/m4-m5-streams.sh}
 * (which starts nginx with Nchan and passes {@code -Dbench.nchan-url} and {@code -Dbench.nchan-pid}). The same
 * {@link EventSourceLoad} client measures both: all subscribers on one stream ({@code /api/v1/events}, one Nchan
 * channel), events published at a steady rate one after another, each carrying its sequence number and publish
 * time. A Reelay event is published by writing a job change through a second Reelay instance in this JVM, so it
 * reaches the measured one through PostgreSQL as between instances; an Nchan message by its HTTP publisher, with a
 * body as long as Reelay's events.
 */
class PeerStreamBenchmark {

	private static final List<int[]> POINTS = Arrays.stream(System.getProperty("bench.points", "1000x10,5000x2")
		.split(","))
		.map((point) -> Arrays.stream(point.strip().split("x")).mapToInt(Integer::parseInt).toArray())
		.toList();

	private static final Duration WARMUP = Duration.ofSeconds(Integer.getInteger("bench.warmup-seconds", 10));

	private static final Duration MEASURE = Duration.ofSeconds(Integer.getInteger("bench.seconds", 30));

	private static final Duration DRAIN = Duration.ofSeconds(Integer.getInteger("bench.drain-seconds", 10));

	private static final int REPEATS = Integer.getInteger("bench.repeats", 1);

	private static final int OPEN_CONCURRENCY = Integer.getInteger("bench.open-concurrency", 200);

	private static final String SERVER_HEAP = System.getProperty("bench.server-heap", "1g");

	private static final String NCHAN_URL = System.getProperty("bench.nchan-url", "");

	private static final long NCHAN_PID = Long.getLong("bench.nchan-pid", 0);

	private static final String VERSIONS = System.getProperty("bench.versions", "");

	@Test
	void publishToSubscriberAgainstNchan() throws Exception {
		try (ConfigurableApplicationContext writer = new SpringApplicationBuilder(ReelayApplication.class)
			.web(WebApplicationType.NONE)
			.properties("reelay.dispatch.enabled=false", "spring.main.banner-mode=off", "logging.level.root=WARN")
			.run()) {
			JobStore store = writer.getBean(JobStore.class);
			AtomicReference<Job> job = new AtomicReference<>(store
				.create(new NewJob("sim-video", "simulator", "stream benchmark job",
						new JobParameters(4, "16:9", "720p", null, null)))
				.block(Duration.ofMinutes(1)));
			try (BenchServer server = BenchServer.start(serverProperties(writer.getEnvironment()), SERVER_HEAP,
					Path.of("target", "bench", "peer-stream-server.log"))) {
				Target reelay = new ReelayTarget(server, store, job);
				Target nchan = NCHAN_URL.isBlank() ? null : new NchanTarget(NCHAN_URL, NCHAN_PID);
				// A server in service has its connection pool open and its log tail running: a few events first.
				Flux.range(0, 20).concatMap((i) -> reelay.publish(0, 0, 0)).blockLast(Duration.ofMinutes(2));
				// Idle: started, nothing connected yet, after a few seconds to settle.
				Flux.interval(Duration.ofSeconds(5)).next().block();
				Map<String, List<Result>> results = new LinkedHashMap<>();
				long reelayIdle = reelay.rss();
				long nchanIdle = (nchan != null) ? nchan.rss() : 0;
				String idleLoad = loadAverage();
				long bytesPerEvent = 900;
				for (int repeat = 0; repeat < REPEATS; repeat++) {
					for (int[] point : POINTS) {
						Result ours = run(reelay, point[0], point[1], 0);
						results.computeIfAbsent("reelay " + key(point), (k) -> new ArrayList<>()).add(ours);
						if (ours.bytesPerEvent() > 0) {
							bytesPerEvent = ours.bytesPerEvent();
						}
						if (nchan != null) {
							Result theirs = run(nchan, point[0], point[1], bytesPerEvent);
							results.computeIfAbsent("nchan " + key(point), (k) -> new ArrayList<>()).add(theirs);
						}
					}
				}
				System.out.println(table(results, reelayIdle, nchanIdle, idleLoad));
			}
		}
	}

	private static String key(int[] point) {
		return String.format(Locale.ROOT, "%,d × %d/s", point[0], point[1]);
	}

	private static Result run(Target target, int subscribers, int rate, long bytesPerEvent) throws Exception {
		long maxSamples = (long) subscribers * rate * (WARMUP.toSeconds() + MEASURE.toSeconds() + 5);
		long rssBefore = target.rss();
		try (EventSourceLoad load = new EventSourceLoad(target.baseUrl(), subscribers,
				(int) Math.min(Integer.MAX_VALUE - 8, maxSamples))) {
			target.newStream();
			long cpuBeforeOpening = target.cpuNanos();
			Duration opening = load.openAll(target.path(), subscribers, OPEN_CONCURRENCY)
				.block(Duration.ofMinutes(10));
			target.awaitSubscribers(subscribers);
			long rssOpen = target.rss();
			long cpuOpening = target.cpuNanos() - cpuBeforeOpening;
			long[] openTimes = load.openTimes();
			AtomicLong sequence = new AtomicLong();
			AtomicReference<Throwable> failure = new AtomicReference<>();
			Disposable publishing = Flux.interval(Duration.ofNanos(1_000_000_000L / rate))
				.onBackpressureBuffer(10_000)
				.concatMap((tick) -> target.publish(sequence.get(), EventSourceLoad.nowMicros(), bytesPerEvent)
					.doOnSuccess((done) -> sequence.incrementAndGet()), 1)
				.subscribe((tick) -> {
				}, failure::set);
			long recordedFrom;
			long recordedTo;
			long cpuBefore;
			long cpuDuring;
			String load1;
			try {
				Flux.interval(WARMUP).next().block();
				recordedFrom = sequence.get();
				cpuBefore = target.cpuNanos();
				load.startRecording();
				Flux.interval(MEASURE).next().block();
				load.stopRecording();
				cpuDuring = target.cpuNanos() - cpuBefore;
				recordedTo = sequence.get();
				load1 = loadAverage();
			}
			finally {
				publishing.dispose();
			}
			if (failure.get() != null) {
				throw new IllegalStateException("publishing failed", failure.get());
			}
			long last = sequence.get() - 1;
			Flux.interval(Duration.ofMillis(200))
				.takeUntil((tick) -> load.stalled(last) == 0)
				.take(DRAIN)
				.blockLast();
			long[] latencies = load.latencies();
			Result result = new Result(target.name(), subscribers, rate, percentile(latencies, 0.50),
					percentile(latencies, 0.99), percentile(latencies, 1.0), load.delivered(),
					(recordedTo - recordedFrom) * subscribers, load.gaps(), load.disorders(), load.stalled(last),
					load.ended(), opening, percentile(openTimes, 0.99), rssBefore, rssOpen, load.bytesPerEvent(), cpuDuring, cpuOpening, load1);
			System.out.println(result);
			return result;
		}
		finally {
			target.awaitSubscribers(0);
		}
	}

	private static String table(Map<String, List<Result>> results, long reelayIdle, long nchanIdle,
			String idleLoad) {
		String date = LocalDate.now(ZoneOffset.UTC).toString();
		StringBuilder table = new StringBuilder("\n| Figure | Reelay | Nchan | Ratio (Reelay / Nchan) | Load average "
				+ "(Reelay / Nchan run) | Date | Versions |\n|---|---|---|---|---|---|---|\n");
		for (int[] point : POINTS) {
			String at = key(point);
			List<Result> ours = results.getOrDefault("reelay " + at, List.of());
			List<Result> theirs = results.getOrDefault("nchan " + at, List.of());
			row(table, "M4 " + at + ": publish → client p50, ms", ours, theirs, (r) -> r.p50() / 1000.0, date);
			row(table, "M4 " + at + ": p99, ms", ours, theirs, (r) -> r.p99() / 1000.0, date);
			row(table, "M4 " + at + ": max, ms", ours, theirs, (r) -> r.max() / 1000.0, date);
			row(table, "M4 " + at + ": events published per second (the target rate, if the publisher kept up)", ours,
					theirs, Result::publishedPerSecond, date);
			row(table, "M4 " + at + ": server CPU per delivery, µs", ours, theirs, Result::cpuPerDelivery, date);
			row(table, "M4 " + at + ": sequence gaps (worst run)", ours, theirs, (r) -> (double) r.gaps(), date);
			row(table, "M4 " + at + ": stalled connections (worst run)", ours, theirs, (r) -> (double) r.stalled(),
					date);
			row(table, "M4 " + at + ": deliveries / expected, %", ours, theirs,
					(r) -> 100.0 * r.delivered() / Math.max(1, r.expected()), date);
			row(table, "Open " + String.format(Locale.ROOT, "%,d", point[0]) + " connections, s", ours, theirs,
					(r) -> r.opening().toMillis() / 1000.0, date);
			row(table, "Open " + String.format(Locale.ROOT, "%,d", point[0]) + ": server CPU per connection, ms",
					ours, theirs, Result::cpuPerOpen, date);
			row(table, "M5 at " + at + ": RSS per subscriber, KiB", ours, theirs,
					(r) -> (r.rssOpen() - r.rssBefore()) / 1024.0 / r.subscribers(), date);
		}
		double ratio = (nchanIdle > 0) ? (double) reelayIdle / nchanIdle : Double.NaN;
		table.append(String.format(Locale.ROOT, "| M5 idle RSS, MiB | %.0f | %.0f | %.2f | %s | %s | %s |%n",
				reelayIdle / 1048576.0, nchanIdle / 1048576.0, ratio, idleLoad, date, VERSIONS));
		return table.toString();
	}

	private static void row(StringBuilder table, String figure, List<Result> ours, List<Result> theirs,
			Function<Result, Double> value, String date) {
		boolean worst = figure.contains("worst");
		double reelay = summary(ours, value, worst);
		double nchan = summary(theirs, value, worst);
		String loads = ours.stream().map(Result::load).toList() + " / " + theirs.stream().map(Result::load).toList();
		table.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", figure, format(reelay),
				format(nchan), (nchan > 0) ? String.format(Locale.ROOT, "%.2f", reelay / nchan) : "–", loads, date,
				VERSIONS));
	}

	/** The median of the repeats, or the worst for counts that must be zero. */
	private static double summary(List<Result> results, Function<Result, Double> value, boolean worst) {
		if (results.isEmpty()) {
			return Double.NaN;
		}
		double[] values = results.stream().map(value).mapToDouble(Double::doubleValue).sorted().toArray();
		return worst ? values[values.length - 1] : values[values.length / 2];
	}

	private static String format(double value) {
		if (Double.isNaN(value)) {
			return "–";
		}
		if (value == Math.rint(value) && Math.abs(value) < 1e9) {
			return String.format(Locale.ROOT, "%,.0f", value);
		}
		return String.format(Locale.ROOT, (Math.abs(value) < 1) ? "%.3f" : "%,.1f", value);
	}

	private static long percentile(long[] sorted, double quantile) {
		if (sorted.length == 0) {
			return -1;
		}
		return sorted[(int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(quantile * sorted.length) - 1))];
	}

	static String loadAverage() {
		try {
			return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
		}
		catch (IOException ex) {
			return "?";
		}
	}

	/** Proportional set size (RSS with shared pages split among their sharers) of {@code pids}, in bytes. */
	static long pss(Stream<Long> pids) {
		return pids.mapToLong((pid) -> {
			try {
				for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
					if (line.startsWith("Pss:")) {
						return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
					}
				}
				return 0;
			}
			catch (IOException ex) {
				return 0;
			}
		}).sum();
	}

	/** CPU time (user + system) of {@code pids} so far, in nanoseconds (Linux, 100 ticks a second). */
	static long cpu(Stream<Long> pids) {
		return pids.mapToLong((pid) -> {
			try {
				String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
				String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
				return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
			}
			catch (IOException ex) {
				return 0;
			}
		}).sum();
	}

	private static List<String> serverProperties(Environment environment) {
		List<String> properties = new ArrayList<>(List.of("reelay.dispatch.enabled=false", "spring.main.banner-mode=off",
				"reelay.simulator.enabled=false", "logging.level.root=WARN", "logging.level.dev.reelay=INFO",
				// Thousands of streams open within seconds from one address, all as the local tenant.
				"reelay.security.rate-limit.requests-per-second=1000000", "reelay.security.rate-limit.burst=1000000",
				"reelay.server.max-connections-per-address=0", "reelay.quotas.max-streams=20000"));
		for (String name : List.of("spring.r2dbc.url", "spring.r2dbc.username", "spring.r2dbc.password",
				"spring.flyway.url", "spring.flyway.user", "spring.flyway.password")) {
			String value = environment.getProperty(name);
			if (value != null) {
				properties.add(name + "=" + value);
			}
		}
		return properties;
	}

	private record Result(String target, int subscribers, int rate, long p50, long p99, long max, long delivered,
			long expected, long gaps, long disorders, long stalled, long ended, Duration opening, long openP99,
			long rssBefore, long rssOpen, long bytesPerEvent, long cpuNanos, long cpuOpening, String load) {

		/** Server CPU time per connection opened, in milliseconds. */
		double cpuPerOpen() {
			return this.cpuOpening / 1e6 / this.subscribers;
		}

		/** Events published per second in the measured window. */
		double publishedPerSecond() {
			return (double) this.expected / this.subscribers / MEASURE.toSeconds();
		}

		/** Server CPU time per delivery in the measured window, in microseconds: what the load cannot inflate. */
		double cpuPerDelivery() {
			return (this.delivered == 0) ? Double.NaN : this.cpuNanos / 1000.0 / this.delivered;
		}

		@Override
		public String toString() {
			return String.format(Locale.ROOT,
					"%s %,d × %d/s: p50 %.1f ms, p99 %.1f ms, max %.1f ms; %,d of %,d deliveries; gaps %d, "
							+ "disorders %d, stalled %d, ended %d; opened in %.1f s (p99 %.0f ms); RSS %,d → %,d KiB; "
							+ "%d bytes/event; server CPU %.1f µs per delivery, %.2f ms per open; load %s",
					this.target, this.subscribers, this.rate, this.p50 / 1000.0, this.p99 / 1000.0, this.max / 1000.0,
					this.delivered, this.expected, this.gaps, this.disorders, this.stalled, this.ended,
					this.opening.toMillis() / 1000.0, this.openP99 / 1000.0, this.rssBefore >> 10, this.rssOpen >> 10,
					this.bytesPerEvent, cpuPerDelivery(), cpuPerOpen(), this.load);
		}

	}

	private interface Target {

		String name();

		String baseUrl();

		String path();

		/** Starts a fresh stream for the next run, where the peer needs one. */
		void newStream();

		Mono<Void> publish(long sequence, long nowMicros, long bytesPerEvent);

		void awaitSubscribers(int count);

		long rss();

		/** CPU time (user + system) the server's processes used so far. */
		long cpuNanos();

	}

	private record ReelayTarget(BenchServer server, JobStore store, AtomicReference<Job> job) implements Target {

		@Override
		public String name() {
			return "Reelay";
		}

		@Override
		public String baseUrl() {
			return "http://127.0.0.1:" + this.server.port();
		}

		@Override
		public String path() {
			return "/api/v1/events";
		}

		/** A write canceled at the end of the last run may still have committed: start from the stored version. */
		@Override
		public void newStream() {
			this.job.set(this.store.find(this.job.get().id()).block(Duration.ofMinutes(1)));
		}

		@Override
		public Mono<Void> publish(long sequence, long nowMicros, long bytesPerEvent) {
			return this.store
				.change(this.job.get(), (c) -> c.statusReason = EventSourceLoad.MARK + sequence + ":" + nowMicros,
						false)
				.doOnNext(this.job::set)
				.then();
		}

		@Override
		public void awaitSubscribers(int count) {
			Flux.interval(Duration.ofMillis(250))
				.map((tick) -> this.server.subscribers())
				.takeUntil((open) -> open == count)
				.take(Duration.ofMinutes(2))
				.blockLast();
		}

		@Override
		public long rss() {
			return pss(Stream.of(this.server.pid()));
		}

		@Override
		public long cpuNanos() {
			return cpu(Stream.of(this.server.pid()));
		}

	}

	private static final class NchanTarget implements Target {

		private final String url;

		private final long pid;

		private final HttpClient publisher;

		private String channel = "bench-0";

		private int streams;

		NchanTarget(String url, long pid) {
			this.url = url;
			this.pid = pid;
			this.publisher = HttpClient.create().baseUrl(url);
		}

		@Override
		public String name() {
			return "Nchan";
		}

		@Override
		public String baseUrl() {
			return this.url;
		}

		@Override
		public String path() {
			return "/sub?id=" + this.channel;
		}

		@Override
		public void newStream() {
			this.channel = "bench-" + (++this.streams);
		}

		@Override
		public Mono<Void> publish(long sequence, long nowMicros, long bytesPerEvent) {
			String marker = "{\"status_reason\":\"" + EventSourceLoad.MARK + sequence + ":" + nowMicros + "\",\"pad\":\"";
			// As long as Reelay's frames were, less the SSE framing both add ("id:", "event:", "retry:", "data:").
			int pad = (int) Math.max(0, bytesPerEvent - 60 - marker.length());
			String body = marker + "x".repeat(pad) + "\"}";
			return this.publisher.post()
				.uri("/pub?id=" + this.channel)
				.send(ByteBufFlux.fromString(Mono.just(body)))
				.responseSingle((response, content) -> content.then())
				.then();
		}

		@Override
		public void awaitSubscribers(int count) {
			// Nchan counts its subscribers per channel; a connection counts once it has its first bytes.
		}

		@Override
		public long cpuNanos() {
			return cpu(processes());
		}

		private Stream<Long> processes() {
			ProcessHandle master = ProcessHandle.of(this.pid)
				.orElseThrow(() -> new IllegalStateException("no nginx process " + this.pid));
			return Stream.concat(Stream.of(master.pid()), master.children().map(ProcessHandle::pid));
		}

		@Override
		public long rss() {
			ProcessHandle master = ProcessHandle.of(this.pid)
				.orElseThrow(() -> new IllegalStateException("no nginx process " + this.pid));
			return pss(Stream.concat(Stream.of(master.pid()), master.children().map(ProcessHandle::pid)));
		}

	}

}
