package dev.reelay.job;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.UUID;

import io.r2dbc.postgresql.codec.Json;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Repository;

/** SQL for the jobs table. Every write is guarded by the row's version. */
@Repository
class JobRepository {

	/**
	 * The running statuses as SQL literals, not a bound array: only a literal list lets the planner match the
	 * partial index {@code jobs_running_due}, which a claim would otherwise replace with a scan of every job.
	 */
	private static final String RUNNING_SQL = JobStatus.running()
		.stream()
		.map((status) -> "'" + status.value() + "'")
		.collect(java.util.stream.Collectors.joining(", ", "(", ")"));

	private static final String MUTABLE_SET = "status = :status, progress = :progress, remote_id = :remote_id, "
			+ "status_reason = :status_reason, error_code = :error_code, error_message = :error_message, "
			+ "error_retryable = :error_retryable, content_path = :content_path, content_type = :content_type, "
			+ "content_length = :content_length, content_sha256 = :content_sha256, provider_usage = :provider_usage, "
			+ "attempts = :attempts, next_attempt_at = :next_attempt_at, submit_started_at = :submit_started_at, "
			+ "provider_request_id = :provider_request_id, provider_calls = :provider_calls, thumbnail = :thumbnail, "
			+ "actual_cost = :actual_cost";

	private final DatabaseClient db;

	private final JobRows rows;

	JobRepository(DatabaseClient db, JobRows rows) {
		this.db = db;
		this.rows = rows;
	}

	Mono<Job> insert(Job job, @Nullable String idempotencyKey, @Nullable String requestHash) {
		String sql = "INSERT INTO jobs (id, tenant_id, model, provider, prompt, parameters, priority, not_before, idempotency_key, "
				+ "request_hash, created_at, updated_at, status, progress, remote_id, status_reason, error_code, "
				+ "error_message, error_retryable, content_path, content_type, content_length, content_sha256, "
				+ "provider_usage, attempts, next_attempt_at, submit_started_at, provider_request_id, provider_calls, thumbnail, "
				+ "cost_currency, estimated_cost, actual_cost) "
				+ "VALUES (:id, :tenant_id, :model, :provider, :prompt, :parameters, :priority, "
				+ ":not_before, :idempotency_key, :request_hash, now(), now(), :status, :progress, :remote_id, "
				+ ":status_reason, :error_code, :error_message, :error_retryable, :content_path, :content_type, "
				+ ":content_length, :content_sha256, :provider_usage, :attempts, :next_attempt_at, :submit_started_at, "
				+ ":provider_request_id, :provider_calls, :thumbnail, :cost_currency, :estimated_cost, :actual_cost) RETURNING "
				+ JobRows.COLUMNS;
		DatabaseClient.GenericExecuteSpec spec = this.db.sql(sql)
			.bind("id", job.id())
			.bind("tenant_id", job.tenantId())
			.bind("model", job.model())
			.bind("provider", job.provider())
			.bind("prompt", job.prompt())
			.bind("parameters", this.rows.parametersJson(job))
			.bind("priority", job.priority())
			.bind("not_before", Parameter.fromOrEmpty(job.notBefore(), Instant.class))
			.bind("idempotency_key", Parameter.fromOrEmpty(idempotencyKey, String.class))
			.bind("request_hash", Parameter.fromOrEmpty(requestHash, String.class))
			.bind("cost_currency", Parameter.fromOrEmpty((job.cost() != null) ? job.cost().currency() : null, String.class))
			.bind("estimated_cost", Parameter.fromOrEmpty((job.cost() != null) ? job.cost().estimated() : null, BigDecimal.class));
		return this.rows.bindState(spec, job).map(this.rows::read).one();
	}

	/**
	 * The jobs {@code tenant}'s idempotency key created (one, or a whole batch), oldest first, with the hash of
	 * their request.
	 */
	Flux<KeyedJob> findByIdempotencyKey(UUID tenant, String key) {
		return this.db.sql("SELECT " + JobRows.COLUMNS + ", request_hash FROM jobs WHERE tenant_id = :tenant "
				+ "AND (idempotency_key = :key OR idempotency_key LIKE :prefix) ORDER BY created_at, idempotency_key")
			.bind("tenant", tenant)
			.bind("key", key)
			.bind("prefix", key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "#%")
			.map((row) -> new KeyedJob(this.rows.read(row), row.get("request_hash", String.class)))
			.all();
	}

