package dev.reelay.stream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Many SSE clients over one connection pool, each reading its stream line by line. Every job event the benchmark
 * writes carries its write time in the status reason ({@code "bench <epoch micros>"}, unique per write); each
 * delivery's latency is recorded twice: from the write (before its transaction began) and from the commit (as the
 * writer saw it acknowledged, when it already had).
 */
final class SseLoad implements AutoCloseable {

	static final String MARK = "\"status_reason\":\"bench ";

	private final HttpClient client;

	private final LoopResources loops;

	private final ConnectionProvider pool;

	private final Disposable.Composite connections = Disposables.composite();

	private final AtomicInteger opened = new AtomicInteger();

	private final AtomicLong delivered = new AtomicLong();

	private final AtomicLong closes = new AtomicLong();

	private final AtomicLong ended = new AtomicLong();

	private volatile boolean recording;

	private final long[] samples;

	private final long[] sinceCommit;

	private final AtomicInteger recorded = new AtomicInteger();

	private final AtomicInteger recordedSinceCommit = new AtomicInteger();

	private final Map<Long, Long> commits;

	private final AtomicLong overflow = new AtomicLong();

	SseLoad(int port, int connections, int maxSamples, Map<Long, Long> commits) {
		this.commits = commits;
		this.loops = LoopResources.create("bench-client", 2, true);
		this.pool = ConnectionProvider.builder("bench")
			.maxConnections(connections + 16)
			.pendingAcquireMaxCount(-1)
			.pendingAcquireTimeout(Duration.ofMinutes(5))
			.build();
		this.client = HttpClient.create(this.pool)
			.runOn(this.loops)
			.baseUrl("http://127.0.0.1:" + port)
			.headers((headers) -> headers.set("Accept", "text/event-stream"));
		this.samples = new long[maxSamples];
		this.sinceCommit = new long[maxSamples];
	}

	/** Opens a stream at {@code path}; completes once the server says it is registered ({@code : ready}). */
	Mono<Void> open(String path) {
		Sinks.Empty<Void> ready = Sinks.empty();
		Reader reader = new Reader(ready);
		this.connections.add(this.client.get()
			.uri(path)
			.responseContent()
			.asString(StandardCharsets.UTF_8)
			.subscribe(reader::accept, (error) -> {
				this.ended.incrementAndGet();
				ready.tryEmitError(error);
			}, this.ended::incrementAndGet));
		return ready.asMono().doOnSuccess((done) -> this.opened.incrementAndGet());
	}

	/** From now on, deliveries count and their latencies are kept. */
	void startRecording() {
		this.delivered.set(0);
		this.recorded.set(0);
		this.recordedSinceCommit.set(0);
		this.overflow.set(0);
		this.recording = true;
	}

	void stopRecording() {
		this.recording = false;
	}

	int opened() {
		return this.opened.get();
	}

	long delivered() {
		return this.delivered.get();
	}

	long closes() {
		return this.closes.get();
	}

	long ended() {
		return this.ended.get();
	}

	/** Recorded write-to-client latencies in microseconds, sorted. */
	long[] latencies() {
		return sorted(this.samples, this.recorded.get());
	}

	/** Recorded commit-to-client latencies in microseconds, sorted. */
	long[] latenciesSinceCommit() {
		return sorted(this.sinceCommit, this.recordedSinceCommit.get());
	}

	private static long[] sorted(long[] samples, int recorded) {
		long[] sorted = Arrays.copyOf(samples, Math.min(recorded, samples.length));
		Arrays.sort(sorted);
		return sorted;
	}

	long unrecorded() {
		return this.overflow.get();
	}

	@Override
	public void close() {
		this.connections.dispose();
		this.pool.dispose();
		this.loops.dispose();
	}

	static long nowMicros() {
		Instant now = Instant.now();
		return ChronoUnit.MICROS.between(Instant.EPOCH, now);
	}

	private void record(long writtenAtMicros) {
		if (!this.recording) {
			return;
		}
		long now = nowMicros();
		this.delivered.incrementAndGet();
		int slot = this.recorded.getAndIncrement();
		if (slot < this.samples.length) {
			this.samples[slot] = now - writtenAtMicros;
		}
		else {
			this.overflow.incrementAndGet();
		}
		Long committedAt = this.commits.get(writtenAtMicros);
		if (committedAt != null) {
			int commitSlot = this.recordedSinceCommit.getAndIncrement();
			if (commitSlot < this.sinceCommit.length) {
				this.sinceCommit[commitSlot] = Math.max(0, now - committedAt);
			}
		}
	}

	/** One connection's line splitter: chunks do not follow line boundaries. */
	private final class Reader {

		private final Sinks.Empty<Void> ready;

		private final StringBuilder partial = new StringBuilder();

		Reader(Sinks.Empty<Void> ready) {
			this.ready = ready;
		}

		void accept(String chunk) {
			int start = 0;
			for (int end = chunk.indexOf('\n'); end >= 0; end = chunk.indexOf('\n', start)) {
				String line;
				if (this.partial.length() > 0) {
					line = this.partial.append(chunk, start, end).toString();
					this.partial.setLength(0);
				}
				else {
					line = chunk.substring(start, end);
				}
				line(line);
				start = end + 1;
			}
			this.partial.append(chunk, start, chunk.length());
		}

		private void line(String line) {
			if (line.startsWith("data:")) {
				int mark = line.indexOf(MARK);
				if (mark >= 0) {
					int from = mark + MARK.length();
					record(Long.parseLong(line.substring(from, line.indexOf('"', from))));
				}
			}
			else if (line.equals(":ready")) {
				this.ready.tryEmitEmpty();
			}
			else if (line.equals("event:close")) {
				SseLoad.this.closes.incrementAndGet();
			}
		}

	}

}
