package dev.reelay.job;

import java.time.Duration;
import java.util.Collection;
import java.util.UUID;

import io.r2dbc.postgresql.codec.Json;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/** SQL for the jobs table. Every write is guarded by the row's version. */
@Repository
class JobRepository {

	private static final String MUTABLE_SET = "status = :status, progress = :progress, remote_id = :remote_id, "
			+ "status_reason = :status_reason, error_code = :error_code, error_message = :error_message, "
			+ "error_retryable = :error_retryable, content_path = :content_path, content_type = :content_type, "
			+ "content_length = :content_length, content_sha256 = :content_sha256, attempts = :attempts, "
			+ "next_attempt_at = :next_attempt_at, submit_started_at = :submit_started_at, "
			+ "provider_request_id = :provider_request_id, provider_calls = :provider_calls";

	private final DatabaseClient db;

	private final JobRows rows;

	JobRepository(DatabaseClient db, JobRows rows) {
		this.db = db;
		this.rows = rows;
	}

	Mono<Job> insert(Job job) {
		String sql = "INSERT INTO jobs (id, model, provider, prompt, parameters, created_at, updated_at, "
				+ "status, progress, remote_id, status_reason, error_code, error_message, error_retryable, content_path, "
				+ "content_type, content_length, content_sha256, attempts, next_attempt_at, submit_started_at, "
				+ "provider_request_id, provider_calls) "
				+ "VALUES (:id, :model, :provider, :prompt, :parameters, now(), now(), :status, :progress, :remote_id, "
				+ ":status_reason, :error_code, :error_message, :error_retryable, :content_path, :content_type, "
				+ ":content_length, :content_sha256, :attempts, :next_attempt_at, :submit_started_at, "
				+ ":provider_request_id, :provider_calls) RETURNING "
				+ JobRows.COLUMNS;
		DatabaseClient.GenericExecuteSpec spec = this.db.sql(sql)
			.bind("id", job.id())
			.bind("model", job.model())
			.bind("provider", job.provider())
			.bind("prompt", job.prompt())
			.bind("parameters", this.rows.parametersJson(job));
		return this.rows.bindState(spec, job).map(this.rows::read).one();
	}

	Mono<Job> findById(UUID id) {
		return this.db.sql("SELECT " + JobRows.COLUMNS + " FROM jobs WHERE id = :id")
			.bind("id", id)
			.map(this.rows::read)
			.one();
	}

	/**
	 * Writes {@code changed} if the row is still at {@code changed.version()}; the lease is kept unless
	 * {@code releaseLease}.
	 */
	Mono<Job> update(Job changed, boolean releaseLease) {
		String sql = "UPDATE jobs SET " + MUTABLE_SET + ", updated_at = now(), version = version + 1, "
				+ "completed_at = CASE WHEN :terminal THEN now() ELSE completed_at END"
				+ (releaseLease ? ", lease_owner = NULL, lease_until = NULL" : "")
				+ " WHERE id = :id AND version = :version RETURNING " + JobRows.COLUMNS;
		DatabaseClient.GenericExecuteSpec spec = this.db.sql(sql)
			.bind("terminal", changed.status().isTerminal())
			.bind("id", changed.id())
			.bind("version", changed.version());
		return this.rows.bindState(spec, changed)
			.map(this.rows::read)
			.one()
			.switchIfEmpty(Mono.error(() -> new OptimisticLockingFailureException(
					"Job " + changed.id() + " changed since version " + changed.version())));
	}

	/** Newest first; the cursor is the last job of the previous page. */
	Flux<Job> page(@Nullable Collection<JobStatus> statuses, @Nullable JobCursor after, int limit) {
		StringBuilder sql = new StringBuilder("SELECT " + JobRows.COLUMNS + " FROM jobs WHERE true");
		if (statuses != null) {
			sql.append(" AND status = ANY(:statuses)");
		}
		if (after != null) {
			sql.append(" AND (created_at, id) < (:after_created, :after_id)");
		}
		sql.append(" ORDER BY created_at DESC, id DESC LIMIT :limit");
		DatabaseClient.GenericExecuteSpec spec = this.db.sql(sql.toString()).bind("limit", limit);
		if (statuses != null) {
			spec = spec.bind("statuses", statuses.stream().map(JobStatus::value).toArray(String[]::new));
		}
		if (after != null) {
			spec = spec.bind("after_created", after.createdAt()).bind("after_id", after.id());
		}
		return spec.map(this.rows::read).all();
	}

	/**
	 * Leases up to {@code limit} due jobs to {@code owner}. SKIP LOCKED lets several instances claim at once
	 * without waiting on each other; the version bump makes a stale holder's later write fail.
	 */
	Flux<Job> claimDue(String owner, Duration lease, int limit) {
		String sql = "UPDATE jobs SET lease_owner = :owner, lease_until = now() + make_interval(secs => :lease), "
				+ "version = version + 1 WHERE id IN (SELECT id FROM jobs WHERE status = ANY(:active) "
				+ "AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now()) "
				+ "ORDER BY next_attempt_at LIMIT :limit FOR UPDATE SKIP LOCKED) RETURNING " + JobRows.COLUMNS;
		return this.db.sql(sql)
			.bind("owner", owner)
			.bind("lease", lease.toMillis() / 1000.0)
			.bind("active", JobStatus.active().stream().map(JobStatus::value).toArray(String[]::new))
			.bind("limit", limit)
			.map(this.rows::read)
			.all();
	}

	Mono<Long> releaseLeases(String owner) {
		return this.db.sql("UPDATE jobs SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = :owner")
			.bind("owner", owner)
			.fetch()
			.rowsUpdated();
	}

	Mono<Long> insertEvent(UUID jobId, JobEventType type, String payload) {
		return this.db.sql("INSERT INTO job_events (job_id, type, payload) VALUES (:job_id, :type, CAST(:payload AS json)) RETURNING id")
			.bind("job_id", jobId)
			.bind("type", type.wireName())
			.bind("payload", payload)
			.map((row) -> row.get("id", Long.class))
			.one();
	}

}
