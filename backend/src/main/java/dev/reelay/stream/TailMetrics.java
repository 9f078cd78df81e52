package dev.reelay.stream;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.stereotype.Component;

/** What the log tail did: events handed to streams, streams closed as too slow. */
@Component
class TailMetrics implements MeterBinder {

	private final LogTail tail;

	TailMetrics(LogTail tail) {
		this.tail = tail;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		FunctionCounter.builder("reelay.streams.events", this.tail, LogTail::published)
			.description("Events read from the log and handed to this instance's streams")
			.register(registry);
		FunctionCounter.builder("reelay.streams.closed.slow", this.tail, LogTail::closedTooSlow)
			.description("Streams closed because their buffer overflowed (the client resumes from the log)")
			.register(registry);
	}

}
