package dev.reelay.job;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * The append-only event log ({@code job_events}), its one owner: appends, reads in id order (the order streams
 * replay it in), pruning, and the after-commit notices of this instance. Every append is announced on the
 * PostgreSQL channel {@link #CHANNEL} at commit, with the event id as payload. A job change appends its event in the
 * same statement as the row ({@code JobRepository.updateAll}, {@code delete}): those statements use this channel.
 */
@Component
public class JobEventLog {

	/** The NOTIFY channel; the payload is the event id, never the event (payloads are capped at 8,000 bytes). */
	public static final String CHANNEL = "job_events";

	private static final String COLUMNS = "e.id, e.job_id, j.tenant_id, e.type, e.payload, e.created_at, j.model, j.provider, "
			+ "e.payload->>'status' AS status";

	private static final String FROM = " FROM job_events e JOIN jobs j ON j.id = e.job_id";

	private final DatabaseClient db;

	private final Sinks.Many<JobEventNotice> notices = Sinks.many().multicast().directBestEffort();

	JobEventLog(DatabaseClient db) {
		this.db = db;
	}

	/** Every event appended by this instance, after commit. Bounded: a slow subscriber misses notices. */
	public Flux<JobEventNotice> notices() {
		return this.notices.asFlux();
	}

	/** Tells this instance's listeners of an event whose append has committed. */
	void announce(JobEventNotice notice) {
		// Best effort, never an error: emitNext would end the sink with an overflow error the first time a burst
		// outran a subscriber's demand, and every listener would be gone for good. A listener that had no room
		// misses this one only; what it stands for is read again on the listener's next tick or notification.
		Sinks.EmitResult result;
		do {
			result = this.notices.tryEmitNext(notice);
		}
		while (result == Sinks.EmitResult.FAIL_NON_SERIALIZED);
	}

	public Flux<JobEvent> forJobAfter(UUID jobId, long afterId) {
		return this.db.sql("SELECT " + COLUMNS + FROM + " WHERE e.job_id = :job_id AND e.id > :after ORDER BY e.id")
			.bind("job_id", jobId)
			.bind("after", afterId)
			.map(JobEventLog::read)
			.all();
	}

	public Mono<JobEvent> latestForJob(UUID jobId) {
		return latestForJob(jobId, Long.MAX_VALUE);
	}

	/** The job's newest event with an id of at most {@code upTo}. */
	public Mono<JobEvent> latestForJob(UUID jobId, long upTo) {
		return this.db
			.sql("SELECT " + COLUMNS + FROM + " WHERE e.job_id = :job_id AND e.id <= :up_to ORDER BY e.id DESC LIMIT 1")
			.bind("job_id", jobId)
			.bind("up_to", upTo)
			.map(JobEventLog::read)
			.one();
	}

	/** Up to {@code limit} events in {@code (afterId, upTo]} that {@code filter} lets through, in id order. */
	public Flux<JobEvent> between(long afterId, long upTo, JobEventFilter filter, int limit) {
		StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + FROM + " WHERE e.id > :after AND e.id <= :up_to");
		if (filter.tenant() != null) {
			sql.append(" AND j.tenant_id = :tenant");
		}
		if (!filter.jobIds().isEmpty()) {
			sql.append(" AND e.job_id = ANY(:job_ids)");
		}
		if (!filter.statuses().isEmpty()) {
			sql.append(" AND e.payload->>'status' = ANY(:statuses)");
		}
		if (!filter.models().isEmpty()) {
			sql.append(" AND j.model = ANY(:models)");
		}
		if (!filter.providers().isEmpty()) {
			sql.append(" AND j.provider = ANY(:providers)");
		}
		sql.append(" ORDER BY e.id LIMIT :limit");
		DatabaseClient.GenericExecuteSpec spec = this.db.sql(sql.toString())
			.bind("after", afterId)
			.bind("up_to", upTo)
			.bind("limit", limit);
		UUID tenant = filter.tenant();
		if (tenant != null) {
			spec = spec.bind("tenant", tenant);
		}
		if (!filter.jobIds().isEmpty()) {
			spec = spec.bind("job_ids", filter.jobIds().toArray(UUID[]::new));
		}
		if (!filter.statuses().isEmpty()) {
			spec = spec.bind("statuses", filter.statuses().stream().map(JobStatus::value).toArray(String[]::new));
		}
		if (!filter.models().isEmpty()) {
			spec = spec.bind("models", filter.models().toArray(String[]::new));
		}
		if (!filter.providers().isEmpty()) {
			spec = spec.bind("providers", filter.providers().toArray(String[]::new));
		}
		return spec.map(JobEventLog::read).all();
	}

	/** Up to {@code limit} events after {@code afterId}, in id order. */
	public Flux<JobEvent> after(long afterId, int limit) {
		return this.db.sql("SELECT " + COLUMNS + FROM + " WHERE e.id > :after ORDER BY e.id LIMIT :limit")
			.bind("after", afterId)
			.bind("limit", limit)
			.map(JobEventLog::read)
			.all();
	}

	/** The events among {@code ids} that are visible now, in id order. */
	public Flux<JobEvent> withIds(Collection<Long> ids) {
		return this.db.sql("SELECT " + COLUMNS + FROM + " WHERE e.id = ANY(:ids) ORDER BY e.id")
			.bind("ids", ids.toArray(Long[]::new))
			.map(JobEventLog::read)
			.all();
	}

	/** The newest event id, or 0 on an empty log. */
	public Mono<Long> head() {
		return this.db.sql("SELECT coalesce(max(id), 0) AS head FROM job_events")
			.map((row) -> row.get("head", Long.class))
			.one();
	}

	/**
	 * A transaction id above that of every transaction already running (it takes a fresh one, in a transaction of
	 * its own): see {@link #appendersOpenBefore(long)}.
	 */
	public Mono<Long> transactionHorizon() {
		return this.db.sql("SELECT pg_current_xact_id()::text::bigint AS horizon")
			.map((row) -> row.get("horizon", Long.class))
			.one();
	}

	/**
	 * True while a transaction that began before {@code horizon} and appends to the event log (it holds the
	 * table's row-exclusive lock from its first insert to its end) is still open. Only such a transaction can hold
	 * a missing event id: a long transaction elsewhere, even one left open by a faulty client, holds nothing up.
	 */
	public Mono<Boolean> appendersOpenBefore(long horizon) {
		// Transaction ids in pg_locks are 32-bit; "precedes" is modular, as PostgreSQL compares them.
		String sql = "SELECT EXISTS (SELECT 1 FROM pg_locks appender JOIN pg_locks own "
				+ "ON own.pid = appender.pid AND own.locktype = 'transactionid' AND own.mode = 'ExclusiveLock' "
				+ "WHERE appender.locktype = 'relation' AND appender.granted "
				+ "AND appender.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
				+ "AND appender.relation = 'job_events'::regclass AND appender.mode = 'RowExclusiveLock' "
				+ "AND ((:horizon - own.transactionid::text::bigint) & 4294967295) BETWEEN 1 AND 2147483647) AS open";
		return this.db.sql(sql)
			.bind("horizon", horizon)
			.map((row) -> Boolean.TRUE.equals(row.get("open", Boolean.class)))
			.one();
	}

	/**
	 * What decides whether a stream can resume after {@code afterId} without a hole, when events are kept for
	 * {@code retention}; for one job's stream when {@code jobId} is given, else for all jobs.
	 */
	public Mono<Horizon> horizon(long afterId, Duration retention, @Nullable UUID jobId) {
		String cutoff = "now() - make_interval(secs => :retention)";
		String next = "SELECT created_at < " + cutoff + " FROM job_events WHERE id > :after"
				+ ((jobId != null) ? " AND job_id = :job" : "") + " ORDER BY id LIMIT 1";
		String jobOld = (jobId != null) ? "SELECT created_at < " + cutoff + " FROM jobs WHERE id = :job" : "SELECT false";
		String sql = "SELECT (SELECT up_to FROM job_events_pruned) AS pruned_up_to, "
				+ "coalesce((" + next + "), false) AS next_expired, "
				+ "coalesce(pg_sequence_last_value('job_events_id_seq'), 0) AS issued, "
				+ "coalesce((" + jobOld + "), false) AS job_old";
		DatabaseClient.GenericExecuteSpec spec = this.db.sql(sql)
			.bind("after", afterId)
			.bind("retention", retention.toMillis() / 1000.0);
		if (jobId != null) {
			spec = spec.bind("job", jobId);
		}
		return spec
			.map((row) -> new Horizon(row.get("pruned_up_to", Long.class),
					Boolean.TRUE.equals(row.get("next_expired", Boolean.class)), row.get("issued", Long.class),
					Boolean.TRUE.equals(row.get("job_old", Boolean.class))))
			.one();
	}

	/**
	 * Appends events in the order given (their ids follow it) and announces each id on {@link #CHANNEL};
	 * PostgreSQL delivers the notifications at commit, so listeners never hear of an event they cannot read yet.
	 * Runs after the job rows' write in the same transaction, which gives the transaction its id before the events
	 * take their ids: the log tail relies on that to tell a still-open transaction from a rolled-back one. Answers
	 * each event's id by job id, so at most one event per job.
	 */
	Mono<Map<UUID, Long>> append(List<NewEvent> events) {
		if (events.isEmpty()) {
			return Mono.just(Map.of());
		}
		String sql = "WITH event AS (INSERT INTO job_events (job_id, type, payload) "
				+ "SELECT job_id, type, CAST(payload AS json) FROM unnest(CAST(:job_ids AS uuid[]), "
				+ "CAST(:types AS text[]), CAST(:payloads AS text[])) WITH ORDINALITY AS v(job_id, type, payload, ord) "
				+ "ORDER BY ord RETURNING id, job_id) "
				+ "SELECT id, job_id, pg_notify('" + CHANNEL + "', id::text)::text AS notified FROM event";
		return this.db.sql(sql)
			.bind("job_ids", events.stream().map(NewEvent::jobId).toArray(UUID[]::new))
			.bind("types", events.stream().map((event) -> event.type().wireName()).toArray(String[]::new))
			.bind("payloads", events.stream().map(NewEvent::payload).toArray(String[]::new))
			.map((row) -> Map.entry(row.get("job_id", UUID.class), row.get("id", Long.class)))
			.all()
			.collectMap(Map.Entry::getKey, Map.Entry::getValue);
	}

	/** An event to append: built by the writer of its job's row, which knows the payload. */
	public record NewEvent(UUID jobId, JobEventType type, String payload) {
	}

	/**
	 * Deletes up to {@code limit} events older than {@code age}, keeping each job's newest event so that a
	 * finished job's stream can still show its final state, and raises the pruned-up-to mark in the same
	 * transaction. Answers how many were deleted. Streams asked to resume from before a deleted event answer with a
	 * reset instead of a silent hole.
	 */
	public Mono<Long> prune(Duration age, int limit) {
		String sql = "WITH gone AS (DELETE FROM job_events WHERE id IN (SELECT e.id FROM job_events e "
				+ "WHERE e.created_at < now() - make_interval(secs => :age) AND EXISTS (SELECT 1 FROM job_events later "
				+ "WHERE later.job_id = e.job_id AND later.id > e.id) ORDER BY e.created_at LIMIT :limit) RETURNING id), "
				+ "mark AS (UPDATE job_events_pruned SET up_to = greatest(up_to, (SELECT max(id) FROM gone)) "
				+ "WHERE EXISTS (SELECT 1 FROM gone)) SELECT count(*) AS deleted FROM gone";
		return this.db.sql(sql)
			.bind("age", age.toMillis() / 1000.0)
			.bind("limit", limit)
			.map((row) -> row.get("deleted", Long.class))
			.one();
	}

	private static JobEvent read(Readable row) {
		return new JobEvent(row.get("id", Long.class), row.get("job_id", UUID.class), row.get("tenant_id", UUID.class),
				JobEventType.fromWireName(row.get("type", String.class)),
				JobStatus.fromValue(row.get("status", String.class)), row.get("model", String.class),
				row.get("provider", String.class), row.get("payload", Json.class).asString(),
				row.get("created_at", Instant.class));
	}

	/**
	 * {@code prunedUpTo}: the highest id deleted by retention; {@code nextExpired}: the first event after the asked
	 * id (of the job, if one was asked about) is older than the retention window; {@code issued}: the highest id
	 * ever handed out; {@code jobOlderThanRetention}: the job asked about is old enough to have lost events.
	 */
	public record Horizon(long prunedUpTo, boolean nextExpired, long issued, boolean jobOlderThanRetention) {
	}

}
