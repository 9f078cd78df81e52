package dev.reelay.dispatch;

import java.lang.management.ManagementFactory;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import dev.reelay.job.Job;
import dev.reelay.job.JobEventType;
import dev.reelay.job.JobStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Claims only as many due jobs as it has free slots, so the backlog stays in PostgreSQL and never in memory.
 * Wakes on a timer and whenever a job is queued on this instance.
 */
@Component
class Dispatcher implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

	private final JobStore jobs;

	private final JobWorker worker;

	private final DispatchSettings settings;

	private final String owner;

	private final AtomicInteger inHand = new AtomicInteger();

	private volatile @Nullable Disposable loop;

	Dispatcher(JobStore jobs, JobWorker worker, DispatchSettings settings, MeterRegistry meters) {
		this.jobs = jobs;
		this.worker = worker;
		this.settings = settings;
		this.owner = (settings.instanceId() != null) ? settings.instanceId()
				: ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
		Gauge.builder("reelay.dispatch.in.hand", this.inHand, AtomicInteger::get)
			.description("Jobs this instance has claimed and is working on (at most reelay.dispatch.concurrency)")
			.register(meters);
	}

	@Override
	public void start() {
		if (!this.settings.enabled()) {
			return;
		}
		Flux<Long> wakeUps = Flux.merge(Flux.interval(this.settings.tick()),
				this.jobs.notices().filter((notice) -> notice.type() == JobEventType.QUEUED).map((notice) -> 0L));
		this.loop = wakeUps.onBackpressureDrop()
			.concatMap((tick) -> claim(), 1)
			.flatMap((job) -> this.worker.run(job).doFinally((signal) -> this.inHand.decrementAndGet()),
					this.settings.concurrency())
			.subscribe();
		log.info("dispatcher {} started: up to {} jobs at once", this.owner, this.settings.concurrency());
	}

	private Flux<Job> claim() {
		int free = this.settings.concurrency() - this.inHand.get();
		if (free <= 0) {
			return Flux.empty();
		}
		return this.jobs.claimDue(this.owner, this.settings.lease(), free)
			.doOnNext((job) -> this.inHand.incrementAndGet())
			.onErrorResume((error) -> {
				log.warn("claiming jobs failed; will try again: {}", error.toString());
				return Flux.empty();
			});
	}

	@Override
	public void stop() {
		Disposable running = this.loop;
		if (running != null) {
			running.dispose();
			this.loop = null;
		}
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
