package dev.reelay.dispatch;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import dev.reelay.job.Job;
import dev.reelay.job.JobEventLog;
import dev.reelay.job.JobEventType;
import dev.reelay.job.JobQueue;
import dev.reelay.provider.InstanceBreakers;
import dev.reelay.provider.ProviderRegistry;
import dev.reelay.provider.VideoProvider;
import dev.reelay.support.BackgroundLoops;
import dev.reelay.support.Heartbeat;
import dev.reelay.support.Periodic;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Claims only as many due jobs as it has free slots, and only as many as each provider's limits allow, so the
 * backlog stays in PostgreSQL and never in memory. Jobs already at a provider are served before new submissions.
 * Wakes on a timer, whenever a job is queued on this instance and whenever one of its steps ends.
 */
@Component
class Dispatcher implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

	private final JobQueue jobs;

	private final JobEventLog events;

	private final JobWorker worker;

	private final ProviderGate gate;

	private final ProviderRegistry providers;

	private final CallLedger ledger;

	private final DispatchSettings settings;

	private final Clock clock;

	private final String owner;

	private final AtomicInteger inHand = new AtomicInteger();

	private volatile Disposable.Composite steps = Disposables.composite();

	/** Steps started and not yet ended; guarded by {@code this}, like {@link #stopping} and {@link #drained}. */
	private int running;

	private boolean stopping;

	private Sinks.Empty<Void> drained = Sinks.empty();

	private static final Duration PRUNE_EVERY = Duration.ofMinutes(10);

	private volatile @Nullable Disposable loop;

	private final Periodic pruning;

	private final AtomicLong cycles = new AtomicLong();

	private volatile Sinks.@Nullable Many<Long> wakes;

	private volatile @Nullable Heartbeat heartbeat;

	private volatile Duration iterationTimeout = Duration.ofMinutes(1);

	private final InstanceBreakers breakers;

	private final RouteMoves routes;

	Dispatcher(JobQueue jobs, JobEventLog events, JobWorker worker, ProviderGate gate, ProviderRegistry providers, CallLedger ledger,
			DispatchSettings settings, DispatchClock clock, MeterRegistry meters, InstanceBreakers breakers,
			RouteMoves routes) {
		this.breakers = breakers;
		this.routes = routes;
		this.jobs = jobs;
		this.events = events;
		this.worker = worker;
		this.gate = gate;
		this.providers = providers;
		this.ledger = ledger;
		this.settings = settings;
		this.clock = clock.clock();
		this.owner = (settings.instanceId() != null) ? settings.instanceId()
				: ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
		this.pruning = new Periodic(PRUNE_EVERY, PRUNE_EVERY, () -> this.ledger.prune(this.clock.instant(), settings.ledgerKept()), log,
				"pruning the provider call ledger failed; will try again");
		Gauge.builder("reelay.dispatch.in.hand", this.inHand, AtomicInteger::get)
			.description("Jobs this instance has claimed and is working on (at most reelay.dispatch.concurrency)")
			.register(meters);
	}

	/** Liveness and the per-iteration bound; set by the context (unit tests run without them). */
	@Autowired
	void watch(BackgroundLoops loops) {
		this.heartbeat = loops.register("dispatcher", this.settings.tick());
		this.iterationTimeout = loops.iterationTimeout();
		this.pruning.watched(loops, "dispatcher-ledger-pruning");
	}

	@Override
	public void start() {
		if (!this.settings.enabled()) {
			return;
		}
		synchronized (this) {
			this.steps = Disposables.composite();
			this.stopping = false;
			this.drained = Sinks.empty();
		}
		Sinks.Many<Long> wakes = Sinks.many().multicast().directBestEffort();
		this.wakes = wakes;
		Flux<Long> wakeUps = Flux.merge(Flux.interval(this.settings.tick()),
				this.events.notices().filter((notice) -> notice.type() == JobEventType.QUEUED).map((notice) -> 0L),
				wakes.asFlux());
		Heartbeat watching = this.heartbeat;
		if (watching != null) {
			watching.started();
		}
		// Wake-ups that arrive while a claim is running are coalesced into one claim right after it (latest kept,
		// none lost, none piled up): a job queued or a slot freed mid-claim is served at once, not on the next tick.
		// Each provider's jobs start as soon as its own claim has committed (a claim's rows arrive before its
		// statement commits; a worker's write would otherwise not see the claim's version yet). Each job then runs
		// on its own; the in-hand count (never above concurrency) is what bounds them.
		this.loop = wakeUps.onBackpressureLatest()
			.concatMap((tick) -> cycle().timeout(this.iterationTimeout).doOnNext((succeeded) -> {
				if (succeeded && watching != null) {
					watching.beat();
				}
			}).onErrorResume((error) -> {
				log.warn("a claim cycle did not finish within {}; will try again: {}", this.iterationTimeout,
						error.toString());
				return Mono.empty();
			}), 0)
			.subscribe();
		this.pruning.start();
		log.info("dispatcher {} started: up to {} jobs at once", this.owner, this.settings.concurrency());
	}

	/**
	 * Claims for every provider instance, in an order that starts one further each cycle (no instance always goes
	 * last), jobs at the providers first, then submissions. Answers whether the cycle worked: an error claiming for
	 * one provider is logged and the others are still served; only when every claim failed did the cycle fail.
	 */
	/** The requests a lost-create search makes at {@code provider} (one when it cannot search, or is gone). */
	private int searchRequests(String provider) {
		try {
			VideoProvider instance = this.providers.get(provider);
			return (instance != null) ? PollCost.searchRequests(instance) : 1;
		}
		catch (RuntimeException gone) {
			return 1;
		}
	}

	private Mono<Boolean> cycle() {
		List<String> enabled = this.providers.enabledInstances();
		List<String> order = ProviderOrder.rotated(enabled, this.cycles.getAndIncrement());
		AtomicInteger failures = new AtomicInteger();
		AtomicInteger claims = new AtomicInteger();
		Flux<Void> running = Flux.fromIterable(order)
			.concatMap((provider) -> claimAndRun(provider, "running jobs", failures, claims,
					(now) -> this.gate.claimRunning(provider, this.settings.limitsFor(provider), free(), this.owner,
							now, this.settings.lease(), searchRequests(provider))));
		// An instance whose circuit breaker is open takes no submissions; half open, one at a time (the probe).
		Flux<Void> submissions = Flux.fromIterable(order)
			.concatMap((provider) -> claimAndRun(provider, "submissions", failures, claims,
					(now) -> this.gate.claimSubmissions(provider, this.settings.limitsFor(provider),
							this.breakers.submissionsAllowed(provider, free()), this.owner, now, this.settings.lease())
						.doOnNext((job) -> this.breakers.claimed(provider))));
		// Last, jobs every route of their model had a chance at in this cycle: those still waiting on a route that
		// could not take them (window full, paused, breaker open) move to another route of the model that can.
		// Only jobs due a tick before this cycle began: their own route's claim in this cycle saw them (committed).
		Instant dueBefore = this.clock.instant().minus(this.settings.tick());
		Flux<Void> moves = Flux.fromIterable(order).concatMap((provider) -> {
			Map<String, JobQueue.Move> sources = new java.util.LinkedHashMap<>();
			this.routes.into(provider).forEach((model, move) -> sources.put(model, move.dueBefore(dueBefore)));
			return sources.isEmpty() ? Mono.<Void>empty()
					: claimAndRun(provider, "jobs from other routes", failures, claims,
							(now) -> this.gate.claimFromOtherRoutes(provider, this.settings.limitsFor(provider), sources,
									this.breakers.submissionsAllowed(provider, free()), this.owner, now,
									this.settings.lease())
								.doOnNext((job) -> this.breakers.claimed(provider)));
		});
		return running.concatWith(submissions).concatWith(moves)
			.then(Mono.fromSupplier(() -> claims.get() == 0 || failures.get() < claims.get()));
	}

	/**
	 * One provider's claim, timed at its own start: the permits it takes are counted from then, so a slow cycle
	 * (other providers, a loaded machine) does not age them before their jobs start (see FreshPermits).
	 */
	private Mono<Void> claimAndRun(String provider, String what, AtomicInteger failures, AtomicInteger claims,
			Function<Instant, Flux<Job>> claim) {
		return Mono.defer(() -> {
			claims.incrementAndGet();
			// Counted in hand only once the claim is whole and its jobs are handed to run: a claim cut off midway
			// (a stop, the iteration timeout) runs none of the rows it had read, so none may stay counted.
			return claim.apply(this.clock.instant())
				.collectList()
				.doOnNext((claimed) -> {
					this.inHand.addAndGet(claimed.size());
					claimed.forEach(this::run);
				})
				.then();
		}).onErrorResume((error) -> {
			failures.incrementAndGet();
			log.warn("claiming {} for {} failed; the other providers are served, will try again: {}", what, provider,
					error.toString());
			return Mono.empty();
		});
	}

	/** A claim soon: a slot or a permit was given back. */
	private void wake() {
		Sinks.Many<Long> wakes = this.wakes;
		if (wakes != null) {
			// A failed emission means another wake is being emitted at this very moment: that one serves.
			wakes.tryEmitNext(0L);
		}
	}

	private void run(Job job) {
		Disposable.Composite steps;
		synchronized (this) {
			if (this.stopping) {
				// Claimed as the stop began: not started, its lease is released with the others.
				this.inHand.decrementAndGet();
				return;
			}
			steps = this.steps;
			this.running++;
		}
		Disposable.Swap slot = Disposables.swap();
		steps.add(slot);
		slot.update(this.worker.run(job).doFinally((signal) -> {
			this.inHand.decrementAndGet();
			steps.remove(slot);
			ended();
			// Its slot, and any in-flight or permit it held, are free: claim again without waiting for the tick.
			wake();
		}).subscribe());
	}

	private synchronized void ended() {
		this.running--;
		if (this.stopping && this.running == 0) {
			this.drained.tryEmitEmpty();
		}
	}

	/** Stops claiming; completes once every running step has ended. */
	private synchronized Mono<Void> stopClaiming() {
		this.stopping = true;
		Heartbeat watching = this.heartbeat;
		if (watching != null) {
			watching.stopped();
		}
		this.wakes = null;
		Disposable claiming = this.loop;
		if (claiming != null) {
			claiming.dispose();
			this.loop = null;
		}
		if (this.running == 0) {
			this.drained.tryEmitEmpty();
		}
		return this.drained.asMono();
	}

	private int free() {
		return this.settings.concurrency() - this.inHand.get();
	}

	/** Stops at once: running steps are cut off where they stand (their leases then run out); see stop(Runnable). */
	@Override
	public void stop() {
		stopClaiming();
		this.pruning.stop();
		this.steps.dispose();
	}

	/**
	 * Drains: stops claiming, lets the running steps finish for up to {@code reelay.dispatch.drain-timeout}, cuts
	 * off what is left, then lets go of this instance's leases so those jobs resume at once elsewhere (or after a
	 * restart). A create still on the wire when the time is up is safe to leave: its job is not due for
	 * reconciliation before the create could have been answered (see {@code CreateWindow}). Runs in the first
	 * shutdown phase, so the connection pool is still open for the steps' writes.
	 */
	@Override
	public void stop(Runnable callback) {
		if (!isRunning()) {
			stop();
			callback.run();
			return;
		}
		this.pruning.stop();
		int inFlight;
		synchronized (this) {
			inFlight = this.running;
		}
		log.info("dispatcher {} stopping: letting {} running steps finish (at most {})", this.owner, inFlight,
				this.settings.drainTimeout());
		stopClaiming().timeout(this.settings.drainTimeout())
			.onErrorResume((late) -> {
				int left;
				synchronized (this) {
					left = this.running;
				}
				log.warn("dispatcher {}: {} steps still running after {}; cutting them off", this.owner, left,
						this.settings.drainTimeout());
				return Mono.empty();
			})
			.then(Mono.fromRunnable(() -> this.steps.dispose()))
			.then(this.jobs.releaseLeases(this.owner))
			.doOnNext((released) -> log.info("dispatcher {} stopped; released {} leases", this.owner, released))
			.doOnError((error) -> log.warn("could not release leases on stop; they expire by themselves: {}",
					error.toString()))
			.doFinally((signal) -> callback.run())
			.subscribe((released) -> {
			}, (error) -> {
			});
	}

	@Override
	public boolean isRunning() {
		return this.loop != null;
	}

}
