package dev.reelay.job.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.reelay.job.Job;
import dev.reelay.job.JobEventNotice;
import dev.reelay.job.JobEventType;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.stereotype.Component;

/**
 * Group commit: changes from many workers are written together, a batch of them in one statement (every job row,
 * then every event), because PostgreSQL on a small machine runs out of transactions and round trips per second long
 * before it runs out of rows. No timer: a batch starts as soon as a slot is free, and whatever arrived while all
 * slots were busy goes into the next one, so a lone change waits for nothing and a busy system writes large batches.
 * <p>
 * Each caller still gets its own outcome, after the commit: its job as stored, or {@link
 * OptimisticLockingFailureException} when its row moved on (that fails only its own change). A batch never holds
 * two changes of one job; the later waits for a later batch, where it meets the version the first one wrote (or waits
 * on its row lock, if that batch is still running, and then meets it). If a batch fails as a whole (a constraint, a
 * deadlock), each of its changes is tried again on its own, so one bad change fails alone.
 * <p>
 * Bounded: at most {@code capacity} changes wait; the callers wait with them (their Monos complete after the commit),
 * and a change arriving at a full queue is refused at once with a {@link TransientDataAccessResourceException}
 * (the dispatcher retries its step later) instead of growing the queue.
 */
@Component
public class JobWrites {

	private final JobRepository jobs;

	private final JobRows rows;

	private final JobWriteSettings settings;

	/** Changes not yet in a batch, oldest first. Guarded by {@code this}. */
	private final ArrayDeque<Pending> waiting = new ArrayDeque<>();

	/** Batches being written. Guarded by {@code this}. */
	private int writing;

	private final DistributionSummary batches;

	private final Timer durations;

	JobWrites(JobRepository jobs, JobRows rows, JobWriteSettings settings, MeterRegistry meters) {
		this.jobs = jobs;
		this.rows = rows;
		this.settings = settings;
		this.batches = DistributionSummary.builder("reelay.jobs.writes.batch")
			.description("Job changes written together in one statement (group commit)")
			.register(meters);
		this.durations = Timer.builder("reelay.jobs.writes.duration")
			.description("How long writing one batch of job changes takes, from its start to its commit")
			.register(meters);
		Gauge.builder("reelay.jobs.writes.waiting", this, JobWrites::waiting)
			.description("Job changes waiting for a batch (at most reelay.jobs.writes.capacity)")
			.register(meters);
	}

	/** Writes {@code change} with the next batch; completes after its commit. */
	Mono<Written> write(JobChange change) {
		return write(change, false);
	}

	/**
	 * As {@link #write(JobChange)}; with {@code beyondCapacity} the change is queued even when {@code capacity}
	 * changes wait. For the few changes that must not be refused (one recording a provider's id: refused, the
	 * generation would be lost); they stay bounded by the creates the dispatcher has in flight.
	 */
	public Mono<Written> write(JobChange change, boolean beyondCapacity) {
		return Mono.create((sink) -> {
			Pending pending = new Pending(change, sink);
			boolean admitted;
			synchronized (this) {
				admitted = beyondCapacity || this.waiting.size() < this.settings.capacity();
				if (admitted) {
					this.waiting.add(pending);
				}
			}
			if (!admitted) {
				sink.error(new TransientDataAccessResourceException("Job " + change.job().id()
						+ " not written: " + this.settings.capacity() + " changes are already waiting"));
				return;
			}
			sink.onCancel(() -> pending.canceled = true);
			drain();
		});
	}

	/** Changes waiting for a batch (for tests and metrics). */
	synchronized int waiting() {
		return this.waiting.size();
	}

	private void drain() {
		while (true) {
			List<Pending> batch;
			synchronized (this) {
				if (this.writing >= this.settings.concurrency()) {
					return;
				}
				batch = take();
				if (batch.isEmpty()) {
					return;
				}
				this.writing++;
			}
			start(batch);
		}
	}

