package dev.reelay.stream;

import dev.reelay.job.JobEvent;
import org.jspecify.annotations.Nullable;

/**
 * One message of a stream: a job event, or a notice about the stream itself ({@code event} is null), with its
 * bytes on the wire. Built once per event and shared by every subscriber it goes to, so a delivery copies nothing.
 * {@code late}: an event whose id the stream already passed over (see {@code GapAwareCursor}), sent out of order.
 */
record Outgoing(@Nullable JobEvent event, byte[] frame, boolean late) {

	Outgoing(@Nullable JobEvent event, byte[] frame) {
		this(event, frame, false);
	}

	/** The event id, or 0 for a notice. */
	long id() {
		return (this.event != null) ? this.event.id() : 0;
	}

	boolean endsJob() {
		return this.event != null && this.event.type().isTerminal();
	}

}
