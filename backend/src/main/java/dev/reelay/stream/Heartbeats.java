package dev.reelay.stream;

import java.time.Duration;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.http.codec.ServerSentEvent;

/** Comments that keep idle connections open through proxies, for as long as the stream itself lasts. */
final class Heartbeats {

	private static final ServerSentEvent<String> END = ServerSentEvent.<String>builder().comment("end").build();

	// Messages the merge may take ahead of the connection; the subscriber's buffer holds the rest.
	private static final int PREFETCH = 8;

	private Heartbeats() {
	}

	/** {@code messages} with a heartbeat comment every {@code every}; ends when {@code messages} ends. */
	static Flux<ServerSentEvent<String>> around(Flux<ServerSentEvent<String>> messages, Duration every) {
		// Dropped, not queued, while the client is not reading: a backlog of heartbeats says nothing.
		Flux<ServerSentEvent<String>> heartbeats = Flux.interval(every, every)
			.onBackpressureDrop()
			.map((tick) -> StreamMessages.HEARTBEAT);
		return Flux.merge(PREFETCH, messages.concatWith(Mono.just(END)), heartbeats)
			.takeWhile((event) -> event != END);
	}

}
