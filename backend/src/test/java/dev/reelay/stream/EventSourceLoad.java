package dev.reelay.stream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.ByteBuf;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * One SSE load client for Reelay and its peer alike: N EventSource connections to one URL, each scanning its bytes
 * for the marker {@code bench:<sequence>:<publish time in epoch micros>} that every published event carries in its
 * data, whatever else the data holds. Per connection it checks that sequences arrive one after another (a jump is a
 * gap, a repeat or step back a disorder) and when it last heard anything; it records publish → read latency and how
 * long each connection took to open (request until the first byte of the body).
 */
final class EventSourceLoad implements AutoCloseable {

	static final String MARK = "bench:";

	private final HttpClient client;

	private final LoopResources loops;

	private final ConnectionProvider pool;

	private final Disposable.Composite connections = Disposables.composite();

	private final List<Reader> readers = new ArrayList<>();

	private final long[] latencies;

	private final AtomicInteger recorded = new AtomicInteger();

	private final AtomicLong delivered = new AtomicLong();

	private final AtomicLong ended = new AtomicLong();

	private final AtomicLong bytes = new AtomicLong();

	private final AtomicLong received = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private final long[] openMicros;

	private final AtomicInteger opened = new AtomicInteger();

	private volatile boolean recording;

	EventSourceLoad(String baseUrl, int connections, int maxSamples) {
		this.loops = LoopResources.create("sse-load", 2, true);
		this.pool = ConnectionProvider.builder("sse-load")
			.maxConnections(connections + 16)
			.pendingAcquireMaxCount(-1)
			.pendingAcquireTimeout(Duration.ofMinutes(5))
			.build();
		this.client = HttpClient.create(this.pool)
			.runOn(this.loops)
			.baseUrl(baseUrl)
			.responseTimeout(Duration.ofMinutes(30))
			.headers((headers) -> headers.set("Accept", "text/event-stream"));
		this.latencies = new long[maxSamples];
		this.openMicros = new long[connections];
	}

	/**
	 * Opens {@code count} connections to {@code path}, {@code concurrency} at a time; completes with the wall time
	 * it took once every one has received its first bytes.
	 */
	Mono<Duration> openAll(String path, int count, int concurrency) {
		return Mono.defer(() -> {
			long start = System.nanoTime();
			return Flux.range(0, count)
				.flatMap((i) -> open(path), concurrency)
				.then(Mono.fromSupplier(() -> Duration.ofNanos(System.nanoTime() - start)));
		});
	}

	private Mono<Void> open(String path) {
		Sinks.Empty<Void> first = Sinks.empty();
		Reader reader = new Reader(first, System.nanoTime());
		synchronized (this.readers) {
			this.readers.add(reader);
		}
		this.connections.add(this.client.get().uri(path).response((response, body) -> {
			if (response.status().code() != 200) {
				first.tryEmitError(new IllegalStateException(path + " answered " + response.status()));
				return Flux.empty();
			}
			return body.doOnNext(reader::accept);
		}).subscribe((ignored) -> {
		}, (error) -> {
			this.failed.incrementAndGet();
			reader.ended = true;
			first.tryEmitError(error);
		}, () -> {
			this.ended.incrementAndGet();
			reader.ended = true;
			first.tryEmitEmpty();
		}));
		return first.asMono();
	}

	void startRecording() {
		this.recorded.set(0);
		this.delivered.set(0);
		this.recording = true;
	}

	void stopRecording() {
		this.recording = false;
	}

	/** Latencies recorded while recording, in microseconds, sorted. */
	long[] latencies() {
		long[] sorted = Arrays.copyOf(this.latencies, Math.min(this.recorded.get(), this.latencies.length));
		Arrays.sort(sorted);
		return sorted;
	}

	/** Open times of the connections so far, in microseconds, sorted. */
	long[] openTimes() {
		long[] sorted = Arrays.copyOf(this.openMicros, Math.min(this.opened.get(), this.openMicros.length));
		Arrays.sort(sorted);
		return sorted;
	}

	/** Bytes read over every connection so far. */
	long bytesRead() {
		return this.bytes.get();
	}

	/** Bytes read per event received, framing and heartbeats included. */
	long bytesPerEvent() {
		long events = this.received.get();
		return (events == 0) ? 0 : this.bytes.get() / events;
	}

	long delivered() {
		return this.delivered.get();
	}

