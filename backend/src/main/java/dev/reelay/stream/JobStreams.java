package dev.reelay.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import dev.reelay.job.JobEvent;
import dev.reelay.job.JobEventLog;
import dev.reelay.job.JobStore;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;

/**
 * Live streams read from the durable log: a stream only remembers the last id it delivered, so replay after a
 * reconnect and live delivery are the same code and cannot leave a gap or send a duplicate.
 */
@Component
class JobStreams {

	private static final ServerSentEvent<String> END = ServerSentEvent.<String>builder().comment("end").build();

	private final JobEventLog log;

	private final JobStore jobs;

	private final StreamSettings settings;

	private final StreamMetrics metrics;

	JobStreams(JobEventLog log, JobStore jobs, StreamSettings settings, StreamMetrics metrics) {
		this.log = log;
		this.jobs = jobs;
		this.settings = settings;
		this.metrics = metrics;
	}

	/**
	 * One job: its current state (or everything after {@code lastEventId}), then live events, ending after the
	 * terminal one.
	 */
	Flux<ServerSentEvent<String>> forJob(UUID jobId, @Nullable Long lastEventId) {
		return Flux.defer(() -> {
			AtomicLong cursor = new AtomicLong((lastEventId != null) ? lastEventId : 0);
			Flux<JobEvent> current = (lastEventId != null) ? Flux.empty()
					: this.log.latestForJob(jobId).doOnNext((event) -> cursor.set(event.id())).flux();
			Flux<Object> wakeUps = this.metrics.coalesced(StreamMetrics.JOB, Flux.merge(
					this.jobs.notices().filter((notice) -> notice.jobId().equals(jobId)),
					Flux.interval(this.settings.recheck())));
			Flux<JobEvent> live = Flux.concat(Mono.just(0L), wakeUps)
				.concatMap((wake) -> this.log.forJobAfter(jobId, cursor.get())
					.doOnNext((event) -> cursor.set(event.id())), 1);
			Flux<JobEvent> events = current.concatWith(live).takeUntil((event) -> event.type().isTerminal());
			return this.metrics.tracked(StreamMetrics.JOB, withHeartbeats(events.map(this::toSse)));
		});
	}

	/** Every job's events after {@code lastEventId}, or from now on when it is null. Never ends by itself. */
	Flux<ServerSentEvent<String>> forAll(@Nullable Long lastEventId) {
		Mono<Long> start = (lastEventId != null) ? Mono.just(lastEventId) : this.log.head();
		return start.flatMapMany((position) -> {
			GapAwareCursor cursor = new GapAwareCursor(position, this.settings.gapGrace());
			Flux<Object> wakeUps = this.metrics.coalesced(StreamMetrics.ALL, Flux.merge(this.jobs.notices(),
					Flux.interval(this.settings.recheck()),
					Flux.interval(this.settings.gapGrace().dividedBy(4)).filter((tick) -> cursor.isWaiting())));
			Flux<JobEvent> events = Flux.concat(Mono.just(0L), wakeUps)
				.concatMap((wake) -> this.log.after(cursor.position(), this.settings.readBatch())
					.collectList()
					.flatMapIterable((batch) -> cursor.accept(batch, Instant.now())), 1);
			// Says "ready" once the starting position is fixed: from here on nothing is missed.
			return Flux.concat(Mono.just(ServerSentEvent.<String>builder().comment("ready").build()),
					withHeartbeats(events.map(this::toSse)));
		}).transform((stream) -> this.metrics.tracked(StreamMetrics.ALL, stream));
	}


	/** Keeps idle connections open through proxies; ends when {@code events} ends. */
	private Flux<ServerSentEvent<String>> withHeartbeats(Flux<ServerSentEvent<String>> events) {
		Duration every = this.settings.heartbeat();
		Flux<ServerSentEvent<String>> heartbeats = Flux.interval(every, every)
			.map((tick) -> ServerSentEvent.<String>builder().comment("heartbeat").build());
		return Flux.merge(events.concatWith(Mono.just(END)), heartbeats).takeWhile((event) -> event != END);
	}

	private ServerSentEvent<String> toSse(JobEvent event) {
		return ServerSentEvent.builder(event.payload())
			.id(Long.toString(event.id()))
			.event(event.type().wireName())
			.retry(this.settings.clientRetry())
			.build();
	}

}
