package dev.reelay.job;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * Reads the append-only event log in id order, the order streams replay it in. Every append is announced on the
 * PostgreSQL channel {@link #CHANNEL} at commit, with the event id as payload.
 */
@Component
public class JobEventLog {

	/** The NOTIFY channel; the payload is the event id, never the event (payloads are capped at 8,000 bytes). */
	public static final String CHANNEL = "job_events";

	private static final String COLUMNS = "e.id, e.job_id, e.type, e.payload, e.created_at, j.model, j.provider, "
			+ "e.payload->>'status' AS status";

	private static final String FROM = " FROM job_events e JOIN jobs j ON j.id = e.job_id";

	// The oldest transaction still open as this statement runs: every older one has ended.
	private static final String XMIN = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin";

	private final DatabaseClient db;

	JobEventLog(DatabaseClient db) {
		this.db = db;
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

	/**
	 * Up to {@code limit} events after {@code afterId}, with the oldest transaction open when they were read, so
	 * that a reader can tell an id still being committed from one whose transaction rolled back.
	 */
	public Mono<Batch> read(long afterId, int limit) {
		String sql = "WITH snapshot AS (SELECT " + XMIN + ") SELECT s.xmin, e.* FROM snapshot s "
				+ "LEFT JOIN LATERAL (SELECT " + COLUMNS + FROM + " WHERE e.id > :after ORDER BY e.id LIMIT :limit) e "
				+ "ON true ORDER BY e.id";
		return this.db.sql(sql)
			.bind("after", afterId)
			.bind("limit", limit)
			.map((row) -> new Row((row.get("id", Long.class) != null) ? read(row) : null, row.get("xmin", Long.class)))
			.all()
			.collectList()
			.map((rows) -> new Batch(rows.stream().map(Row::event).filter(Objects::nonNull).toList(),
					rows.get(0).xmin()));
	}

	/** The newest event id, or 0 on an empty log. */
	public Mono<Long> head() {
		return this.db.sql("SELECT coalesce(max(id), 0) AS head FROM job_events")
			.map((row) -> row.get("head", Long.class))
			.one();
	}

	/** The oldest transaction open now: every transaction with a smaller id has ended. */
	public Mono<Long> oldestOpenTransaction() {
		return this.db.sql("SELECT " + XMIN).map((row) -> row.get("xmin", Long.class)).one();
	}

	/**
	 * A transaction id above that of every transaction already running (it takes a fresh one, in a transaction of
	 * its own). Once {@link #oldestOpenTransaction()} reaches it, all of those have ended. A snapshot's own upper
	 * bound cannot serve: it leaves out transactions younger than the last one to finish.
	 */
	public Mono<Long> transactionHorizon() {
		return this.db.sql("SELECT pg_current_xact_id()::text::bigint AS horizon")
			.map((row) -> row.get("horizon", Long.class))
			.one();
	}

	/**
	 * What decides whether a stream can resume after {@code afterId} without a hole, when events are kept for
	 * {@code retention}.
	 */
	public Mono<Horizon> horizon(long afterId, Duration retention) {
		String sql = "SELECT (SELECT up_to FROM job_events_pruned) AS pruned_up_to, "
				+ "coalesce((SELECT created_at < now() - make_interval(secs => :retention) FROM job_events "
				+ "WHERE id > :after ORDER BY id LIMIT 1), false) AS next_expired, "
				+ "coalesce(pg_sequence_last_value('job_events_id_seq'), 0) AS issued";
		return this.db.sql(sql)
			.bind("after", afterId)
			.bind("retention", retention.toMillis() / 1000.0)
			.map((row) -> new Horizon(row.get("pruned_up_to", Long.class),
					Boolean.TRUE.equals(row.get("next_expired", Boolean.class)), row.get("issued", Long.class)))
			.one();
	}

	private static JobEvent read(Readable row) {
		return new JobEvent(row.get("id", Long.class), row.get("job_id", UUID.class),
				JobEventType.fromWireName(row.get("type", String.class)),
				JobStatus.fromValue(row.get("status", String.class)), row.get("model", String.class),
				row.get("provider", String.class), row.get("payload", Json.class).asString(),
				row.get("created_at", Instant.class));
	}

	/** Events read together, and the oldest transaction that was open when they were read. */
	public record Batch(List<JobEvent> events, long xmin) {
	}

	/**
	 * {@code prunedUpTo}: the highest id deleted by retention; {@code nextExpired}: the first event after the asked
	 * id is older than the retention window; {@code issued}: the highest id ever handed out.
	 */
	public record Horizon(long prunedUpTo, boolean nextExpired, long issued) {
	}

	private record Row(@Nullable JobEvent event, long xmin) {
	}

}
