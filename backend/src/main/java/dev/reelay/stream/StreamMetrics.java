package dev.reelay.stream;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.stereotype.Component;

/** How the streams fare: open subscribers, progress dropped from full buffers, streams closed as too slow. */
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
		FunctionCounter.builder("reelay.stream.events", this.tail, LogTail::published)
			.description("Events read from the log and handed to this instance's streams")
			.register(registry);
		FunctionCounter.builder("reelay.stream.coalesced", this.tail, LogTail::coalesced)
			.description("Progress events dropped from full buffers because a later event of the job superseded them")
			.register(registry);
	}

}
