package dev.reelay.dispatch;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

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
import reactor.util.retry.Retry;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Claims only as many due jobs as it has free slots, and only as many as each provider's limits allow, so the
 * backlog stays in PostgreSQL and never in memory. Jobs already at a provider are served before new submissions.
 * Each provider instance claims on its own turns ({@link ClaimTurns}), so one instance's slow claim never holds up
 * another's: on a timer, whenever a job is queued on this instance, whenever one of the instance's steps ends, and
 * whenever slots come back while it had none.
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

	private final Slots slots;

	/** Instances that found no free slot at their last turn: woken as soon as one is given back. */
	private final Set<String> waitingForSlots = ConcurrentHashMap.newKeySet();

	private volatile @Nullable ClaimTurns turns;

	/** When each instance's last claim of submissions that had room to spare began (see turn's moves). */
	private final Map<String, Instant> sawAll = new ConcurrentHashMap<>();

	private volatile Disposable.Composite steps = Disposables.composite();

	/** Steps started and not yet ended; guarded by {@code this}, like {@link #stopping} and {@link #drained}. */
	private int running;

	private boolean stopping;

	private Sinks.Empty<Void> drained = Sinks.empty();

	private static final Duration PRUNE_EVERY = Duration.ofMinutes(10);

	private static final Duration NOTICES_AGAIN_AFTER = Duration.ofMillis(100);

	private static final Duration NOTICES_AGAIN_AT_MOST = Duration.ofSeconds(10);

	/**
	 * Claims for different provider instances running at once, at most: each holds a pooled connection for its
	 * transaction, and the steps' writes need the others.
	 */
	private static final int CLAIMS_AT_ONCE = 4;

	private volatile @Nullable Disposable loop;

	private final Periodic pruning;

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
		this.slots = new Slots(settings.concurrency());
		Gauge.builder("reelay.dispatch.in.hand", this.slots, Slots::taken)
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
		ClaimTurns turns = new ClaimTurns(CLAIMS_AT_ONCE, this::turn);
		this.turns = turns;
		Heartbeat watching = this.heartbeat;
		if (watching != null) {
			watching.started();
		}
		// Every instance on the timer and whenever a job is queued on this instance (a notice does not say where to);
		// an instance whose step ended, and those waiting for a slot, whenever a step ends (see run).
		// Notices end only by a fault (they never complete and drop what a listener has no room for); should they, they
		// are listened to again after a pause, and the timer goes on meanwhile: the wake-ups must never end for good.
		Flux<Boolean> queuedHere = Flux.defer(this.events::notices)
			.filter((notice) -> notice.type() == JobEventType.QUEUED)
			.map((notice) -> false)
			.retryWhen(Retry.backoff(Long.MAX_VALUE, NOTICES_AGAIN_AFTER)
				.maxBackoff(NOTICES_AGAIN_AT_MOST)
				.transientErrors(true)
				.doBeforeRetry((failed) -> log.warn("the dispatcher's queue notices ended ({}); listening again",
						failed.failure().toString())));
		this.loop = Flux.merge(Flux.interval(this.settings.tick()).map((tick) -> true), queuedHere)
			.subscribe((tick) -> {
				try {
					List<String> enabled = this.providers.enabledInstances();
					if (tick && enabled.isEmpty() && watching != null) {
						// Nothing to claim for is not a stall.
						watching.beat();
					}
					enabled.forEach(turns::wake);
				}
				catch (RuntimeException ex) {
					// The wake-ups must go on: the next one tries again.
					log.warn("could not wake the provider instances' claims; will try again: {}", ex.toString());
				}
			}, (error) -> log.error("the dispatcher's wake-ups ended; the liveness check reports it", error));
		this.pruning.start();
		log.info("dispatcher {} started: up to {} jobs at once", this.owner, this.settings.concurrency());
	}

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

	/**
	 * One provider instance's turn: its jobs at the provider first, then submissions, then jobs other routes could not
	 * take. Each claim takes its slots first (at most a fair share of the concurrency, so other instances claiming at
	 * the same time find room too). Answers whether to claim again at once: a claim filled all the slots it had, so
	 * there may be more. An error claiming one kind is logged and the others are still claimed; the turn counts as
	 * working (the liveness beat) unless every claim in it failed.
	 */
	private Mono<Boolean> turn(String provider) {
		Turn turn = new Turn();
		int share = share();
		Mono<Void> running = claimAndRun(provider, "running jobs", turn, share,
				(now, free) -> this.gate.claimRunning(provider, this.settings.limitsFor(provider), free, this.owner, now,
						this.settings.lease(), searchRequests(provider)));
		// An instance whose circuit breaker is open takes no submissions; half open, one at a time (the probe).
		Instant[] sawAll = { null };
		Mono<Void> submissions = claimAndRun(provider, "submissions", turn, share,
				(now, free) -> this.gate.claimSubmissions(provider, this.settings.limitsFor(provider),
						this.breakers.submissionsAllowed(provider, free), this.owner, now, this.settings.lease())
					.doOnNext((job) -> this.breakers.claimed(provider)),
				(now, full) -> sawAll[0] = full ? null : this.sawAll.put(provider, now));
		// Last, what this route could not take although it had room (window full, paused, breaker open): its queued jobs
		// that its claim saw go to another route of their model that can take them now. Only those due a tick before
		// its previous such claim: a job is due when it is accepted but visible only once its insert commits, which on
		// a loaded machine can be later than this claim (then this claim did not see it, but the moves would).
		Mono<Void> moves = Mono.defer(() -> (sawAll[0] == null) ? Mono.<Void>empty()
				: Flux.fromIterable(movesFrom(provider, sawAll[0]).entrySet())
					.concatMap((into) -> claimAndRun(into.getKey(), "jobs from " + provider, turn, share,
							(now, free) -> this.gate.claimFromOtherRoutes(into.getKey(),
									this.settings.limitsFor(into.getKey()), into.getValue(),
									this.breakers.submissionsAllowed(into.getKey(), free), this.owner, now,
									this.settings.lease())
								.doOnNext((job) -> this.breakers.claimed(into.getKey())),
							(now, full) -> {
							}))
					.then());
		return running.then(submissions).then(moves).then(Mono.fromSupplier(() -> {
			if (turn.claims == 0 || turn.failures < turn.claims) {
				Heartbeat watching = this.heartbeat;
				if (watching != null) {
					watching.beat();
				}
			}
			if (turn.noSlot) {
				this.waitingForSlots.add(provider);
				if (this.slots.free() > 0) {
					// A slot came back between the claim and now: nobody else will wake it.
					slotsGivenBack();
				}
			}
			return turn.full;
		})).timeout(this.iterationTimeout).onErrorResume((error) -> {
			log.warn("a claim turn for {} did not finish within {}; will try again: {}", provider, this.iterationTimeout,
					error.toString());
			return Mono.just(false);
		});
	}

	/**
	 * For each other enabled instance that can take over jobs of {@code route}'s models: those models, limited to the
	 * jobs waiting on {@code route} that were due a tick before its claim at {@code seen} (so committed when it looked).
	 */
	private Map<String, Map<String, JobQueue.Move>> movesFrom(String route, Instant seen) {
		Map<String, Map<String, JobQueue.Move>> into = new LinkedHashMap<>();
		Instant dueBefore = seen.minus(this.settings.tick());
		for (String other : this.providers.enabledInstances()) {
			if (other.equals(route)) {
				continue;
			}
			this.routes.into(other).forEach((model, move) -> {
				if (move.from().contains(route)) {
					into.computeIfAbsent(other, (name) -> new LinkedHashMap<>())
						.put(model, new JobQueue.Move(List.of(route), move.shapes(), move.takesImageUrls(),
								move.takesImageUploads(), dueBefore));
				}
			});
		}
		return into;
	}

	/** The most one claim takes: all the concurrency for one instance, a fair share of it for several. */
	private int share() {
		int instances = Math.max(1, this.providers.enabledInstances().size());
		return Math.max(1, (this.settings.concurrency() + instances - 1) / instances);
	}

	/**
	 * One claim, timed at its own start: the permits it takes are counted from then, so a slow turn (a loaded
	 * machine) does not age them before their jobs start (see FreshPermits). Its slots are taken before it and what it
	 * did not fill given back after it.
	 */
	private Mono<Void> claimAndRun(String provider, String what, Turn turn, int share,
			BiFunction<Instant, Integer, Flux<Job>> claim) {
		return claimAndRun(provider, what, turn, share, claim, (now, full) -> {
		});
	}

	/** As above; {@code committed} is told when the claim began and whether it filled its slots, once it committed. */
	private Mono<Void> claimAndRun(String provider, String what, Turn turn, int share,
			BiFunction<Instant, Integer, Flux<Job>> claim, BiConsumer<Instant, Boolean> committed) {
		return Mono.defer(() -> {
			turn.claims++;
			int taken = this.slots.take(share);
			if (taken == 0) {
				turn.noSlot = true;
				return Mono.<Void>empty();
			}
			AtomicBoolean settled = new AtomicBoolean();
			// Run only once the claim is whole (committed) and its jobs are handed on: a claim cut off midway (a stop,
			// the time limit) runs none of the rows it had read, and gives back all its slots. (Given back before the
			// signal goes on, not after: the rest of the turn runs inside it.)
			Instant now = this.clock.instant();
			return claim.apply(now, taken).collectList().doOnNext((claimed) -> {
				settled.set(true);
				if (claimed.size() >= taken) {
					turn.full = true;
				}
				committed.accept(now, claimed.size() >= taken);
				giveBack(taken - claimed.size());
				claimed.forEach(this::run);
			}).doOnError((error) -> {
				if (settled.compareAndSet(false, true)) {
					giveBack(taken);
				}
			}).doOnCancel(() -> {
				if (settled.compareAndSet(false, true)) {
					giveBack(taken);
				}
			}).then();
		}).onErrorResume((error) -> {
			turn.failures++;
			log.warn("claiming {} for {} failed; the other providers are served, will try again: {}", what, provider,
					error.toString());
			return Mono.empty();
		});
	}

	/** What one instance's turn came to. Its claims run one after the other, so plain fields do. */
	private static final class Turn {

		int claims;

		int failures;

		/** A claim filled every slot it had. */
		boolean full;

		/** A claim found no free slot. */
		boolean noSlot;

	}

	private void giveBack(int unused) {
		if (unused > 0) {
			this.slots.giveBack(unused);
			slotsGivenBack();
		}
	}

	/** Slots are free again: the instances that found none get a turn. */
	private void slotsGivenBack() {
		ClaimTurns turns = this.turns;
		if (turns == null || this.waitingForSlots.isEmpty()) {
			return;
		}
		for (String provider : this.waitingForSlots) {
			if (this.waitingForSlots.remove(provider)) {
				turns.wake(provider);
			}
		}
	}

	private void run(Job job) {
		Disposable.Composite steps;
		synchronized (this) {
			if (this.stopping) {
				// Claimed as the stop began: not started, its lease is released with the others.
				this.slots.giveBack(1);
				return;
			}
			steps = this.steps;
			this.running++;
		}
		Disposable.Swap slot = Disposables.swap();
		steps.add(slot);
		slot.update(this.worker.run(job).doFinally((signal) -> {
			this.slots.giveBack(1);
			steps.remove(slot);
			ended();
			// Its slot, and any in-flight place or permit it held at its provider, are free: claim again at once,
			// without waiting for the tick (its next step may be due already).
			ClaimTurns turns = this.turns;
			if (turns != null) {
				turns.wake(job.provider());
			}
			slotsGivenBack();
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
		Disposable claiming = this.loop;
		if (claiming != null) {
			claiming.dispose();
			this.loop = null;
		}
		ClaimTurns turns = this.turns;
		if (turns != null) {
			turns.stop();
			this.turns = null;
		}
		this.waitingForSlots.clear();
		if (this.running == 0) {
			this.drained.tryEmitEmpty();
		}
		return this.drained.asMono();
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
