package dev.reelay.stream;

import dev.reelay.job.JobEvent;
import dev.reelay.job.JobEventType;
import org.jspecify.annotations.Nullable;

/**
 * One message of a stream: a job event, or a notice about the stream itself ({@code event} is null), with its
 * bytes on the wire. Built once per event and shared by every subscriber it goes to, so a delivery copies nothing.
 */
record Outgoing(@Nullable JobEvent event, byte[] frame) {

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