	/** Up to a batch of the oldest changes, one per job, leaving later changes of the same job in line. */
	private List<Pending> take() {
		List<Pending> batch = new ArrayList<>(Math.min(this.waiting.size(), this.settings.batchSize()));
		Set<UUID> jobs = new HashSet<>();
		Iterator<Pending> line = this.waiting.iterator();
		while (line.hasNext() && batch.size() < this.settings.batchSize()) {
			Pending next = line.next();
			if (next.canceled) {
				line.remove();
			}
			else if (jobs.add(next.change.job().id())) {
				line.remove();
				batch.add(next);
			}
		}
		return batch;
	}

	private void start(List<Pending> batch) {
		this.batches.record(batch.size());
		long started = System.nanoTime();
		commit(batch).subscribe((written) -> {
			this.durations.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
			// The slot goes first, so the next batch is on its way while these callers carry on.
			release();
			complete(batch, written);
		}, (error) -> {
			if (batch.size() == 1) {
				release();
				batch.get(0).sink.error(error);
				return;
			}
			Flux.fromIterable(batch)
				.concatMap((alone) -> commit(List.of(alone)).doOnNext((written) -> complete(List.of(alone), written))
					.onErrorResume((failed) -> {
						alone.sink.error(failed);
						return Mono.empty();
					}))
				.doFinally((signal) -> release())
				.subscribe();
		});
	}

	private void release() {
		synchronized (this) {
			this.writing--;
		}
		drain();
	}

	private static void complete(List<Pending> batch, Map<UUID, Written> written) {
		for (Pending pending : batch) {
			Job job = pending.change.job();
			Written result = written.get(job.id());
			if (result != null) {
				pending.sink.success(result);
			}
			else {
				pending.sink.error(conflict(job));
			}
		}
	}

	/**
	 * Writes {@code change} at once on its own, in the caller's transaction: for a change that must commit or roll
	 * back with other work of the caller.
	 */
	public Mono<Written> writeAlone(JobChange change) {
		return commit(List.of(change)).flatMap((written) -> {
			Written result = written.get(change.job().id());
			return (result != null) ? Mono.just(result) : Mono.error(conflict(change.job()));
		});
	}

	private Mono<Map<UUID, Written>> commit(List<Pending> batch) {
		return commit(batch.stream().map((pending) -> pending.change).toList());
	}

	/**
	 * One statement, so one transaction and one round trip: every job row, then every event. Deferred, so that a
	 * throw while building the statement (an event that cannot be serialized, say) is an error signal: the slot is
	 * given back and the callers get the error, instead of the slot leaking and its callers hanging.
	 */
	private Mono<Map<UUID, Written>> commit(Collection<JobChange> changes) {
		return Mono.defer(() -> build(changes));
	}

	private Mono<Map<UUID, Written>> build(Collection<JobChange> changes) {
		// The clock of this instance, not the database's: the events are written in the same statement as the rows,
		// so they are made before it runs and must know the time it stamps.
		Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
		List<JobRepository.Write> writes = new ArrayList<>(changes.size());
		Map<UUID, JobEventType> events = new HashMap<>();
		for (JobChange change : changes) {
			JobEventType event = change.event();
			if (event != null) {
				events.put(change.job().id(), event);
			}
			writes.add(new JobRepository.Write(change,
					(event != null) ? this.rows.event(change.job().storedAt(at), event).payload() : null));
		}
		return this.jobs.updateAll(writes, at).collectMap((stored) -> stored.job().id(), (stored) -> {
			Job job = stored.job();
			Long eventId = stored.eventId();
			return new Written(job, (eventId != null) ? new JobEventNotice(eventId, job.id(),
					Objects.requireNonNull(events.get(job.id()))) : null);
		});
	}

	private static OptimisticLockingFailureException conflict(Job job) {
		return new OptimisticLockingFailureException("Job " + job.id() + " changed since version " + job.version());
	}

	/** A job as stored and the notice of the event written with it, if any. */
	public record Written(Job job, @Nullable JobEventNotice notice) {

		public static Written of(Job job, @Nullable JobEventType event, Map<UUID, Long> eventIds) {
			return new Written(job, (event != null) ? new JobEventNotice(eventIds.get(job.id()), job.id(), event) : null);
		}

	}

	private static final class Pending {

		private final JobChange change;

		private final MonoSink<Written> sink;

		private volatile boolean canceled;

		private Pending(JobChange change, MonoSink<Written> sink) {
			this.change = change;
			this.sink = sink;
		}

	}

}
