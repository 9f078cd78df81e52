package dev.reelay.dispatch;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * A clock that reads a Reactor {@link VirtualTimeScheduler}: the dispatcher's decisions (due jobs, windows, pauses,
 * backoff) then move exactly as far as a {@code StepVerifier.withVirtualTime} test advances time.
 */
final class VirtualTimeClock extends Clock {

	private volatile Instant start = Instant.EPOCH;

	private volatile VirtualTimeScheduler scheduler = VirtualTimeScheduler.create();

	/** From now on, time is {@code start} plus however far {@code scheduler} has been advanced. */
	VirtualTimeClock follow(VirtualTimeScheduler scheduler, Instant start) {
		this.scheduler = scheduler;
		this.start = start;
		return this;
	}

	@Override
	public Instant instant() {
		return this.start.plusNanos(this.scheduler.now(TimeUnit.NANOSECONDS));
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		throw new UnsupportedOperationException("The dispatcher only reads instants");
	}

}
