package dev.reelay.dispatch;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

import dev.reelay.job.Job;
import org.jspecify.annotations.Nullable;

/**
 * The lease a running step holds on its job, as its holder last saw it: the owner and the end it wrote. It is
 * carried in the step's Reactor context, so a step can tell whether a row it re-read is still its own to write.
 */
final class Lease {

	private final UUID job;

	private final @Nullable String owner;

	private volatile @Nullable Instant until;

	private volatile boolean lost;

	private Lease(UUID job, @Nullable String owner, @Nullable Instant until) {
		this.job = job;
		this.owner = owner;
		this.until = until;
	}

	/** The lease {@code claimed} was taken with. */
	static Lease of(Job claimed) {
		return new Lease(claimed.id(), claimed.leaseOwner(), claimed.leaseUntil());
	}

	UUID job() {
		return this.job;
	}

	@Nullable String owner() {
		return this.owner;
	}

	@Nullable Instant until() {
		return this.until;
	}

	void renewed(Instant newUntil) {
		this.until = newUntil;
	}

	void lost() {
		this.lost = true;
	}

	boolean isLost() {
		return this.lost;
	}

	/**
	 * Whether {@code current} (a row read again) is still leased by this holder: same owner, same end. A row another
	 * claim took, or that this holder's own earlier write released, is not; writing on it would steal its lease.
	 */
	boolean heldOn(Job current) {
		return !this.lost && Objects.equals(this.owner, current.leaseOwner())
				&& Objects.equals(this.until, current.leaseUntil());
	}

}
