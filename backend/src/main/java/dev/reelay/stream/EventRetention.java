package dev.reelay.stream;

import java.util.UUID;

import dev.reelay.job.JobEventLog;
import dev.reelay.support.BackgroundLoops;
import dev.reelay.support.Periodic;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * How far back streams can resume: events are kept for {@code reelay.stream.retention} and pruned in batches
 * (each job keeps its newest event). A client asking to resume from before that gets a reset, never a silent
 * hole. Every instance prunes; the deletes are idempotent, so two at once only repeat work.
 */
@Component
class EventRetention implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(EventRetention.class);

	private final JobEventLog events;

	private final StreamSettings settings;

	private final Periodic loop;

	EventRetention(JobEventLog events, StreamSettings settings) {
		this.events = events;
		this.settings = settings;
		this.loop = new Periodic(settings.pruneInterval(), settings.pruneInterval(),
				() -> prune().doOnNext((deleted) -> {
					if (deleted > 0) {
						log.info("pruned {} events older than {}", deleted, settings.retention());
					}
				}), log, "pruning old events failed; will try again");
	}

	/**
	 * Whether every event after {@code lastEventId} is still in the log: of one job when {@code jobId} is given (so
	 * a recent job's stream replays from event 0 whatever older jobs lost), else of all jobs.
	 */
	Mono<ResumeVerdict> check(long lastEventId, @Nullable UUID jobId) {
		return this.events.horizon(lastEventId, this.settings.retention(), jobId).map((horizon) -> {
			if (lastEventId > horizon.issued()) {
				return ResumeVerdict.UNKNOWN;
			}
			boolean pruned = lastEventId < horizon.prunedUpTo() && (jobId == null || horizon.jobOlderThanRetention());
			return (pruned || horizon.nextExpired()) ? ResumeVerdict.EXPIRED : ResumeVerdict.RESUMABLE;
		});
	}

	/** Deletes every event older than the retention window, a batch at a time; answers how many went. */
	Mono<Long> prune() {
		int batch = this.settings.pruneBatch();
		return this.events.prune(this.settings.retention(), batch)
			.expand((deleted) -> (deleted == batch)
					? this.events.prune(this.settings.retention(), batch) : Mono.empty())
			.reduce(0L, Long::sum);
	}

	/** Liveness: each run bounded and each successful one reported (health {@code backgroundLoops}). */
	@Autowired
	void watch(BackgroundLoops loops) {
		this.loop.watched(loops, "event-retention");
	}

	@Override
	public void start() {
		this.loop.start();
	}

	@Override
	public void stop() {
		this.loop.stop();
	}

	@Override
	public boolean isRunning() {
		return this.loop.isRunning();
	}

}
