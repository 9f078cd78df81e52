package dev.reelay.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.reelay.job.JobEvent;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A position in the event log that never skips an event still being committed. Ids come from a sequence, so a
 * missing id below a visible one belongs to a transaction that is still open (wait for it) or that rolled back
 * (skip it). That transaction was already running when the hole was seen, so its transaction id is below any
 * taken afterwards: once no transaction below such a {@linkplain #horizon(long) horizon} is open, a read that
 * still lacks the id proves it rolled back. {@code grace} bounds the wait when that cannot be learned; an id passed
 * over that way is remembered and {@linkplain #late(List, Set) delivered late} if it appears.
 */
final class GapAwareCursor {

	private static final Logger log = LoggerFactory.getLogger(GapAwareCursor.class);

	// Bounds the ids remembered; far more than stalled transactions can hold.
	private static final int MAX_SKIPPED = 10_000;

	private final Duration grace;

	private long position;

	private long horizon;

	private int readsWaiting;

	// Read by the timer that decides whether to look again; written by the tail thread only.
	private volatile @Nullable Instant holeSeenAt;

	/**
	 * Ids passed over after {@code grace} while still missing, each with a horizon (0 until one is taken): they are
	 * delivered late if they appear, and forgotten once no transaction below their horizon is open. Guarded by
	 * {@code skipped}.
	 */
	private final Map<Long, Long> skipped = new TreeMap<>();

	GapAwareCursor(long position, Duration grace) {
		this.position = position;
		this.grace = grace;
	}

	long position() {
		return this.position;
	}

	/**
	 * The leading {@code events} (read in id order after {@link #position()}) that are safe to deliver now;
	 * advances past them. {@code holdersEnded}: a check made before this read found no transaction below the
	 * horizon open.
	 */
	List<JobEvent> accept(List<JobEvent> events, boolean holdersEnded, Instant now) {
		List<JobEvent> ready = new ArrayList<>(events.size());
		for (JobEvent event : events) {
			if (event.id() <= this.position) {
				continue;
			}
			if (event.id() != this.position + 1 && !holeSettled(holdersEnded, now, event.id())) {
				break;
			}
			this.holeSeenAt = null;
			this.horizon = 0;
			this.readsWaiting = 0;
			this.position = event.id();
			ready.add(event);
		}
		return ready;
	}

	/** True while deliveries are held back behind a missing id. */
	boolean isWaiting() {
		return this.holeSeenAt != null;
	}

	/** The horizon of the current hole, or 0 when there is none yet. */
	long horizon() {
		return this.horizon;
	}

	/**
	 * True when the tail should take a horizon: the hole outlived a second read. Most holes are transactions a
	 * moment from committing, and their commit fills them without one.
	 */
	boolean needsHorizon() {
		return isWaiting() && this.horizon == 0 && this.readsWaiting >= 2;
	}

	/** A transaction id taken after the current hole was seen. */
	void horizon(long transactionId) {
		if (isWaiting() && this.horizon == 0) {
			this.horizon = transactionId;
		}
	}

	private void remember(long first, long last, long horizon) {
		synchronized (this.skipped) {
			for (long id = first; id <= last && this.skipped.size() < MAX_SKIPPED; id++) {
				this.skipped.put(id, horizon);
			}
		}
	}

	/** True while ids passed over may still appear. */
	boolean hasSkipped() {
		synchronized (this.skipped) {
			return !this.skipped.isEmpty();
		}
	}

	/** The ids passed over and not yet seen or known rolled back, in id order. */
	List<Long> skipped() {
		synchronized (this.skipped) {
			return new ArrayList<>(this.skipped.keySet());
		}
	}

	/** True when {@code id} was passed over and may still appear. */
	boolean isSkipped(long id) {
		synchronized (this.skipped) {
			return this.skipped.containsKey(id);
		}
	}

	/** The horizons of the ids passed over (0: none taken yet). */
	Set<Long> skippedHorizons() {
		synchronized (this.skipped) {
			return new HashSet<>(this.skipped.values());
		}
	}

	/** Gives the ids passed over without a horizon one taken now (after they were seen missing). */
	void skippedHorizon(long transactionId) {
		synchronized (this.skipped) {
			this.skipped.replaceAll((id, horizon) -> (horizon == 0) ? transactionId : horizon);
		}
	}

	/**
	 * The {@code found} events (read after a check found every transaction below the {@code ended} horizons ended)
	 * that were passed over: each is answered once. Ids of an ended horizon still missing were rolled back and are
	 * forgotten.
	 */
	List<JobEvent> late(List<JobEvent> found, Set<Long> ended) {
		List<JobEvent> late = new ArrayList<>(found.size());
		synchronized (this.skipped) {
			for (JobEvent event : found) {
				if (this.skipped.remove(event.id()) != null) {
					late.add(event);
				}
			}
			this.skipped.values().removeIf(ended::contains);
		}
		return late;
	}

	private boolean holeSettled(boolean holdersEnded, Instant now, long nextVisible) {
		Instant seen = this.holeSeenAt;
		this.readsWaiting++;
		if (seen == null) {
			this.holeSeenAt = now;
			return false;
		}
		if (this.horizon != 0 && holdersEnded) {
			// Every transaction that could hold the missing ids has ended and they are still not visible: rolled back.
			log.debug("event ids {}..{} were rolled back; delivering past them", this.position + 1, nextVisible - 1);
			return true;
		}
		if (Duration.between(seen, now).compareTo(this.grace) >= 0) {
			log.warn("event ids {}..{} stayed invisible for {} behind an open transaction; delivering past them "
					+ "(they are delivered late if they appear)", this.position + 1, nextVisible - 1, this.grace);
			remember(this.position + 1, nextVisible - 1, this.horizon);
			return true;
		}
		return false;
	}

}
