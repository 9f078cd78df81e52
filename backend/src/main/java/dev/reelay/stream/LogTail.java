package dev.reelay.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import dev.reelay.job.JobEvent;
import dev.reelay.job.JobEventLog;
import dev.reelay.support.BackgroundLoops;
import dev.reelay.support.Heartbeat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The one reader of the event log on this instance: woken by PostgreSQL notifications (and a periodic recheck),
 * it reads each new event once, in id order and never past an id still being committed, and hands it to every
 * registered subscriber that wants it. A subscriber registered at position P gets exactly the events after P.
 */
@Component
class LogTail implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(LogTail.class);

	private final JobEventLog events;

	private final EventNotifications notifications;

	private final StreamMessages messages;

	private final StreamSettings settings;

	private final StreamMetrics metrics;

	private final Outgoing tooSlow;

	private final Outgoing shuttingDown;

	// Replaced on each start: the context may be stopped and started again (Spring's test contexts are paused).
	private volatile Sinks.One<Long> started = Sinks.one();

	private volatile boolean begun;

	// Written under the lock and only by the tail thread; read anywhere.
	private volatile long position;

	private final SubscriberRegistry subscribers = new SubscriberRegistry();

	private final AtomicLong published = new AtomicLong();

	// Guarded by the lock; true until the tail has a position to register streams at.
	private boolean stopped = true;

	private volatile @Nullable GapAwareCursor cursor;

	private volatile @Nullable Disposable loop;

	private volatile @Nullable Scheduler thread;

	private volatile @Nullable Heartbeat heartbeat;

	private volatile Duration iterationTimeout = Duration.ofMinutes(1);

	LogTail(JobEventLog events, EventNotifications notifications, StreamMessages messages, StreamSettings settings,
			StreamMetrics metrics) {
		this.events = events;
		this.notifications = notifications;
		this.messages = messages;
		this.settings = settings;
		this.metrics = metrics;
		this.tooSlow = messages.close("slow_consumer", "This client read too slowly and its buffer ("
				+ settings.buffer() + " events) filled up; reconnect with the last event id to resume from the log.");
		this.shuttingDown = messages.close("shutdown",
				"This server is shutting down; reconnect with the last event id to resume elsewhere.");
	}

	/** Liveness and the per-iteration bound: each read of the log is bounded, each successful one reported. */
	@Autowired
	void watch(BackgroundLoops loops) {
		this.heartbeat = loops.register("event-log-tail", this.settings.recheck());
		this.iterationTimeout = loops.iterationTimeout();
	}

	/** The id up to which every event has been delivered, once the tail has started. */
	Mono<Long> position() {
		return this.started.asMono().map((ignored) -> this.position);
	}

	/**
	 * Adds {@code subscriber} and answers the position it starts after: every later event its filter accepts is
	 * delivered to it, no earlier one. Empty if the subscriber went away in the meantime.
	 */
	Mono<Long> register(Subscriber subscriber) {
		return this.started.asMono().flatMap((ignored) -> Mono.justOrEmpty(add(subscriber)));
	}

	/** Forgets {@code subscriber}; it receives nothing more. */
	void unregister(Subscriber subscriber) {
		subscriber.dispose();
		this.subscribers.remove(subscriber);
	}

	/** Subscribers registered now. */
	int subscribers() {
		return this.subscribers.size();
	}

	/** Subscribers closed so far because they could not keep up. */
	long closedTooSlow() {
		return this.subscribers.closedTooSlow();
	}

	/** Events read from the log and handed to the streams so far. */
	long published() {
		return this.published.get();
	}

	/** The most events any departed subscriber's buffer held at once. */
	int bufferHighWater() {
		return this.subscribers.bufferHighWater();
	}

	// The lock makes "read the position, join" atomic against "move the position, then deliver".
	private synchronized @Nullable Long add(Subscriber subscriber) {
		if (this.stopped) {
			subscriber.close(this.shuttingDown);
			return this.position;
		}
		GapAwareCursor current = this.cursor;
		if (!subscriber.startAfter(this.position, (current != null) ? current.skipped() : List.of())) {
			return null;
		}
		this.subscribers.add(subscriber);
		return this.position;
	}

	@Override
	public void start() {
		if (this.begun) {
			this.started = Sinks.one();
			this.begun = false;
		}
		Scheduler tail = Schedulers.newSingle("reelay-log-tail");
		this.thread = tail;
		AtomicBoolean more = new AtomicBoolean();
		Flux<Object> wakeUps = this.metrics.coalesced(StreamMetrics.TAIL, Flux.merge(this.notifications.eventIds(),
				Flux.interval(this.settings.recheck()).map((tick) -> EventNotifications.CONNECTED),
				Flux.interval(this.settings.gapCheck())
					.filter((tick) -> waiting() || passedOver())
					.map((tick) -> EventNotifications.CONNECTED))
			// An id below the position wakes the tail too while ids were passed over: it may be one of them.
			.filter((id) -> id == EventNotifications.CONNECTED || id > this.position || passedOver()));
		Heartbeat watching = this.heartbeat;
		if (watching != null) {
			watching.started();
		}
		this.loop = startingPoint().publishOn(tail).doOnNext(this::begin).thenMany(wakeUps)
			.concatMap((wake) -> Mono.defer(() -> readOnce(more)).repeat(more::get).then()
				.timeout(this.iterationTimeout)
				.doOnSuccess((done) -> {
					if (watching != null) {
						watching.beat();
					}
				})
				.onErrorResume((error) -> {
					log.warn("reading the event log failed; will try again: {}", error.toString());
					return Mono.empty();
				}), 1)
			.subscribe();
	}

	/**
	 * The newest id once every transaction that might still commit an older one has ended: a subscriber that
	 * starts there misses nothing.
	 */
	private Mono<Long> startingPoint() {
		return this.events.head()
			.flatMap((head) -> this.events.transactionHorizon()
				.flatMap((horizon) -> Mono.defer(() -> this.events.appendersOpenBefore(horizon))
					.filter((open) -> !open)
					.repeatWhenEmpty((tries) -> tries.delayElements(this.settings.gapCheck()))
					.timeout(this.settings.gapGrace(), Mono.just(true)))
				.thenReturn(head))
			.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
				.maxBackoff(Duration.ofSeconds(5))
				.doBeforeRetry((signal) -> log.warn("cannot read the event log yet; retrying: {}",
						signal.failure().toString())));
	}

	private boolean waiting() {
		GapAwareCursor current = this.cursor;
		return current != null && current.isWaiting();
	}

	private boolean passedOver() {
		GapAwareCursor current = this.cursor;
		return current != null && current.hasSkipped();
	}

	private void begin(long head) {
		this.cursor = new GapAwareCursor(head, this.settings.gapGrace());
		synchronized (this) {
			this.position = head;
			this.stopped = false;
		}
		this.begun = true;
		this.started.tryEmitValue(head);
		log.info("streams start after event {}", head);
	}

	private Mono<Void> readOnce(AtomicBoolean more) {
		GapAwareCursor from = this.cursor;
		Scheduler tail = this.thread;
		if (from == null || tail == null) {
			return Mono.empty();
		}
		// Checked before reading, so that a read still missing the id comes after its transaction ended.
		long horizon = from.horizon();
		Mono<Boolean> holdersEnded = (horizon != 0) ? this.events.appendersOpenBefore(horizon).map((open) -> !open)
				: Mono.just(false);
		return holdersEnded.flatMap((ended) -> this.events.after(from.position(), this.settings.readBatch())
			.collectList()
			.publishOn(tail)
			.doOnNext((events) -> {
				List<JobEvent> ready = from.accept(events, ended, Instant.now());
				more.set(events.size() == this.settings.readBatch() && !from.isWaiting());
				publish(ready);
			}))
			.then(Mono.defer(() -> from.needsHorizon() ? this.events.transactionHorizon()
				.publishOn(tail)
				.doOnNext(from::horizon)
				.then() : Mono.empty()))
			.then(Mono.defer(() -> readLate(from, tail)));
	}

	/**
	 * Delivers the ids the cursor passed over that have appeared since. They come out of id order, so only to the
	 * streams that were open before they were passed over (a stream opened later read up to its start from the
	 * log); see {@link StreamMessages#late(JobEvent)}.
	 */
	private Mono<Void> readLate(GapAwareCursor from, Scheduler tail) {
		List<Long> ids = from.skipped();
		if (ids.isEmpty()) {
			return Mono.empty();
		}
		Set<Long> horizons = from.skippedHorizons();
		// Checked before reading, so that an id still missing from the read was rolled back.
		Mono<Set<Long>> ended = Flux.fromIterable(horizons)
			.filter((horizon) -> horizon != 0)
			.concatMap((horizon) -> this.events.appendersOpenBefore(horizon)
				.flatMap((open) -> open ? Mono.<Long>empty() : Mono.just(horizon)))
			.collect(Collectors.toSet());
		return ended.flatMap((over) -> this.events.withIds(ids)
			.collectList()
			.publishOn(tail)
			.doOnNext((found) -> publishLate(from, found, over)))
			.then(horizons.contains(0L) ? this.events.transactionHorizon()
				.doOnNext(from::skippedHorizon)
				.then() : Mono.empty());
	}

	/**
	 * True when the tail passed over {@code id} and its event may still come late; a stream that sends it from the
	 * log tells its subscriber ({@link Subscriber#sentFromLog}), so that it does not go out twice.
	 */
	boolean passedOver(long id) {
		GapAwareCursor current = this.cursor;
		return current != null && current.isSkipped(id);
	}

	/**
	 * Under the lock, like a registration: a stream registers either before an id leaves the passed-over ones (and
	 * then gets its late event) or after (and then its replay read it, or it will never appear).
	 */
	private synchronized void publishLate(GapAwareCursor from, List<JobEvent> found, Set<Long> over) {
		List<JobEvent> late = from.late(found, over);
		if (late.isEmpty()) {
			return;
		}
		this.published.addAndGet(late.size());
		log.info("delivering {} event(s) that appeared after the streams passed over their ids", late.size());
		for (JobEvent event : late) {
			Outgoing message = this.messages.late(event);
			deliver(this.subscribers.forJob(event.jobId()), event, message);
			deliver(this.subscribers.forEveryJob(), event, message);
		}
	}

	private void publish(List<JobEvent> batch) {
		if (batch.isEmpty()) {
			return;
		}
		this.published.addAndGet(batch.size());
		// Position first: a subscriber registering from here on starts after this batch and is skipped by it.
		synchronized (this) {
			this.position = batch.get(batch.size() - 1).id();
		}
		for (JobEvent event : batch) {
			Outgoing message = this.messages.event(event);
			deliver(this.subscribers.forJob(event.jobId()), event, message);
			deliver(this.subscribers.forEveryJob(), event, message);
		}
	}

	private void deliver(Subscriber[] subscribers, JobEvent event, Outgoing message) {
		for (Subscriber subscriber : subscribers) {
			if (subscriber.filter().matches(event) && !subscriber.deliver(message, this.tooSlow)) {
				unregister(subscriber);
			}
		}
	}

	/** Ends every stream with a notice, so clients reconnect to another instance instead of waiting. */
	@Override
	public void stop() {
		Heartbeat watching = this.heartbeat;
		if (watching != null) {
			watching.stopped();
		}
		Disposable running = this.loop;
		if (running != null) {
			running.dispose();
			this.loop = null;
		}
		synchronized (this) {
			this.stopped = true;
		}
		for (Subscriber subscriber : this.subscribers.all()) {
			subscriber.close(this.shuttingDown);
		}
		// Streams still waiting for the start are let through, to be closed the same way.
		this.begun |= this.started.tryEmitValue(this.position).isSuccess();
		Scheduler tail = this.thread;
		if (tail != null) {
			tail.dispose();
		}
	}

	@Override
	public boolean isRunning() {
		return this.loop != null;
	}

}
