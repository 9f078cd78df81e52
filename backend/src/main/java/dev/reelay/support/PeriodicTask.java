package dev.reelay.support;

import java.time.Duration;

import org.slf4j.Logger;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;

/**
 * A chore repeated on a timer for as long as the application runs: a {@link Periodic} loop (one run at a time, each
 * bounded by {@code reelay.loops.iteration-timeout}, a failed run logged and tried again on the next tick) that
 * starts and stops with the context and reports its successful runs to health {@code backgroundLoops} under
 * {@code name}. A subclass says what one run does.
 */
public abstract class PeriodicTask implements SmartLifecycle {

	private final String name;

	private final Periodic loop;

	/**
	 * @param name the loop's name in health {@code backgroundLoops}, e.g. "event-retention"
	 * @param first delay before the first run ({@link Duration#ZERO} to run at once)
	 * @param failure what the log says when a run fails, e.g. "pruning old events failed; will try again"
	 */
	protected PeriodicTask(String name, Duration first, Duration every, Logger log, String failure) {
		this.name = name;
		this.loop = new Periodic(first, every, this::runOnce, log, failure);
	}

	/** One run of the chore; called by the loop only, never concurrently with itself. */
	protected abstract Mono<?> runOnce();

	/** Liveness: each run bounded and each successful one reported (health {@code backgroundLoops}). */
	@Autowired
	public final void watch(BackgroundLoops loops) {
		this.loop.watched(loops, this.name);
	}

	@Override
	public final void start() {
		this.loop.start();
	}

	@Override
	public final void stop() {
		this.loop.stop();
	}

	@Override
	public final boolean isRunning() {
		return this.loop.isRunning();
	}

}
