package dev.reelay.stream;

import java.time.Duration;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Comments that keep idle connections open through proxies, for as long as the stream itself lasts. */
final class Heartbeats {

	private static final byte[] END = new byte[0];

	// Messages the merge may take ahead of the connection; the subscriber's buffer holds the rest.
	private static final int PREFETCH = 8;

	private Heartbeats() {
	}

	/** {@code frames} with a heartbeat comment every {@code every}; ends when {@code frames} ends. */
	static Flux<byte[]> around(Flux<byte[]> frames, Duration every) {
		// Dropped, not queued, while the client is not reading: a backlog of heartbeats says nothing.
		Flux<byte[]> heartbeats = Flux.interval(every, every)
			.onBackpressureDrop()
			.map((tick) -> StreamMessages.HEARTBEAT);
		return Flux.merge(PREFETCH, frames.concatWith(Mono.just(END)), heartbeats).takeWhile((frame) -> frame != END);
	}

}
