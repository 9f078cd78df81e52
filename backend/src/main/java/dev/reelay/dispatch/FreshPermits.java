package dev.reelay.dispatch;

import java.time.Clock;
import java.time.Instant;

import dev.reelay.job.Job;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * A call is sent only on a rate permit counted at most {@code call-margin} before it: the windows are counted that
 * much wider, so calls sent that way never exceed a limit in any real window. A claim counts its jobs' permits; a
 * step whose call comes later (its first write landed late on a loaded machine, an instance stalled) takes its
 * permit again at the call ({@link ProviderGate#retake}), giving the old one back, rather than sending the job back
 * to the queue for a new claim.
 */
@Component
class FreshPermits {

	private static final Logger log = LoggerFactory.getLogger(FreshPermits.class);

	/** Decisions at the call, at most, before a create whose permit keeps lapsing goes back to the queue. */
	static final int RETAKES = 3;

	private final DispatchSettings settings;

	private final ProviderGate gate;

	private final Clock clock;

	FreshPermits(DispatchSettings settings, ProviderGate gate, DispatchClock clock) {
		this.settings = settings;
		this.gate = gate;
		this.clock = clock.clock();
	}

	/**
	 * Whether the claimed {@code job}'s first call of {@code kind} ({@link CallLedger#SUBMIT} or
	 * {@link CallLedger#POLL}) may be sent now, under a {@code limited} budget. The claimed job's lease tells when
	 * its permit was counted (a renewed lease would not). False when the permit lapsed and none is left now.
	 */
	Mono<Boolean> mayCall(Job job, String kind, boolean limited) {
		Instant leaseUntil = job.leaseUntil();
		if (!limited || leaseUntil == null) {
			return Mono.just(true);
		}
		Instant claimedAt = leaseUntil.minus(this.settings.lease());
		if (!lapsed(claimedAt)) {
			return Mono.just(true);
		}
		return takeAgain(job, kind, claimedAt, RETAKES);
	}

	/**
	 * Takes the permit again, giving back the one counted at {@code counted}; when the decision itself was so slow
	 * (a loaded machine) that the new permit lapsed before the call too, once more, up to {@code left} times: a
	 * create sent back to the queue for that costs two writes and a claim, and is what the issue counted by the
	 * thousand. Each time is a whole decision under the scope's lock, so no window is ever exceeded.
	 */
	private Mono<Boolean> takeAgain(Job job, String kind, Instant counted, int left) {
		return this.gate.retake(job, this.settings.limitsFor(job.provider()), kind, counted, this.clock::instant)
			.flatMap((again) -> {
				if (!lapsed(again)) {
					return Mono.just(true);
				}
				if (left <= 1) {
					// Counted too long ago every time: not sent on it; the last permit is spent.
					log.debug("job {}: the {} permit taken again at {} lapsed before the call", job.id(), kind, again);
					return Mono.just(false);
				}
				return takeAgain(job, kind, again, left - 1);
			})
			.defaultIfEmpty(false);
	}

	private boolean lapsed(Instant counted) {
		return this.clock.instant().isAfter(counted.plus(this.settings.callMargin()));
	}

}
