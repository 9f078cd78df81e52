package dev.reelay.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.reelay.job.JobEvent;
import org.jspecify.annotations.Nullable;

/**
 * A position in the global event log that never skips an event still being committed. Ids come from a
 * sequence, so a hole is either a transaction that has not committed yet (wait) or one that rolled back (skip
 * after a grace period).
 */
final class GapAwareCursor {

	private final Duration grace;

	private long position;

	private @Nullable Instant holeSeenAt;

	GapAwareCursor(long position, Duration grace) {
		this.position = position;
		this.grace = grace;
	}

	long position() {
		return this.position;
	}

	/** The leading events of {@code batch} (in id order) that are safe to deliver now; advances past them. */
	List<JobEvent> accept(List<JobEvent> batch, Instant now) {
		List<JobEvent> ready = new ArrayList<>(batch.size());
		for (JobEvent event : batch) {
			if (event.id() != this.position + 1) {
				if (this.holeSeenAt == null) {
					this.holeSeenAt = now;
				}
				if (Duration.between(this.holeSeenAt, now).compareTo(this.grace) < 0) {
					break;
				}
			}
			this.holeSeenAt = null;
			this.position = event.id();
			ready.add(event);
		}
		return ready;
	}

	/** True while deliveries are held back behind a hole. */
	boolean isWaiting() {
		return this.holeSeenAt != null;
	}

}
