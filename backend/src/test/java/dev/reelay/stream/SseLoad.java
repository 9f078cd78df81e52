package dev.reelay.stream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.ByteBuf;
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

	private final AtomicLong deliveredToAllJobStreams = new AtomicLong();

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
		Reader reader = new Reader(ready, path.startsWith("/api/v1/events"));
		this.connections.add(this.client.get()
			.uri(path)
			.responseContent()
			.subscribe(reader::accept, (error) -> {
				this.ended.incrementAndGet();
				ready.tryEmitError(error);
			}, this.ended::incrementAndGet));
		return ready.asMono().doOnSuccess((done) -> this.opened.incrementAndGet());
	}

	/** From now on, deliveries count and their latencies are kept. */
	void startRecording() {
		this.delivered.set(0);
		this.deliveredToAllJobStreams.set(0);
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

	/** Of {@link #delivered()}, those to streams of every job. */
	long deliveredToAllJobStreams() {
		return this.deliveredToAllJobStreams.get();
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

	private void record(long writtenAtMicros, boolean allJobs) {
		if (!this.recording) {
			return;
		}
		if (allJobs) {
			this.deliveredToAllJobStreams.incrementAndGet();
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

	/**
	 * One connection's scanner. It looks for a few byte patterns instead of decoding text, so that the client side
	 * costs little of the machine it shares with the server; the last bytes of each chunk are kept, since a pattern
	 * may straddle two chunks.
	 */
	private final class Reader {

		private static final byte[] STAMP = MARK.getBytes(StandardCharsets.UTF_8);

		private static final byte[] READY = ":ready\n".getBytes(StandardCharsets.UTF_8);

		private static final byte[] CLOSE = "event:close\n".getBytes(StandardCharsets.UTF_8);

		private static final int CARRY = 64;

		private final Sinks.Empty<Void> ready;

		private final boolean allJobs;

		private byte[] carry = new byte[0];

		Reader(Sinks.Empty<Void> ready, boolean allJobs) {
			this.ready = ready;
			this.allJobs = allJobs;
		}

		void accept(ByteBuf chunk) {
			byte[] bytes = new byte[this.carry.length + chunk.readableBytes()];
			System.arraycopy(this.carry, 0, bytes, 0, this.carry.length);
			chunk.getBytes(chunk.readerIndex(), bytes, this.carry.length, chunk.readableBytes());
			int fresh = this.carry.length;
			for (int at = indexOf(bytes, STAMP, 0); at >= 0; at = indexOf(bytes, STAMP, at + 1)) {
				int digits = at + STAMP.length;
				int end = digits;
				while (end < bytes.length && bytes[end] != '"') {
					end++;
				}
				// Counted when its closing quote arrives: in this chunk, not in the part carried over.
				if (end < bytes.length && end >= fresh) {
					record(parseLong(bytes, digits, end), this.allJobs);
				}
			}
			if (indexOf(bytes, READY, Math.max(0, fresh - READY.length + 1)) >= 0) {
				this.ready.tryEmitEmpty();
			}
			if (indexOf(bytes, CLOSE, Math.max(0, fresh - CLOSE.length + 1)) >= 0) {
				SseLoad.this.closes.incrementAndGet();
			}
			this.carry = Arrays.copyOfRange(bytes, Math.max(0, bytes.length - CARRY), bytes.length);
		}

		private static int indexOf(byte[] bytes, byte[] pattern, int from) {
			outer: for (int i = from; i <= bytes.length - pattern.length; i++) {
				for (int j = 0; j < pattern.length; j++) {
					if (bytes[i + j] != pattern[j]) {
						continue outer;
					}
				}
				return i;
			}
			return -1;
		}

		private static long parseLong(byte[] bytes, int from, int to) {
			long value = 0;
			for (int i = from; i < to; i++) {
				value = value * 10 + (bytes[i] - '0');
			}
			return value;
		}

	}

}
