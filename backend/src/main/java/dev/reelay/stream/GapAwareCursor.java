package dev.reelay.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.reelay.job.JobEvent;
import dev.reelay.job.JobEventLog;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A position in the event log that never skips an event still being committed. Ids come from a sequence, so a
 * missing id below a visible one belongs to a transaction that is still open (wait for it) or that rolled back
 * (skip it). That transaction was open when the later event became visible, so once PostgreSQL's oldest open
 * transaction is newer than every transaction open at that moment, the missing id is settled one way or the
 * other. {@code grace} bounds the wait when something else holds that horizon back (a long transaction).
 */
final class GapAwareCursor {

	private static final Logger log = LoggerFactory.getLogger(GapAwareCursor.class);

	private final Duration grace;

	private long position;

	private long horizon;

	// Read by the timer that decides whether to look again; written by the tail thread only.
	private volatile @Nullable Instant holeSeenAt;

	GapAwareCursor(long position, Duration grace) {
		this.position = position;
		this.grace = grace;
	}

	long position() {
		return this.position;
	}

	/** The leading events of {@code batch} (in id order) that are safe to deliver now; advances past them. */
	List<JobEvent> accept(JobEventLog.Batch batch, Instant now) {
		List<JobEvent> ready = new ArrayList<>(batch.events().size());
		for (JobEvent event : batch.events()) {
			if (event.id() <= this.position) {
				continue;
			}
			if (event.id() != this.position + 1 && !holeSettled(batch, now, event.id())) {
				break;
			}
			this.holeSeenAt = null;
			this.position = event.id();
			ready.add(event);
		}
		return ready;
	}

	/** True while deliveries are held back behind a missing id. */
	boolean isWaiting() {
		return this.holeSeenAt != null;
	}

	private boolean holeSettled(JobEventLog.Batch batch, Instant now, long nextVisible) {
		if (this.holeSeenAt == null) {
			this.holeSeenAt = now;
			this.horizon = batch.xmax();
		}
		if (batch.xmin() >= this.horizon) {
			// Every transaction that could hold the missing ids has ended and they are still not visible: rolled back.
			return true;
		}
		if (Duration.between(this.holeSeenAt, now).compareTo(this.grace) >= 0) {
			log.warn("event ids {}..{} stayed invisible for {} behind an open transaction; delivering past them",
					this.position + 1, nextVisible - 1, this.grace);
			return true;
		}
		return false;
	}

}
