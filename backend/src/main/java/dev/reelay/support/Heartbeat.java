package dev.reelay.support;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/** A background loop's liveness: when its last iteration succeeded, and whether that is too long ago. */
public final class Heartbeat {

	private final String name;

	private final Duration stallAfter;

	private volatile @Nullable Instant lastBeat;

	Heartbeat(String name, Duration stallAfter) {
		this.name = name;
		this.stallAfter = stallAfter;
	}

	public String name() {
		return this.name;
	}

	/** The loop is (re)started: it has until {@code stallAfter} from now for its first successful iteration. */
	public void started() {
		this.lastBeat = Instant.now();
	}

	/** The loop stopped on purpose: not watched until started again. */
	public void stopped() {
		this.lastBeat = null;
	}

	/** An iteration succeeded. */
	public void beat() {
		if (this.lastBeat != null) {
			this.lastBeat = Instant.now();
		}
	}

	@Nullable Instant lastBeat() {
		return this.lastBeat;
	}

	boolean stalled(Instant now) {
		Instant last = this.lastBeat;
		return last != null && now.isAfter(last.plus(this.stallAfter));
	}

}
