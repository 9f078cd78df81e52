package dev.reelay.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;

import dev.reelay.job.Job;
import dev.reelay.job.JobQueue;
import dev.reelay.job.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Keeps a claimed job's lease alive while its step runs, so no step outlives its lease however long its calls take
 * (a create up to the provider's timeout, then poll, download and thumbnail): every third of
 * {@code reelay.dispatch.lease} the lease is extended to a full lease from now. The lease itself stays short, so a
 * job whose instance died (killed, frozen, cut off from the database) is taken over within one lease.
 * <p>
 * A step whose lease could not be kept (another claim took the job, or renewals failed until it ran out) is cut off:
 * from then on the job is someone else's, and the step must neither call the provider nor write. A lease that was
 * released instead (a cancel ended the job, or the step's own last write) is simply no longer renewed: the step
 * goes on, so that a create already sent still gets its answer (its write then loses to the cancel's version).
 */
@Component
class LeaseKeeper {

	private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

	private final JobStore jobs;

	private final JobQueue queue;

	private final Duration lease;

	private final Clock clock;

	LeaseKeeper(JobStore jobs, JobQueue queue, DispatchSettings settings, DispatchClock clock) {
		this.jobs = jobs;
		this.queue = queue;
		this.lease = settings.lease();
		this.clock = clock.clock();
	}

	/** Runs {@code step} under {@code claimed}'s lease, renewing it until the step ends. */
	Mono<Void> keep(Job claimed, Supplier<Mono<Void>> step) {
		Lease lease = Lease.of(claimed);
		if (lease.owner() == null || lease.until() == null) {
			return Mono.defer(step);
		}
		Duration every = this.lease.dividedBy(3);
		Mono<Renewal> lost = Flux.interval(every, every)
			.onBackpressureDrop()
			.concatMap((tick) -> renew(lease, every), 1)
			.takeWhile((renewal) -> renewal != Renewal.RELEASED)
			.filter((renewal) -> renewal == Renewal.LOST)
			.next()
			// Released: renewing stops, the step goes on (a companion that completes would cut it off too).
			.switchIfEmpty(Mono.never());
		return Mono.defer(step)
			.takeUntilOther(lost)
			.contextWrite((context) -> context.put(Lease.class, lease));
	}

	/** What an attempt to renew found. */
	enum Renewal {

		/** Renewed (or not renewable right now, but still running). */
		HELD,
		/** Nobody holds it any more: the job ended, or the step's own last write let it go. */
		RELEASED,
		/** Another holder took it, or it ran out while the database was out of reach. */
		LOST

	}

	private Mono<Renewal> renew(Lease lease, Duration within) {
		Instant now = this.clock.instant();
		Instant current = lease.until();
		String owner = lease.owner();
		if (current == null || owner == null || lease.isLost()) {
			return Mono.just(Renewal.LOST);
		}
		// PostgreSQL keeps microseconds: the end written is the end compared on the next renewal.
		Instant until = now.plus(this.lease).truncatedTo(ChronoUnit.MICROS);
		return this.queue.renewLease(lease.job(), owner, current, until)
			.map((renewed) -> {
				lease.renewed(renewed);
				return Renewal.HELD;
			})
			.switchIfEmpty(Mono.defer(() -> this.jobs.find(lease.job()).map((row) -> {
				if (row.leaseOwner() == null) {
					return Renewal.RELEASED;
				}
				log.warn("job {}: its lease is now {}'s, no longer {}'s; stopping its step", lease.job(),
						row.leaseOwner(), owner);
				lease.lost();
				return Renewal.LOST;
			})))
			.timeout(within)
			.onErrorResume((error) -> {
				// The database is out of reach: keep working while the lease still stands, stop once it has run out.
				boolean stillValid = this.clock.instant().isBefore(current);
				log.warn("job {}: renewing its lease failed ({}); {}", lease.job(), error.toString(),
						stillValid ? "trying again" : "it ran out, stopping its step");
				if (!stillValid) {
					lease.lost();
				}
				return Mono.just(stillValid ? Renewal.HELD : Renewal.LOST);
			});
	}

}