	record KeyedJob(Job job, @Nullable String requestHash) {
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

	/** {@code tenant}'s jobs, newest first; the cursor is the last job of the previous page. */
	Flux<Job> page(UUID tenant, @Nullable Collection<JobStatus> statuses, @Nullable JobCursor after, int limit) {
		StringBuilder sql = new StringBuilder("SELECT " + JobRows.COLUMNS + " FROM jobs WHERE tenant_id = :tenant");
		if (statuses != null) {
			sql.append(" AND status = ANY(:statuses)");
		}
		if (after != null) {
			sql.append(" AND (created_at, id) < (:after_created, :after_id)");
		}
		sql.append(" ORDER BY created_at DESC, id DESC LIMIT :limit");
		DatabaseClient.GenericExecuteSpec spec = this.db.sql(sql.toString()).bind("tenant", tenant).bind("limit", limit);
		if (statuses != null) {
			spec = spec.bind("statuses", statuses.stream().map(JobStatus::value).toArray(String[]::new));
		}
		if (after != null) {
			spec = spec.bind("after_created", after.createdAt()).bind("after_id", after.id());
		}
		return spec.map(this.rows::read).all();
	}

	/**
	 * Leases up to {@code limit} queued jobs of one provider (and model, when given), highest priority first and
	 * FIFO within a priority. SKIP LOCKED lets several instances claim at once without waiting on each other; the
	 * version bump makes a stale holder's later write fail.
	 */
	Flux<Job> claimQueued(String provider, @Nullable String model, Collection<String> exceptModels, String owner,
			Instant now, Duration lease, int limit) {
		String sql = "UPDATE jobs SET lease_owner = :owner, lease_until = :lease_until, version = version + 1 "
				+ "WHERE id IN (SELECT id FROM jobs WHERE status = 'queued' AND provider = :provider "
				+ ((model != null) ? "AND model = :model " : "")
				+ (exceptModels.isEmpty() ? "" : "AND model <> ALL(:except_models) ")
				+ "AND next_attempt_at <= :now AND (lease_until IS NULL OR lease_until < :now) "
				+ "ORDER BY priority DESC, created_at, id LIMIT :limit FOR UPDATE SKIP LOCKED) RETURNING "
				+ JobRows.COLUMNS;
		DatabaseClient.GenericExecuteSpec spec = this.db.sql(sql)
			.bind("owner", owner)
			.bind("lease_until", now.plus(lease))
			.bind("provider", provider)
			.bind("now", now)
			.bind("limit", limit);
		if (model != null) {
			spec = spec.bind("model", model);
		}
		if (!exceptModels.isEmpty()) {
			spec = spec.bind("except_models", exceptModels.toArray(String[]::new));
		}
		return spec.map(this.rows::read).all();
	}

	/** Leases due jobs that are past submission (to poll, reconcile or download), most overdue first. */
	Flux<Job> claimRunning(String provider, String owner, Instant now, Duration lease, int limit) {
		String sql = "UPDATE jobs SET lease_owner = :owner, lease_until = :lease_until, version = version + 1 "
				+ "WHERE id IN (SELECT id FROM jobs WHERE status IN " + RUNNING_SQL + " AND provider = :provider "
				+ "AND next_attempt_at <= :now AND (lease_until IS NULL OR lease_until < :now) "
				+ "ORDER BY next_attempt_at LIMIT :limit FOR UPDATE SKIP LOCKED) RETURNING " + JobRows.COLUMNS;
		return this.db.sql(sql)
			.bind("owner", owner)
			.bind("lease_until", now.plus(lease))
			.bind("provider", provider)
			.bind("now", now)
			.bind("limit", limit)
			.map(this.rows::read)
			.all();
	}

