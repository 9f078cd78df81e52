package dev.reelay.job.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

import dev.reelay.job.JobStatus;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.support.BackgroundLoops;
import dev.reelay.support.Periodic;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * Queue depth, oldest queued age and jobs in flight per provider, counted in PostgreSQL (so every instance reports
 * the same, cluster-wide numbers) on a schedule and held in memory between reads.
 */
@Component
class QueueGauges implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(QueueGauges.class);

	private static final Set<JobStatus> IN_FLIGHT = EnumSet.of(JobStatus.SUBMITTING, JobStatus.SUBMITTED,
			JobStatus.IN_PROGRESS, JobStatus.DOWNLOADING);

	// Literals rather than a bound array, so the planner can use the partial index on active jobs.
	private static final String COUNT_ACTIVE = "SELECT provider, status, count(*) AS jobs, min(created_at) AS oldest "
			+ "FROM jobs WHERE status NOT IN (" + Arrays.stream(JobStatus.values())
				.filter(JobStatus::isTerminal)
				.map((status) -> "'" + status.value() + "'")
				.collect(Collectors.joining(", "))
			+ ") GROUP BY provider, status";

	private final DatabaseClient db;

	private final MeterRegistry registry;

	private final QueueGaugeSettings settings;

	private final Set<String> registered = ConcurrentHashMap.newKeySet();

	private volatile Map<String, ProviderQueue> snapshot = Map.of();

	private final Periodic loop;

	QueueGauges(DatabaseClient db, MeterRegistry registry, QueueGaugeSettings settings, ProviderSettings providers) {
		this.db = db;
		this.registry = registry;
		this.settings = settings;
		providers.instances().keySet().forEach(this::register);
		this.loop = new Periodic(Duration.ZERO, settings.queueRefresh(), this::refresh, log,
				"reading the queue gauges failed; keeping the last values");
	}

	/** Reads the counts once and publishes them. */
	Mono<Void> refresh() {
		return this.db.sql(COUNT_ACTIVE)
			.map((row) -> new Count(row.get("provider", String.class),
					JobStatus.fromValue(row.get("status", String.class)), row.get("jobs", Long.class),
					row.get("oldest", Instant.class)))
			.all()
			.collectList()
			.doOnNext((counts) -> {
				Map<String, ProviderQueue> next = new HashMap<>();
				counts.forEach((count) -> next.merge(count.provider(), ProviderQueue.of(count), ProviderQueue::plus));
				this.snapshot = next;
				next.keySet().forEach(this::register);
			})
			.then();
	}

	private void register(String provider) {
		if (!this.registered.add(provider)) {
			return;
		}
		gauge("reelay.jobs.queue.depth", "Jobs waiting to be submitted", provider, null, ProviderQueue::queued);
		gauge("reelay.jobs.queue.oldest.age", "Age of the oldest job waiting to be submitted", provider, "seconds",
				(queue) -> {
					Instant oldest = queue.oldestQueued();
					return (oldest != null) ? Math.max(0, Duration.between(oldest, Instant.now()).toMillis() / 1000.0)
							: 0;
				});
		gauge("reelay.jobs.in.flight", "Jobs submitted to the provider and not finished yet", provider, null,
				ProviderQueue::inFlight);
	}

	private void gauge(String name, String description, String provider, @Nullable String unit,
			ToDoubleFunction<ProviderQueue> value) {
		Gauge.builder(name, () -> value.applyAsDouble(this.snapshot.getOrDefault(provider, ProviderQueue.EMPTY)))
			.description(description)
			.baseUnit(unit)
			.tag("provider", provider)
			.strongReference(true)
			.register(this.registry);
	}

	/** Liveness: each run bounded and each successful one reported (health {@code backgroundLoops}). */
	@Autowired
	void watch(BackgroundLoops loops) {
		this.loop.watched(loops, "queue-gauges");
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

	private record Count(String provider, JobStatus status, long jobs, Instant oldest) {
	}

	/** One provider's share of the active jobs. */
	private record ProviderQueue(long queued, @Nullable Instant oldestQueued, long inFlight) {

		static final ProviderQueue EMPTY = new ProviderQueue(0, null, 0);

		static ProviderQueue of(Count count) {
			if (count.status() == JobStatus.QUEUED) {
				return new ProviderQueue(count.jobs(), count.oldest(), 0);
			}
			return new ProviderQueue(0, null, IN_FLIGHT.contains(count.status()) ? count.jobs() : 0);
		}

		ProviderQueue plus(ProviderQueue other) {
			Instant oldest = (this.oldestQueued == null) ? other.oldestQueued
					: (other.oldestQueued == null || this.oldestQueued.isBefore(other.oldestQueued)) ? this.oldestQueued
							: other.oldestQueued;
			return new ProviderQueue(this.queued + other.queued, oldest, this.inFlight + other.inFlight);
		}

	}

}
