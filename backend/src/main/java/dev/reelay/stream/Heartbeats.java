package dev.reelay.stream;

import java.time.Duration;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Comments that keep idle connections open through proxies, for as long as the stream itself lasts. */
final class Heartbeats {

	private static final Object END = new Object();

	// Messages the merge may take ahead of the connection; the subscriber's buffer holds the rest.
	private static final int PREFETCH = 8;

	private Heartbeats() {
	}

	/**
	 * {@code frames} with a heartbeat comment every {@code every}, each from {@code heartbeat}; ends when
	 * {@code frames} ends.
	 */
	@SuppressWarnings("unchecked")
	static <T> Flux<T> around(Flux<T> frames, Duration every, Supplier<T> heartbeat) {
		// Dropped, not queued, while the client is not reading: a backlog of heartbeats says nothing.
		Flux<Object> heartbeats = Flux.interval(every, every).onBackpressureDrop().map((tick) -> heartbeat.get());
		return Flux.merge(PREFETCH, frames.cast(Object.class).concatWith(Mono.just(END)), heartbeats)
			.takeWhile((frame) -> frame != END)
			.map((frame) -> (T) frame);
	}

}
