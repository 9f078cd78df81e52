package dev.reelay.stream;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.stereotype.Component;

/** How the streams fare: open subscribers, and how many were closed for reading too slowly. */
@Component
class StreamMetrics implements MeterBinder {

	private final LogTail tail;

	StreamMetrics(LogTail tail) {
		this.tail = tail;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder("reelay.stream.subscribers", this.tail, LogTail::subscribers)
			.description("SSE streams open on this instance")
			.register(registry);
		FunctionCounter.builder("reelay.stream.closed.slow", this.tail, LogTail::closedTooSlow)
			.description("Streams closed because their buffer overflowed (the client resumes from the log)")
			.register(registry);
	}

}
