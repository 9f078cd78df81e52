package dev.reelay.stream;

import dev.reelay.job.JobEvent;
import dev.reelay.job.JobEventType;
import org.jspecify.annotations.Nullable;

import org.springframework.http.codec.ServerSentEvent;

/**
 * One message of a stream: a job event, or a notice about the stream itself ({@code event} is null). Built once
 * per event and shared by every subscriber it goes to.
 */
record Outgoing(@Nullable JobEvent event, ServerSentEvent<String> sse) {

	/** The event id, or 0 for a notice. */
	long id() {
		return (this.event != null) ? this.event.id() : 0;
	}

	boolean isProgress() {
		return this.event != null && this.event.type() == JobEventType.PROGRESS;
	}

	boolean endsJob() {
		return this.event != null && this.event.type().isTerminal();
	}

}
