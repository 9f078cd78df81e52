package dev.reelay.dispatch;

import java.time.Clock;
import java.time.Instant;

import dev.reelay.job.Job;

import org.springframework.stereotype.Component;

/**
 * A rate permit is counted when the job is claimed; a call sent much later (a stalled instance) would land in a
 * window the permit was not counted in. Such a call is not sent: the job goes back to wait for a fresh permit.
 */
@Component
class LapsedPermits {

	private final DispatchSettings settings;

	private final Clock clock;

	LapsedPermits(DispatchSettings settings, DispatchClock clock) {
		this.settings = settings;
		this.clock = clock.clock();
	}

	/**
	 * Whether the permit {@code job}'s claim counted is too old to call on, under a {@code limited} budget. The
	 * claimed job's lease tells when it was counted; a renewed lease would not.
	 */
	boolean lapsed(Job job, boolean limited) {
		Instant leaseUntil = job.leaseUntil();
		if (!limited || leaseUntil == null) {
			return false;
		}
		Instant claimedAt = leaseUntil.minus(this.settings.lease());
		return this.clock.instant().isAfter(claimedAt.plus(this.settings.callMargin()));
	}

}
