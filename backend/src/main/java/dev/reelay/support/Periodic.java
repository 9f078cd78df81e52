package dev.reelay.support;

import java.time.Duration;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Background work repeated on a timer: one run at a time (ticks that come while a run is busy are dropped, so work
 * never piles up), and a failed run is logged and the next tick tries again instead of ending the loop. Each run is
 * bounded by a timeout; a watched loop reports its successful runs to {@link BackgroundLoops}.
 */
public final class Periodic {

	private final Duration first;

	private final Duration every;

	private final Supplier<Mono<?>> work;

	private final Logger log;

	private final String failure;

	private volatile @Nullable Disposable loop;

	private volatile Duration iterationTimeout = DEFAULT_ITERATION_TIMEOUT;

	private volatile @Nullable Heartbeat heartbeat;

	/** Until {@link #watched}: far above any run's normal length, only there so that no run can hang for good. */
	private static final Duration DEFAULT_ITERATION_TIMEOUT = Duration.ofMinutes(1);

	/**
	 * @param first delay before the first run ({@link Duration#ZERO} to run at once)
	 * @param failure what the log says when a run fails, e.g. "pruning old events failed; will try again"
	 */
	public Periodic(Duration first, Duration every, Supplier<Mono<?>> work, Logger log, String failure) {
		this.first = first;
		this.every = every;
		this.work = work;
		this.log = log;
		this.failure = failure;
	}

	/** Reports each successful run to {@code loops} as {@code name}, and bounds each run by their iteration timeout. */
	public Periodic watched(BackgroundLoops loops, String name) {
		this.heartbeat = loops.register(name, this.first.compareTo(this.every) > 0 ? this.first : this.every);
		this.iterationTimeout = loops.iterationTimeout();
		return this;
	}

	public void start() {
		Heartbeat watching = this.heartbeat;
		if (watching != null) {
			watching.started();
		}
		this.loop = Flux.interval(this.first, this.every)
			.onBackpressureDrop()
			.concatMap((tick) -> Mono.defer(this.work)
				.timeout(this.iterationTimeout)
				.then(Mono.fromRunnable(() -> {
					if (watching != null) {
						watching.beat();
					}
				}))
				.onErrorResume((error) -> {
					this.log.warn("{}: {}", this.failure, error.toString());
					return Mono.empty();
				}), 1)
			.subscribe();
	}

	/** Stops the loop; answers whether it was running. */
	public boolean stop() {
		Disposable running = this.loop;
		this.loop = null;
		Heartbeat watching = this.heartbeat;
		if (watching != null) {
			watching.stopped();
		}
		if (running == null) {
			return false;
		}
		running.dispose();
		return true;
	}

	public boolean isRunning() {
		return this.loop != null;
	}

}
