package dev.reelay.stream;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import dev.reelay.job.JobEvent;
import dev.reelay.job.JobEventFilter;
import dev.reelay.job.JobEventLog;
import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Streams as clients see them: a replay from the durable log, then live events from the log tail, joined at the
 * position the tail registered the stream at, so nothing is missed or repeated however fast events are written.
 */
@Component
class JobStreams {

	private static final Outgoing READY = new Outgoing(null, StreamMessages.READY);

	private final LogTail tail;

	private final JobEventLog log;

	private final EventRetention retention;

	private final StreamMessages messages;

	private final StreamSettings settings;

	private final StreamMetrics metrics;

	JobStreams(LogTail tail, JobEventLog log, EventRetention retention, StreamMessages messages,
			StreamSettings settings, StreamMetrics metrics) {
		this.tail = tail;
		this.log = log;
		this.retention = retention;
		this.messages = messages;
		this.settings = settings;
		this.metrics = metrics;
	}

	/**
	 * One job: its current state (or everything after {@code lastEventId}), then live events, ending after the
	 * terminal one.
	 */
	Flux<ByteBuf> forJob(UUID tenant, UUID jobId, @Nullable Long lastEventId) {
		JobEventFilter filter = JobEventFilter.job(jobId).forTenant(tenant);
		return this.metrics.tracked(StreamMetrics.JOB,
				withHeartbeats(open(filter, jobId, lastEventId).takeUntil(Outgoing::endsJob)));
	}

	/**
	 * Every event of {@code tenant}'s jobs that {@code filter} accepts after {@code lastEventId}, or from now on when
	 * it is null. The tenant travels with each event read from the log, so the tail checks it in memory.
	 */
	Flux<ByteBuf> forAll(UUID tenant, JobEventFilter filter, @Nullable Long lastEventId) {
		return this.metrics.tracked(StreamMetrics.ALL,
				withHeartbeats(open(filter.forTenant(tenant), null, lastEventId)));
	}

	/** True when the client already has the job's terminal event: nothing will ever follow. */
	Mono<Boolean> hasEnded(UUID jobId, long lastEventId) {
		return this.log.latestForJob(jobId)
			.map((latest) -> latest.type().isTerminal() && latest.id() <= lastEventId)
			.defaultIfEmpty(false);
	}

	/** Subscribers held by this instance now (for tests and the benchmark). */
	int subscribers() {
		return this.tail.subscribers();
	}

	private Flux<Outgoing> open(JobEventFilter filter, @Nullable UUID currentStateOf, @Nullable Long lastEventId) {
		Mono<ResumeVerdict> verdict = (lastEventId != null) ? this.retention.check(lastEventId, currentStateOf)
				: Mono.just(ResumeVerdict.RESUMABLE);
		return verdict.flatMapMany((resume) -> {
			Subscriber subscriber = new Subscriber(filter, this.settings.buffer());
			return Flux.defer(() -> stream(subscriber, currentStateOf, lastEventId, resume))
				.doFinally((signal) -> this.tail.unregister(subscriber));
		});
	}

	private Flux<Outgoing> stream(Subscriber subscriber, @Nullable UUID currentStateOf, @Nullable Long lastEventId,
			ResumeVerdict resume) {
		JobEventFilter filter = subscriber.filter();
		Long resumeAfter = (resume == ResumeVerdict.RESUMABLE) ? lastEventId : null;
		AtomicLong sent = new AtomicLong((resumeAfter != null) ? resumeAfter : 0);
		// A long replay runs before registering, so the live buffer only has to cover the short final stretch.
		Flux<Outgoing> catchUp = (resumeAfter == null) ? Flux.empty()
				: this.tail.position().flatMapMany((upTo) -> replay(subscriber, sent, upTo));
		Flux<Outgoing> rest = this.tail.register(subscriber).flatMapMany((start) -> {
			Flux<Outgoing> reset = Flux.empty();
			if (resume != ResumeVerdict.RESUMABLE && lastEventId != null) {
				reset = Flux.just(this.messages.reset(resume, lastEventId, (currentStateOf == null) ? start : null));
			}
			Flux<Outgoing> upToStart = Flux.empty();
			if (resumeAfter != null) {
				upToStart = replay(subscriber, sent, start);
			}
			else if (currentStateOf != null) {
				upToStart = this.log.latestForJob(currentStateOf, start)
					.doOnNext((event) -> sent(subscriber, sent, event))
					.map(this.messages::event)
					.flux();
			}
			// Live events all come after start; this only matters when the client is ahead of this instance. A late
			// event may be below it: it goes out unless this stream sent it from the log.
			Flux<Outgoing> live = subscriber.messages()
				.filter((message) -> message.event() == null || message.id() > sent.get()
						|| (message.late() && subscriber.owesLate(message.id())));
			return Flux.concat(Flux.just(READY), reset, upToStart, live);
		});
		return catchUp.concatWith(rest);
	}

	/** The events the subscriber's filter accepts in {@code (sent, upTo]}, a page at a time; advances {@code sent}. */
	private Flux<Outgoing> replay(Subscriber subscriber, AtomicLong sent, long upTo) {
		JobEventFilter filter = subscriber.filter();
		int page = this.settings.readBatch();
		return Flux.defer(() -> this.log.between(sent.get(), upTo, filter, page)
			.collectList()
			.expand((events) -> (events.size() < page) ? Mono.empty()
					: this.log.between(last(events).id(), upTo, filter, page).collectList())
			.concatMapIterable((events) -> events))
			.doOnNext((event) -> sent(subscriber, sent, event))
			.map(this.messages::event);
	}

	private void sent(Subscriber subscriber, AtomicLong sent, JobEvent event) {
		sent.set(event.id());
		subscriber.sentFromLog(event.id(), this.tail.passedOver(event.id()));
	}

	private Flux<ByteBuf> withHeartbeats(Flux<Outgoing> messages) {
		return Heartbeats.around(messages.map(Outgoing::wire), this.settings.heartbeat(),
				StreamMessages.HEARTBEAT_WIRE::duplicate);
	}

	private static JobEvent last(List<JobEvent> events) {
		return events.get(events.size() - 1);
	}

}