	/** Sequence numbers missing between two a connection received, summed over the connections. */
	long gaps() {
		return sum((reader) -> reader.gaps);
	}

	/** Sequences a connection received again or after a later one. */
	long disorders() {
		return sum((reader) -> reader.disorders);
	}

	/**
	 * Connections that have not received {@code last} (or anything after it): they fell behind, stopped or ended.
	 */
	long stalled(long last) {
		return sum((reader) -> (reader.ended || reader.lastSequence < last) ? 1 : 0);
	}

	/** Connections the server ended, or that failed. */
	long ended() {
		return this.ended.get() + this.failed.get();
	}

	@Override
	public void close() {
		this.connections.dispose();
		this.pool.disposeLater().block(Duration.ofSeconds(30));
		this.loops.disposeLater().block(Duration.ofSeconds(30));
	}

	static long nowMicros() {
		return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
	}

	private long sum(java.util.function.ToLongFunction<Reader> value) {
		synchronized (this.readers) {
			return this.readers.stream().mapToLong(value).sum();
		}
	}

	private void record(long publishedAtMicros) {
		this.received.incrementAndGet();
		if (!this.recording) {
			return;
		}
		long now = nowMicros();
		this.delivered.incrementAndGet();
		int slot = this.recorded.getAndIncrement();
		if (slot < this.latencies.length) {
			this.latencies[slot] = Math.max(0, now - publishedAtMicros);
		}
	}

	/**
	 * One connection's scanner: it looks for the marker bytes instead of decoding text, so the client costs little
	 * of the machine it shares with the server. The last bytes of each chunk are kept: a marker may straddle two.
	 */
	private final class Reader {

		private static final byte[] STAMP = MARK.getBytes(StandardCharsets.UTF_8);

		private static final int CARRY = 48;

		private final Sinks.Empty<Void> first;

		private final long startNanos;

		private byte[] carry = new byte[0];

		private boolean heard;

		volatile long lastSequence = -1;

		volatile long gaps;

		volatile long disorders;

		volatile boolean ended;

		Reader(Sinks.Empty<Void> first, long startNanos) {
			this.first = first;
			this.startNanos = startNanos;
		}

		void accept(ByteBuf chunk) {
			if (!this.heard) {
				this.heard = true;
				int slot = EventSourceLoad.this.opened.getAndIncrement();
				if (slot < EventSourceLoad.this.openMicros.length) {
					EventSourceLoad.this.openMicros[slot] = (System.nanoTime() - this.startNanos) / 1000;
				}
				this.first.tryEmitEmpty();
			}
			EventSourceLoad.this.bytes.addAndGet(chunk.readableBytes());
			byte[] bytes = new byte[this.carry.length + chunk.readableBytes()];
			System.arraycopy(this.carry, 0, bytes, 0, this.carry.length);
			chunk.getBytes(chunk.readerIndex(), bytes, this.carry.length, chunk.readableBytes());
			int fresh = this.carry.length;
			int resumeAt = 0;
			for (int at = indexOf(bytes, STAMP, 0); at >= 0; at = indexOf(bytes, STAMP, at + 1)) {
				int sequenceStart = at + STAMP.length;
				int colon = sequenceStart;
				while (colon < bytes.length && isDigit(bytes[colon])) {
					colon++;
				}
				int end = colon + 1;
				while (end < bytes.length && isDigit(bytes[end])) {
					end++;
				}
				// Complete once a non-digit follows the time; counted in the chunk where that happens.
				if (colon >= bytes.length || end >= bytes.length) {
					break;
				}
				if (bytes[colon] != ':' || colon == sequenceStart || end == colon + 1) {
					continue;
				}
				resumeAt = end;
				if (end < fresh) {
					continue;
				}
				accept(parseLong(bytes, sequenceStart, colon), parseLong(bytes, colon + 1, end));
			}
			int keepFrom = Math.max(resumeAt, bytes.length - CARRY);
			this.carry = Arrays.copyOfRange(bytes, keepFrom, bytes.length);
		}

		private void accept(long sequence, long publishedAt) {
			// Every connection opens before the first publish, so the first sequence it must see is 0.
			long last = this.lastSequence;
			if (sequence > last + 1) {
				this.gaps += sequence - last - 1;
			}
			if (last >= 0 && sequence <= last) {
				this.disorders++;
				return;
			}
			this.lastSequence = sequence;
			record(publishedAt);
		}

		private static boolean isDigit(byte b) {
			return b >= '0' && b <= '9';
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
