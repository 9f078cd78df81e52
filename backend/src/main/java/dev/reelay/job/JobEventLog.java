package dev.reelay.job;

import java.time.Instant;
import java.util.UUID;

import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/** Reads the append-only event log in id order, the order streams replay it in. */
@Component
public class JobEventLog {

	private static final String COLUMNS = "id, job_id, type, payload, created_at";

	private final DatabaseClient db;

	JobEventLog(DatabaseClient db) {
		this.db = db;
	}

	public Flux<JobEvent> forJobAfter(UUID jobId, long afterId) {
		return this.db.sql("SELECT " + COLUMNS + " FROM job_events WHERE job_id = :job_id AND id > :after ORDER BY id")
			.bind("job_id", jobId)
			.bind("after", afterId)
			.map(JobEventLog::read)
			.all();
	}

	public Mono<JobEvent> latestForJob(UUID jobId) {
		return this.db.sql("SELECT " + COLUMNS + " FROM job_events WHERE job_id = :job_id ORDER BY id DESC LIMIT 1")
			.bind("job_id", jobId)
			.map(JobEventLog::read)
			.one();
	}

	public Flux<JobEvent> after(long afterId, int limit) {
		return this.db.sql("SELECT " + COLUMNS + " FROM job_events WHERE id > :after ORDER BY id LIMIT :limit")
			.bind("after", afterId)
			.bind("limit", limit)
			.map(JobEventLog::read)
			.all();
	}

	/** The newest event id, or 0 on an empty log: where a stream that wants only live events starts. */
	public Mono<Long> head() {
		return this.db.sql("SELECT coalesce(max(id), 0) AS head FROM job_events")
			.map((row) -> row.get("head", Long.class))
			.one();
	}

	private static JobEvent read(Readable row) {
		return new JobEvent(row.get("id", Long.class), row.get("job_id", UUID.class),
				JobEventType.fromWireName(row.get("type", String.class)), row.get("payload", Json.class).asString(),
				row.get("created_at", Instant.class));
	}

}
