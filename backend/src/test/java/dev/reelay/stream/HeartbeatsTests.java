package dev.reelay.stream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class HeartbeatsTests {

	private static final Duration EVERY = Duration.ofSeconds(15);

	private static final byte[] EVENT = "event:job.progress\ndata:{}\n\n".getBytes(StandardCharsets.UTF_8);

	@Test
	void anIdleStreamGetsAHeartbeatEveryInterval() {
		StepVerifier.withVirtualTime(() -> Heartbeats.around(Flux.<byte[]>never(), EVERY, () -> StreamMessages.HEARTBEAT))
			.expectSubscription()
			.expectNoEvent(EVERY.minusMillis(1))
			.thenAwait(Duration.ofMillis(1))
			.expectNext(StreamMessages.HEARTBEAT)
			.thenAwait(EVERY)
			.expectNext(StreamMessages.HEARTBEAT)
			.thenCancel()
			.verify(Duration.ofSeconds(5));
	}

	@Test
	void heartbeatsStopWhenTheStreamEnds() {
		StepVerifier.withVirtualTime(
				() -> Heartbeats.around(Flux.just(EVENT).concatWith(Mono.delay(Duration.ofSeconds(20)).then(Mono.empty())), EVERY,
						() -> StreamMessages.HEARTBEAT))
			.expectNext(EVENT)
			.thenAwait(EVERY)
			.expectNext(StreamMessages.HEARTBEAT)
			.thenAwait(Duration.ofSeconds(5))
			.expectComplete()
			.verify(Duration.ofSeconds(5));
	}

	@Test
	void aClientThatReadsNothingDoesNotPileUpHeartbeats() {
		StepVerifier.withVirtualTime(() -> Heartbeats.around(Flux.<byte[]>never(), EVERY, () -> StreamMessages.HEARTBEAT), 0)
			.expectSubscription()
			.thenAwait(EVERY.multipliedBy(1_000))
			.thenRequest(1)
			.expectNext(StreamMessages.HEARTBEAT)
			.thenRequest(1)
			.expectNoEvent(EVERY.minusMillis(1))
			.thenCancel()
			.verify(Duration.ofSeconds(5));
	}

}
