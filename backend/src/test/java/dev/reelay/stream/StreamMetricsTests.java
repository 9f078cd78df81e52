package dev.reelay.stream;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

import static org.assertj.core.api.Assertions.assertThat;

class StreamMetricsTests {

	private final MeterRegistry registry = new SimpleMeterRegistry();

	private final StreamMetrics metrics = new StreamMetrics(this.registry);

	@Test
	void countsASubscriberUntilItCancels() {
		StepVerifier.create(this.metrics.tracked(StreamMetrics.JOB, Flux.never()))
			.expectSubscription()
			.then(() -> assertThat(subscribers(StreamMetrics.JOB)).isEqualTo(1))
			.then(() -> assertThat(subscribers(StreamMetrics.ALL)).isZero())
			.thenCancel()
			.verify(Duration.ofSeconds(5));
		assertThat(subscribers(StreamMetrics.JOB)).isZero();
	}

	@Test
	void countsASubscriberUntilItsStreamEnds() {
		StepVerifier.create(this.metrics.tracked(StreamMetrics.ALL, Flux.just(1, 2)))
			.expectNext(1, 2)
			.verifyComplete();
		assertThat(subscribers(StreamMetrics.ALL)).isZero();
	}

	@Test
	void aBusySubscriberGetsOnlyTheLatestWakeUpAndTheRestAreCounted() {
		TestPublisher<Long> wakeUps = TestPublisher.create();
		StepVerifier.create(this.metrics.coalesced(StreamMetrics.ALL, wakeUps.flux()), 0)
			.then(() -> wakeUps.next(1L, 2L, 3L, 4L))
			.thenRequest(1)
			.expectNext(4L)
			.then(() -> wakeUps.next(5L))
			.thenRequest(1)
			.expectNext(5L)
			.thenCancel()
			.verify(Duration.ofSeconds(5));
		assertThat(this.registry.get("reelay.streams.wakeups.coalesced").tag("scope", "all").counter().count())
			.isEqualTo(3);
	}

	private double subscribers(String scope) {
		return this.registry.get("reelay.streams.subscribers").tag("scope", scope).gauge().value();
	}

}