	/** Generations a provider is running for us, plus queued jobs already leased to be submitted. */
	Mono<Long> countInFlight(String provider, @Nullable String model, Instant now) {
		String sql = "SELECT count(*) AS n FROM jobs WHERE provider = :provider "
				+ ((model != null) ? "AND model = :model " : "")
				+ "AND (status IN " + RUNNING_SQL + " OR (status = 'queued' AND lease_until >= :now))";
		DatabaseClient.GenericExecuteSpec spec = this.db.sql(sql)
			.bind("provider", provider)
			.bind("now", now);
		if (model != null) {
			spec = spec.bind("model", model);
		}
		return spec.map((row) -> row.get("n", Long.class)).one();
	}

	Mono<Long> releaseLeases(String owner) {
		return this.db.sql("UPDATE jobs SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = :owner")
			.bind("owner", owner)
			.fetch()
			.rowsUpdated();
	}

	Mono<Void> insertInput(UUID jobId, ImageUpload upload) {
		return this.db.sql("INSERT INTO job_inputs (job_id, content_type, bytes) VALUES (:job_id, :type, :bytes)")
			.bind("job_id", jobId)
			.bind("type", upload.contentType())
			.bind("bytes", ByteBuffer.wrap(upload.bytes()))
			.then();
	}

	Mono<ImageUpload> findInput(UUID jobId) {
		return this.db.sql("SELECT content_type, bytes FROM job_inputs WHERE job_id = :job_id")
			.bind("job_id", jobId)
			.map((row) -> {
				ByteBuffer buffer = row.get("bytes", ByteBuffer.class);
				byte[] bytes = new byte[buffer.remaining()];
				buffer.get(bytes);
				return new ImageUpload(row.get("content_type", String.class), bytes);
			})
			.one();
	}

	Mono<Void> deleteInput(UUID jobId) {
		return this.db.sql("DELETE FROM job_inputs WHERE job_id = :job_id").bind("job_id", jobId).then();
	}

	/**
	 * Makes active jobs with this remote id due now. A webhook may name only the last segment of an id Reelay keeps
	 * as a path (fal's {@code app/requests/<id>}), so that matches too. No version bump: a worker holding the job
	 * may write its own next time over this one, which is fine, as it has just looked.
	 */
	Mono<Long> makeDue(String provider, String remoteId) {
		return this.db.sql("UPDATE jobs SET next_attempt_at = now() WHERE provider = :provider "
				+ "AND (remote_id = :remote_id OR right(remote_id, length(:remote_id) + 1) = '/' || :remote_id) "
				+ "AND status IN ('submitted', 'in_progress', 'downloading') AND next_attempt_at > now()")
			.bind("provider", provider)
			.bind("remote_id", remoteId)
			.fetch()
			.rowsUpdated();
	}

	/**
	 * Appends an event and announces its id on {@link JobEventLog#CHANNEL}; PostgreSQL delivers the notification
	 * at commit, so listeners never hear of an event they cannot read yet. Runs after the job row's write in the
	 * same transaction, which gives the transaction its id before the event takes its id: the log tail relies on
	 * that to tell a still-open transaction from a rolled-back one.
	 */
	Mono<Long> insertEvent(UUID jobId, JobEventType type, String payload) {
		return this.db.sql("WITH event AS (INSERT INTO job_events (job_id, type, payload) "
				+ "VALUES (:job_id, :type, CAST(:payload AS json)) RETURNING id) "
				+ "SELECT id, pg_notify('" + JobEventLog.CHANNEL + "', id::text)::text AS notified FROM event")
			.bind("job_id", jobId)
			.bind("type", type.wireName())
			.bind("payload", payload)
			.map((row) -> row.get("id", Long.class))
			.one();
	}

	/**
	 * Deletes up to {@code limit} events older than {@code age}, keeping each job's newest event so that a
	 * finished job's stream can still show its final state, and raises the pruned-up-to mark in the same
	 * transaction. Answers how many were deleted.
	 */
	Mono<Long> pruneEvents(Duration age, int limit) {
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

}
