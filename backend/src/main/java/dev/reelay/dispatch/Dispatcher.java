package dev.reelay.dispatch;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import dev.reelay.job.Job;
import dev.reelay.job.JobEventType;
import dev.reelay.job.JobStore;
import dev.reelay.provider.ProviderRegistry;
import dev.reelay.support.Periodic;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Claims only as many due jobs as it has free slots, and only as many as each provider's limits allow, so the
 * backlog stays in PostgreSQL and never in memory. Jobs already at a provider are served before new submissions.
 * Wakes on a timer and whenever a job is queued on this instance.
 */
@Component
class Dispatcher implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

	private final JobStore jobs;

	private final JobWorker worker;

	private final ProviderGate gate;

	private final ProviderRegistry providers;

	private final CallLedger ledger;

	private final DispatchSettings settings;

	private final Clock clock;

	private final String owner;

	private final AtomicInteger inHand = new AtomicInteger();

	private volatile Disposable.Composite steps = Disposables.composite();

	private static final Duration PRUNE_EVERY = Duration.ofMinutes(10);

	private volatile @Nullable Disposable loop;

	private final Periodic pruning;

	Dispatcher(JobStore jobs, JobWorker worker, ProviderGate gate, ProviderRegistry providers, CallLedger ledger,
			DispatchSettings settings, DispatchClock clock, MeterRegistry meters) {
		this.jobs = jobs;
		this.worker = worker;
		this.gate = gate;
		this.providers = providers;
		this.ledger = ledger;
		this.settings = settings;
		this.clock = clock.clock();
		this.owner = (settings.instanceId() != null) ? settings.instanceId()
				: ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
		this.pruning = new Periodic(PRUNE_EVERY, PRUNE_EVERY, () -> this.ledger.prune(this.clock.instant()), log,
				"pruning the provider call ledger failed; will try again");
		Gauge.builder("reelay.dispatch.in.hand", this.inHand, AtomicInteger::get)
			.description("Jobs this instance has claimed and is working on (at most reelay.dispatch.concurrency)")
			.register(meters);
	}

	@Override
	public void start() {
		if (!this.settings.enabled()) {
			return;
		}
		this.steps = Disposables.composite();
		Flux<Long> wakeUps = Flux.merge(Flux.interval(this.settings.tick()),
				this.jobs.notices().filter((notice) -> notice.type() == JobEventType.QUEUED).map((notice) -> 0L));
		// Ticks that arrive while a claim is running are dropped: the claim in progress serves them. A claim's
		// rows arrive before its statement commits, so jobs start only once the whole claim is in (a worker's
		// write would otherwise not see the claim's version yet). Each job then runs on its own; the in-hand count
		// (never above concurrency) is what bounds them, not a flatMap, whose batched upstream demand would hold
		// claimed rows back until a quarter of the slots were free.
		this.loop = wakeUps.onBackpressureDrop()
			.concatMap((tick) -> claim().collectList().doOnNext((claimed) -> claimed.forEach(this::run)).then(), 1)
			.subscribe();
		this.pruning.start();
		log.info("dispatcher {} started: up to {} jobs at once", this.owner, this.settings.concurrency());
	}

	private Flux<Job> claim() {
		Instant now = this.clock.instant();
		Flux<String> providers = Flux.fromIterable(this.providers.enabledInstances());
		Flux<Job> running = providers.concatMap((provider) -> this.gate.claimRunning(provider,
				this.settings.limitsFor(provider), free(), this.owner, now, this.settings.lease())
			.doOnNext((job) -> this.inHand.incrementAndGet()));
		Flux<Job> submissions = providers.concatMap((provider) -> this.gate.claimSubmissions(provider,
				this.settings.limitsFor(provider), free(), this.owner, now, this.settings.lease())
			.doOnNext((job) -> this.inHand.incrementAndGet()));
		return running.concatWith(submissions).onErrorResume((error) -> {
			log.warn("claiming jobs failed; will try again: {}", error.toString());
			return Flux.empty();
		});
	}

	private void run(Job job) {
		Disposable.Composite steps = this.steps;
		Disposable.Swap slot = Disposables.swap();
		steps.add(slot);
		slot.update(this.worker.run(job).doFinally((signal) -> {
			this.inHand.decrementAndGet();
			steps.remove(slot);
		}).subscribe());
	}

	private int free() {
		return this.settings.concurrency() - this.inHand.get();
	}

	@Override
	public void stop() {
		Disposable running = this.loop;
		if (running != null) {
			running.dispose();
			this.loop = null;
		}
		this.pruning.stop();
		// Steps cut off here leave their jobs where they stood; see stop(Runnable).
		this.steps.dispose();
	}

	/**
	 * Stops claiming and lets go of this instance's leases so the jobs resume at once elsewhere (or after a restart).
	 * A step cut off mid-call is safe to resume: every step's outcome is written before its lease is released.
	 */
	@Override
	public void stop(Runnable callback) {
		boolean wasRunning = isRunning();
		stop();
		if (!wasRunning) {
			callback.run();
			return;
		}
		this.jobs.releaseLeases(this.owner)
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
