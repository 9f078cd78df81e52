package dev.reelay.stream;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;

import org.springframework.stereotype.Component;

/**
 * SSE subscribers per scope ({@code job}: one job's stream, {@code all}: the all-jobs stream) and wake-ups of the
 * log tail ({@code tail}) that were folded into one read of the log because it was still busy with the previous one.
 */
@Component
class StreamMetrics {

	static final String JOB = "job";

	static final String ALL = "all";

	static final String TAIL = "tail";

	private final Map<String, AtomicInteger> subscribers = Map.of(JOB, new AtomicInteger(), ALL, new AtomicInteger());

	private final Map<String, Counter> coalesced;

	StreamMetrics(MeterRegistry registry) {
		this.subscribers.forEach((scope, count) -> Gauge
			.builder("reelay.streams.subscribers", count, AtomicInteger::get)
			.description("Open SSE streams")
			.tag("scope", scope)
			.register(registry));
		this.coalesced = Map.of(JOB, coalescedCounter(registry, JOB), ALL, coalescedCounter(registry, ALL), TAIL,
				coalescedCounter(registry, TAIL));
	}

	/** Counts {@code stream} as a subscriber of {@code scope} from subscription until it ends or is canceled. */
	<T> Flux<T> tracked(String scope, Flux<T> stream) {
		AtomicInteger count = this.subscribers.get(scope);
		return stream.doOnSubscribe((subscription) -> count.incrementAndGet())
			.doFinally((signal) -> count.decrementAndGet());
	}

	/**
	 * Keeps one pending wake-up while the reader is busy (reading the log); older ones are dropped and counted.
	 * Nothing is lost by that: a read fetches everything after the reader's position.
	 */
	Flux<Object> coalesced(String scope, Flux<?> wakeUps) {
		Counter dropped = this.coalesced.get(scope);
		return wakeUps.<Object>map((wake) -> wake)
			.onBackpressureBuffer(1, (wake) -> dropped.increment(), BufferOverflowStrategy.DROP_OLDEST);
	}

	private static Counter coalescedCounter(MeterRegistry registry, String scope) {
		return Counter.builder("reelay.streams.wakeups.coalesced")
			.description("Wake-ups (notices, timer ticks) folded into the next read of the event log; no event is lost")
			.tag("scope", scope)
			.register(registry);
	}

}
