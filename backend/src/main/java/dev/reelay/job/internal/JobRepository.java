package dev.reelay.job.internal;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.reelay.job.ImageUpload;
import dev.reelay.job.Job;
import dev.reelay.job.JobCost;
import dev.reelay.job.JobEventLog;
import dev.reelay.job.JobEventType;
import dev.reelay.job.JobQuery;
import dev.reelay.job.JobQueue;
import dev.reelay.job.JobStatus;
import io.r2dbc.spi.R2dbcException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/** SQL for the jobs table. Every write is guarded by the row's version. */
@Repository
public class JobRepository {

	/** Held jobs (over budget) are due at this instant; the partial indexes of V115 say the same literal. */
	private static final String NOT_HELD = "TIMESTAMPTZ '9999-01-01 00:00:00+00'";

	/**
	 * The running statuses as SQL literals, not a bound array: only a literal list lets the planner match the
	 * partial index {@code jobs_running_due}, which a claim would otherwise replace with a scan of every job.
	 */
	private static final String RUNNING_SQL = JobStatus.running()
		.stream()
		.map((status) -> "'" + status.value() + "'")
		.collect(java.util.stream.Collectors.joining(", ", "(", ")"));

	/**
	 * A claim's condition that the provider is not paused ({@code provider_pauses}, see {@code ProviderPauses}): one
	 * statement instead of a look at the pause and then the claim, which halves the round trips of a claim cycle.
	 */
	private static final String UNLESS_PAUSED = "AND NOT EXISTS (SELECT 1 FROM provider_pauses p "
			+ "WHERE p.provider = :provider AND p.until > :now) ";

	private final DatabaseClient db;

	private final JobRows rows;

	JobRepository(DatabaseClient db, JobRows rows) {
		this.db = db;
		this.rows = rows;
	}

	/**
	 * Inserts new jobs and their {@code job.queued} events in one statement, each job with its idempotency key (or
	 * none), the request hash and its event's payload (the job as admitted: its stamps are {@code at}, so the payload
	 * says what the row holds). The rows are written before any event takes its id, as {@link #updateAll} does. Each
	 * event is announced on {@link JobEventLog#CHANNEL} at commit. Answers the stored rows with their event ids, in no
	 * particular order. The insert counts the jobs into the tenant's queued count (V190), which holds its lock to
	 * commit: a submission runs it as late as it can.
	 */
	public Flux<Written> insertAll(List<NewRow> jobs, Instant at, int maxQueued) {
		// The provider (the job's route) is one of the STATE columns: a job may move to another route.
		String sql = "WITH v AS (SELECT * FROM json_to_recordset(CAST(:rows AS json)) AS v("
				+ JobRows.recordColumns("id uuid, tenant_id uuid, model text, prompt text, parameters jsonb, "
						+ "priority integer, not_before timestamptz, idempotency_key text, request_hash text, "
						+ "ord integer, payload text")
				// For the trigger that counts the jobs in (V190): the quota it holds the tenant to.
				+ "), (SELECT set_config('reelay.max_queued_jobs', :max_queued, true)) AS quota), "
				+ "inserted AS (INSERT INTO jobs (id, tenant_id, model, prompt, parameters, priority, not_before, "
				+ "idempotency_key, request_hash, created_at, updated_at, " + String.join(", ", JobRows.STATE.keySet())
				+ ") SELECT id, tenant_id, model, prompt, parameters, priority, not_before, idempotency_key, "
				+ "request_hash, :at, :at, " + String.join(", ", JobRows.STATE.keySet())
				+ " FROM v ORDER BY ord RETURNING " + JobRows.COLUMNS + "), "
				+ "event AS (INSERT INTO job_events (job_id, type, payload) SELECT i.id, :type, CAST(v.payload AS json) "
				+ "FROM inserted i JOIN v ON v.id = i.id ORDER BY v.ord RETURNING id AS event_id, job_id) "
				+ "SELECT " + JobRows.COLUMNS + ", event_id, pg_notify('" + JobEventLog.CHANNEL
				+ "', event_id::text)::text AS notified FROM inserted JOIN event ON event.job_id = inserted.id";
		List<Map<String, @Nullable Object>> rows = new ArrayList<>(jobs.size());
		for (NewRow row : jobs) {
			Job job = row.job();
			Map<String, @Nullable Object> values = this.rows.state(job);
			values.put("id", job.id());
			values.put("tenant_id", job.tenantId());
			values.put("model", job.model());
			values.put("prompt", job.prompt());
			values.put("parameters", job.parameters());
			values.put("priority", job.priority());
			values.put("not_before", JobRows.timestamp(job.notBefore()));
			values.put("idempotency_key", row.idempotencyKey());
			values.put("request_hash", row.requestHash());
			values.put("ord", rows.size());
			values.put("payload", row.eventPayload());
			rows.add(values);
		}
		return this.db.sql(sql)
			.bind("rows", this.rows.json(rows))
			.bind("at", at)
			.bind("type", JobEventType.QUEUED.wireName())
			.bind("max_queued", Integer.toString(maxQueued))
			.map((row) -> new Written(this.rows.read(row), row.get("event_id", Long.class)))
			.all()
			.onErrorMap(QueuedQuotaExceeded::matches, QueuedQuotaExceeded::of);
	}

	/** The insert of {@link #insertAll} took the tenant past its queued quota; {@code queuedBefore} it had. */
	public static final class QueuedQuotaExceeded extends RuntimeException {

		private static final String SQL_STATE = "RQ001";

		private static final Pattern QUEUED = Pattern.compile("queued quota exceeded: (\\d+) queued");

		private final long queuedBefore;

		private QueuedQuotaExceeded(long queuedBefore, Throwable cause) {
			super("queued quota exceeded", cause);
			this.queuedBefore = queuedBefore;
		}

		public long queuedBefore() {
			return this.queuedBefore;
		}

		static boolean matches(Throwable error) {
			return refusal(error) != null;
		}

		static QueuedQuotaExceeded of(Throwable error) {
			R2dbcException refusal = refusal(error);
			Matcher queued = QUEUED.matcher(String.valueOf(refusal.getMessage()));
			return new QueuedQuotaExceeded(queued.find() ? Long.parseLong(queued.group(1)) : 0, error);
		}

		private static @Nullable R2dbcException refusal(Throwable error) {
			for (Throwable cause = error; cause != null; cause = cause.getCause()) {
				if (cause instanceof R2dbcException r2dbc && SQL_STATE.equals(r2dbc.getSqlState())) {
					return r2dbc;
				}
			}
			return null;
		}

	}

	public record NewRow(Job job, @Nullable String idempotencyKey, @Nullable String requestHash, String eventPayload) {
	}

	/**
	 * The jobs {@code tenant}'s idempotency key created (one, or a whole batch), oldest first, with the hash of
	 * their request.
	 */
	public Flux<KeyedJob> findByIdempotencyKey(UUID tenant, String key) {
		return this.db.sql("SELECT " + JobRows.COLUMNS + ", request_hash FROM jobs WHERE tenant_id = :tenant "
				// A batch's keys are "<key>#<n>": every key starting with "<key>#" lies in ["<key>#", "<key>$") in byte
				// order, a range jobs_idempotency_key_bytes serves (a LIKE with a bound pattern uses no index).
				+ "AND (idempotency_key = :key OR (idempotency_key COLLATE \"C\" >= :from "
				+ "AND idempotency_key COLLATE \"C\" < :to)) ORDER BY created_at, idempotency_key")
			.bind("tenant", tenant)
			.bind("key", key)
			.bind("from", key + "#")
			.bind("to", key + "$")
			.map((row) -> new KeyedJob(this.rows.read(row), row.get("request_hash", String.class)))
			.all();
	}

	/** {@code tenant}'s newest job made from the request with this hash since {@code since}, if any. */
	public Mono<Job> findNewestWithHash(UUID tenant, String requestHash, Instant since) {
		return this.db.sql("SELECT " + JobRows.COLUMNS + " FROM jobs WHERE tenant_id = :tenant AND created_at >= :since "
				+ "AND request_hash = :hash AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1")
			.bind("tenant", tenant)
			.bind("since", since)
			.bind("hash", requestHash)
			.map(this.rows::read)
			.one();
	}

	public record KeyedJob(Job job, @Nullable String requestHash) {
	}

	/** {@code tenant}'s job unless it was deleted. */
	public Mono<Job> findLive(UUID tenant, UUID id) {
		return this.db.sql("SELECT " + JobRows.COLUMNS + " FROM jobs WHERE id = :id AND tenant_id = :tenant "
				+ "AND deleted_at IS NULL")
			.bind("id", id)
			.bind("tenant", tenant)
			.map(this.rows::read)
			.one();
	}

	/**
	 * Turns an ended job still at {@code ended.version()} and not leased into a tombstone (prompt, stored video and
	 * uploaded image gone, {@code deleted_at} set) and appends its {@code job.deleted} event, in one statement.
	 * Answers the event's id; empty when the row moved on, is leased or was deleted already.
	 */
	public Mono<Long> delete(Job ended, Instant at, String payload) {
		String sql = "WITH gone AS (UPDATE jobs SET deleted_at = :at, prompt = '', content_path = NULL, "
				+ "content_type = NULL, content_length = NULL, content_sha256 = NULL, thumbnail = NULL, "
				+ "updated_at = :at, version = version + 1 WHERE id = :id AND version = :version AND deleted_at IS NULL "
				+ "AND status IN ('completed', 'failed', 'canceled') AND (lease_until IS NULL OR lease_until < :at) "
				+ "RETURNING id), inputs AS (DELETE FROM job_inputs WHERE job_id IN (SELECT id FROM gone)), "
				+ "event AS (INSERT INTO job_events (job_id, type, payload) SELECT id, :type, CAST(:payload AS json) "
				+ "FROM gone RETURNING id) SELECT id, pg_notify('" + JobEventLog.CHANNEL + "', id::text)::text "
				+ "AS notified FROM event";
		return this.db.sql(sql)
			.bind("at", at)
			.bind("id", ended.id())
			.bind("version", ended.version())
			.bind("type", JobEventType.DELETED.wireName())
			.bind("payload", payload)
			.map((row) -> row.get("id", Long.class))
			.one();
	}

	public Mono<Job> findById(UUID id) {
		return this.db.sql("SELECT " + JobRows.COLUMNS + " FROM jobs WHERE id = :id")
			.bind("id", id)
			.map(this.rows::read)
			.one();
	}

	/**
	 * Writes each change whose row is still at its {@code job().version()}, with its event, in one statement (and so
	 * one transaction): the job rows, the uploaded image of every job a change ends, then the events in the order
	 * given, each announced on {@link JobEventLog#CHANNEL} at commit. The rows are written before any event takes
	 * its id, which gives the transaction its id first: the log tail relies on that to tell a still-open
	 * transaction from a rolled-back one. Every row is stamped {@code at}. Answers the rows written with their
	 * event ids, in no particular order; a change missing from the answer lost to another writer (and appended no
	 * event). The changes must be of distinct jobs.
	 */
	Flux<Written> updateAll(List<Write> writes, Instant at) {
		// Progress never goes down, whatever a change says: the write keeps the higher of the two.
		String set = JobRows.STATE.keySet()
			.stream()
			.map((column) -> column.equals("progress") ? "progress = GREATEST(j.progress, v.progress)"
					: column + " = v." + column)
			.collect(Collectors.joining(", "));
		String sql = "WITH v AS (SELECT * FROM json_to_recordset(CAST(:rows AS json)) AS v("
				+ JobRows.recordColumns("id uuid, version bigint, terminal boolean, release_lease boolean, "
						+ "ending boolean, ord integer, event text, payload text")
				+ ")), updated AS (UPDATE jobs j SET " + set + ", updated_at = :at, version = j.version + 1, "
				+ "completed_at = CASE WHEN v.terminal THEN :at ELSE j.completed_at END, "
				+ "lease_owner = CASE WHEN v.release_lease THEN NULL ELSE j.lease_owner END, "
				+ "lease_until = CASE WHEN v.release_lease THEN NULL ELSE j.lease_until END "
				+ "FROM v WHERE j.id = v.id AND j.version = v.version RETURNING j.*, v.ending, v.ord, v.event, v.payload), "
				// An uploaded image is needed only until the job ends.
				+ "gone AS (DELETE FROM job_inputs WHERE job_id IN (SELECT id FROM updated WHERE ending)), "
				+ "event AS (INSERT INTO job_events (job_id, type, payload) SELECT id, event, CAST(payload AS json) "
				+ "FROM updated WHERE event IS NOT NULL ORDER BY ord RETURNING id AS event_id, job_id) "
				+ "SELECT " + JobRows.COLUMNS + ", event_id, CASE WHEN event_id IS NOT NULL THEN pg_notify('"
				+ JobEventLog.CHANNEL + "', event_id::text)::text END AS notified FROM updated LEFT JOIN event "
				+ "ON event.job_id = updated.id";
		List<Map<String, @Nullable Object>> rows = new ArrayList<>(writes.size());
		for (Write write : writes) {
			JobChange change = write.change();
			Job job = change.job();
			Map<String, @Nullable Object> values = this.rows.state(job);
			values.put("id", job.id());
			values.put("version", job.version());
			values.put("terminal", job.status().isTerminal());
			values.put("release_lease", change.releaseLease());
			values.put("ending", change.ending());
			values.put("ord", rows.size());
			values.put("event", (change.event() != null) ? change.event().wireName() : null);
			values.put("payload", write.payload());
			rows.add(values);
		}
		return this.db.sql(sql)
			.bind("rows", this.rows.json(rows))
			.bind("at", at)
			.map((row) -> new Written(this.rows.read(row), row.get("event_id", Long.class)))
			.all();
	}

	/** A change and its event's payload (null when it appends none). */
	record Write(JobChange change, @Nullable String payload) {
	}

	/** A job as stored and the id of the event appended with it, if any. */
	public record Written(Job job, @Nullable Long eventId) {
	}

	/**
	 * {@code tenant}'s jobs that match {@code query}, in its order, deleted ones left out; the cursor is the last job
	 * of the previous page. A search is a case-insensitive substring match of the prompt, served by the trigram index
	 * of V135.
	 */
	public Flux<Job> page(UUID tenant, JobQuery query, @Nullable JobCursor after, int limit) {
		StringBuilder sql = new StringBuilder(
				"SELECT " + JobRows.COLUMNS + " FROM jobs WHERE tenant_id = :tenant AND deleted_at IS NULL");
		if (query.statuses() != null) {
			sql.append(" AND status = ANY(:statuses)");
		}
		if (query.model() != null) {
			sql.append(" AND model = :model");
		}
		String pattern = query.likePattern();
		if (pattern != null) {
			sql.append(" AND prompt ILIKE :pattern");
		}
		if (after != null) {
			sql.append(query.oldestFirst() ? " AND (created_at, id) > (:after_created, :after_id)"
					: " AND (created_at, id) < (:after_created, :after_id)");
		}
		sql.append(query.oldestFirst() ? " ORDER BY created_at, id" : " ORDER BY created_at DESC, id DESC");
		sql.append(" LIMIT :limit");
		DatabaseClient.GenericExecuteSpec spec = this.db.sql(sql.toString()).bind("tenant", tenant).bind("limit", limit);
		if (query.statuses() != null) {
			spec = spec.bind("statuses", query.statuses().stream().map(JobStatus::value).toArray(String[]::new));
		}
		if (query.model() != null) {
			spec = spec.bind("model", query.model());
		}
		if (pattern != null) {
			spec = spec.bind("pattern", pattern);
		}
		if (after != null) {
			spec = spec.bind("after_created", after.createdAt()).bind("after_id", after.id());
		}
		return spec.map(this.rows::read).all();
	}

	/**
	 * Leases up to {@code limit} queued jobs of one provider (and model, when given), taking turns across tenants,
	 * so that a tenant with thousands of queued jobs does not make another wait behind all of them. A job's turn is
	 * its tenant's jobs in flight (at a provider, or queued and leased to be submitted) plus its place in its
	 * tenant's own order (highest priority, then oldest): the tenant with the least in flight goes first, and a
	 * claim of one job at a time alternates between tenants as well as a large claim does. Within a turn, priority
	 * then age decide. A tenant with {@code maxInFlight} jobs in flight gets nothing; one with fewer gets at most
	 * the difference. SKIP LOCKED lets several instances claim at once without waiting on each other; the version
	 * bump makes a stale holder's later write fail.
	 */
	Flux<Job> claimQueued(String provider, @Nullable String model, Collection<String> exceptModels, String owner,
			Instant now, Duration lease, int limit, int maxInFlight) {
		return claimQueued(provider, model, exceptModels, owner, now, lease, limit, maxInFlight, false);
	}

	/** As above; with {@code unlessPaused}, claims nothing while the provider is paused (checked in the same statement). */
	Flux<Job> claimQueued(String provider, @Nullable String model, Collection<String> exceptModels, String owner,
			Instant now, Duration lease, int limit, int maxInFlight, boolean unlessPaused) {
		return claimQueued(provider, null, model, exceptModels, owner, now, lease, limit, maxInFlight, unlessPaused);
	}

	/**
	 * Leases, as {@link #claimQueued}, queued jobs of {@code model} waiting on any of {@code from} (other routes of
	 * the model, which could not take them now) and moves them to {@code to}: their route from now on. A job is
	 * never moved back to a route it was already sent to, nor moved at all when it remixes a video (its source's
	 * provider is the only one that knows it). Nothing while {@code to} is paused.
	 */
	Flux<Job> claimQueuedMoving(String model, JobQueue.Move move, String to, String owner, Instant now,
			Duration lease, int limit, int maxInFlight) {
		return claimQueued(to, move, model, List.of(), owner, now, lease, limit, maxInFlight, true);
	}

	private Flux<Job> claimQueued(String provider, JobQueue.@Nullable Move move, @Nullable String model,
			Collection<String> exceptModels, String owner, Instant now, Duration lease, int limit, int maxInFlight,
			boolean unlessPaused) {
		String sql = claimQueuedSql(move, model != null, !exceptModels.isEmpty(), unlessPaused);
		DatabaseClient.GenericExecuteSpec spec = this.db.sql(sql)
			.bind("owner", owner)
			.bind("lease_until", now.plus(lease))
			.bind("provider", provider)
			.bind("now", now)
			.bind("limit", limit)
			.bind("max_in_flight", maxInFlight);
		if (model != null) {
			spec = spec.bind("model", model);
		}
		if (!exceptModels.isEmpty()) {
			spec = spec.bind("except_models", exceptModels.toArray(String[]::new));
		}
		if (move != null) {
			spec = spec.bind("from_providers", move.from().toArray(String[]::new))
				.bind("shapes", move.shapes().toArray(String[]::new))
				.bind("due_before", move.dueBefore());
		}
		return spec.map(this.rows::read).all();
	}

	/** The statement of {@link #claimQueued}: with a model, without some models, unless paused. */
	static String claimQueuedSql(boolean byModel, boolean exceptModels, boolean unlessPaused) {
		return claimQueuedSql(null, byModel, exceptModels, unlessPaused);
	}

	/** As above; with a {@code move}, the jobs other routes of the model could not take, moved to this one. */
	private static String claimQueuedSql(JobQueue.@Nullable Move move, boolean byModel, boolean exceptModels,
			boolean unlessPaused) {
		boolean moving = move != null;
		String eligible = "q.status = 'queued' "
				+ (moving ? "AND q.provider = ANY(:from_providers) AND (q.route_attempts -> :provider) IS NULL "
						+ "AND q.next_attempt_at <= :due_before "
						+ "AND q.parameters->>'remix_of' IS NULL "
						+ "AND (q.parameters->>'resolution') || '/' || (q.parameters->>'duration_seconds') = ANY(:shapes) "
						+ (move.takesImageUrls() ? "" : "AND q.parameters->'image'->>'url' IS NULL ")
						+ (move.takesImageUploads() ? "" : "AND (q.parameters->'image' IS NULL "
								+ "OR jsonb_typeof(q.parameters->'image') = 'null' OR q.parameters->'image'->>'url' IS NOT NULL) ")
						: "AND q.provider = :provider ")
				+ (byModel ? "AND q.model = :model " : "")
				+ (exceptModels ? "AND q.model <> ALL(:except_models) " : "")
				+ "AND q.next_attempt_at <= :now AND (q.lease_until IS NULL OR q.lease_until < :now) "
				// Always true next to the line above (held jobs are due 9999-01-01, never reached): it lets the claim
				// use the indexes that leave held jobs out (V115), instead of walking them on every claim.
				+ "AND q.next_attempt_at < " + NOT_HELD + " ";
		// Driven by the tenants table: one probe of jobs_queued_due_by_tenant per tenant, then, for each tenant that has
		// work, its in-flight count (OFFSET 0 keeps it to once per tenant instead of once per candidate) and at most
		// `limit` candidates, so the cost follows the number of tenants and the claim size, never the backlog. The
		// candidates are ranked (their turn) in a subquery, as FOR UPDATE cannot sit beside a window function; the
		// outer level locks what it takes and re-checks each row it locks. A constant LIMIT on the candidates keeps
		// the planner's estimate small, so it joins them back by primary key instead of hashing the whole queue.
		return "UPDATE jobs SET lease_owner = :owner, lease_until = :lease_until, version = version + 1 "
				+ (moving ? ", provider = :provider " : "")
				+ "WHERE id IN (SELECT j.id FROM (SELECT c.id, h.in_flight + c.turn AS turn, c.priority, c.created_at "
				+ "FROM tenants t CROSS JOIN LATERAL (SELECT (SELECT count(*) FROM (SELECT 1 FROM jobs r "
				+ "WHERE r.tenant_id = t.id AND r.status IN " + RUNNING_SQL + " LIMIT :max_in_flight) AS running) "
				+ "+ (SELECT count(*) FROM (SELECT 1 FROM jobs l WHERE l.tenant_id = t.id AND l.status = 'queued' "
				+ "AND l.lease_until >= :now LIMIT :max_in_flight) AS leased) AS in_flight OFFSET 0) AS h "
				+ "CROSS JOIN LATERAL (SELECT u.id, u.priority, u.created_at, row_number() OVER (ORDER BY u.priority DESC, "
				+ "u.created_at, u.id) AS turn FROM ("
				// Unscheduled jobs in claim order (V161's jobs_queued_claimable_by_tenant): due now or soon (a retry's
				// wait), so the walk to a claim's worth of due ones is short.
				+ "(SELECT q.id, q.priority, q.created_at FROM jobs q WHERE q.tenant_id = t.id AND " + eligible
				+ "AND q.not_before IS NULL ORDER BY q.priority DESC, q.created_at, q.id LIMIT :limit) UNION ALL "
				// Scheduled ones (not_before) by due time (jobs_queued_scheduled_by_tenant): those weeks ahead are
				// never reached, however many and whatever their priority. The earliest due are ranked with the rest.
				+ "(SELECT q.id, q.priority, q.created_at FROM jobs q WHERE q.tenant_id = t.id AND " + eligible
				+ "AND q.not_before IS NOT NULL ORDER BY q.next_attempt_at, q.priority DESC, q.created_at, q.id "
				+ "LIMIT :limit)) AS u ORDER BY u.priority DESC, u.created_at, u.id LIMIT :limit) AS c "
				+ "WHERE EXISTS (SELECT 1 FROM jobs q WHERE q.tenant_id = t.id AND " + eligible + ") "
				+ "AND h.in_flight + c.turn <= :max_in_flight) AS pick "
				+ "JOIN jobs j ON j.id = pick.id WHERE j.status = 'queued' AND j.next_attempt_at <= :now "
				+ "AND (j.lease_until IS NULL OR j.lease_until < :now) "
				+ (unlessPaused ? UNLESS_PAUSED : "")
				+ "ORDER BY pick.turn, pick.priority DESC, pick.created_at, pick.id LIMIT :limit "
				+ "FOR UPDATE OF j SKIP LOCKED) RETURNING " + JobRows.COLUMNS;
	}

	/**
	 * Takes {@code tenant}'s submission lock (its shard-0 queued count row, see V190) until the transaction ends, so
	 * that a submission still being stored (past its insert) is waited for: what a retried create runs before it
	 * looks for the job its first attempt made.
	 */
	public Mono<Void> lockSubmissions(UUID tenant) {
		return this.db.sql("INSERT INTO tenant_queued_jobs AS t (tenant_id, shard, queued) VALUES (:tenant, 0, 0) "
				+ "ON CONFLICT (tenant_id, shard) DO UPDATE SET queued = t.queued")
			.bind("tenant", tenant)
			.then();
	}

	/** Leases due jobs that are past submission (to poll, reconcile or download), most overdue first. */
	Flux<Job> claimRunning(String provider, String owner, Instant now, Duration lease, int limit,
			boolean unlessPaused) {
		return lease("status IN " + RUNNING_SQL, provider, owner, now, lease, limit, unlessPaused);
	}

	/**
	 * Leases due jobs canceled while their create was out unanswered (see {@link Job.Changes#canceled}), most
	 * overdue first: the partial index {@code jobs_canceled_create_in_doubt} (V160) holds only those.
	 */
	Flux<Job> claimCanceledInDoubt(String provider, String owner, Instant now, Duration lease, int limit,
			boolean unlessPaused) {
		return lease("status = 'canceled' AND remote_id IS NULL AND submit_started_at IS NOT NULL AND next_attempt_at < "
				+ NOT_HELD, provider, owner, now, lease, limit, unlessPaused);
	}

	/** Leases up to {@code limit} of {@code provider}'s due, unleased jobs that also match {@code which}. */
	private Flux<Job> lease(String which, String provider, String owner, Instant now, Duration lease, int limit,
			boolean unlessPaused) {
		String sql = "UPDATE jobs SET lease_owner = :owner, lease_until = :lease_until, version = version + 1 "
				+ "WHERE id IN (SELECT id FROM jobs WHERE " + which + " AND provider = :provider "
				+ "AND next_attempt_at <= :now AND (lease_until IS NULL OR lease_until < :now) "
				+ (unlessPaused ? UNLESS_PAUSED : "")
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

	/**
	 * Writes when a canceled job is due again ({@link Job#NEVER_DUE}: never) and its retries, letting go of its lease,
	 * if its row is still at the job's version; empty when it moved on.
	 */
	Mono<Job> rescheduleCanceled(Job canceled, Instant due, int stepRetries) {
		return this.db.sql("UPDATE jobs SET next_attempt_at = :due, step_retries = :retries, lease_owner = NULL, "
				+ "lease_until = NULL, version = version + 1, updated_at = now() WHERE id = :id AND version = :version "
				+ "AND status = 'canceled' RETURNING " + JobRows.COLUMNS)
			.bind("due", due)
			.bind("retries", stepRetries)
			.bind("id", canceled.id())
			.bind("version", canceled.version())
			.map(this.rows::read)
			.one();
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

	/**
	 * Writes the remote id (and the actual cost) of an ended job that has none, if its row is still at the job's
	 * version; empty when it moved on.
	 */
	public Mono<Job> recordRemoteIdAfterEnd(Job ended) {
		JobCost cost = ended.cost();
		return this.db.sql("UPDATE jobs SET remote_id = :remote_id, actual_cost = "
				+ ((cost != null && cost.actual() != null) ? ":actual" : "actual_cost")
				+ ", version = version + 1, updated_at = now() WHERE id = :id AND version = :version "
				+ "AND remote_id IS NULL AND status IN ('completed', 'failed', 'canceled') RETURNING " + JobRows.COLUMNS)
			.bind("remote_id", java.util.Objects.requireNonNull(ended.remoteId()))
			.bind("id", ended.id())
			.bind("version", ended.version())
			.bindValues((cost != null && cost.actual() != null) ? Map.of("actual", cost.actual()) : Map.of())
			.map(this.rows::read)
			.one();
	}

	/** Which of {@code remoteIds} at {@code provider} belong to a job other than {@code except}. */
	Flux<String> remoteIdsHeldByOthers(String provider, Collection<String> remoteIds, UUID except) {
		return this.db.sql("SELECT remote_id FROM jobs WHERE provider = :provider AND remote_id = ANY(:ids) AND id <> :except")
			.bind("provider", provider)
			.bind("ids", remoteIds.toArray(String[]::new))
			.bind("except", except)
			.map((row) -> row.get("remote_id", String.class))
			.all();
	}

	/**
	 * When other jobs of the same request (provider, model, prompt) that hold no remote id sent a create, between
	 * {@code from} and {@code until}: their creates could have started a generation too. The partial index
	 * {@code jobs_creates_without_remote_id} keeps this to the few jobs whose create went unanswered or is on the wire.
	 */
	Flux<Instant> createsWithoutRemoteId(String provider, String model, String prompt, UUID except, Instant from,
			Instant until) {
		return this.db.sql("SELECT submit_started_at FROM jobs WHERE provider = :provider AND md5(prompt) = md5(:prompt) "
				+ "AND prompt = :prompt AND model = :model AND remote_id IS NULL AND submit_started_at IS NOT NULL "
				+ "AND submit_started_at BETWEEN :from AND :until AND id <> :except")
			.bind("provider", provider)
			.bind("prompt", prompt)
			.bind("model", model)
			.bind("from", from)
			.bind("until", until)
			.bind("except", except)
			.map((row) -> row.get("submit_started_at", Instant.class))
			.all();
	}

	Mono<Long> releaseLeases(String owner) {
		return this.db.sql("UPDATE jobs SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = :owner")
			.bind("owner", owner)
			.fetch()
			.rowsUpdated();
	}

	/**
	 * Extends a lease that is still exactly as its holder last saw it ({@code owner} and {@code current}); answers
	 * the new end, or nothing when the lease was released, taken over or renewed by someone else. No version bump:
	 * the holder's own writes stay valid, while a claim by anyone else still bumps it.
	 */
	Mono<Instant> renewLease(UUID id, String owner, Instant current, Instant until) {
		return this.db.sql("UPDATE jobs SET lease_until = :until WHERE id = :id AND lease_owner = :owner "
				+ "AND lease_until = :current RETURNING lease_until")
			.bind("until", until)
			.bind("id", id)
			.bind("owner", owner)
			.bind("current", current)
			.map((row) -> row.get("lease_until", Instant.class))
			.one();
	}

	/** Lets go of one lease if it is still exactly as its holder last saw it; answers whether it did. */
	Mono<Boolean> releaseLease(UUID id, String owner, Instant current) {
		return this.db.sql("UPDATE jobs SET lease_owner = NULL, lease_until = NULL WHERE id = :id "
				+ "AND lease_owner = :owner AND lease_until = :current")
			.bind("id", id)
			.bind("owner", owner)
			.bind("current", current)
			.fetch()
			.rowsUpdated()
			.map((updated) -> updated > 0);
	}

	public Mono<Void> insertInput(UUID jobId, ImageUpload upload) {
		return this.db.sql("INSERT INTO job_inputs (job_id, content_type, bytes) VALUES (:job_id, :type, :bytes)")
			.bind("job_id", jobId)
			.bind("type", upload.contentType())
			.bind("bytes", ByteBuffer.wrap(upload.bytes()))
			.then();
	}

	public Mono<ImageUpload> findInput(UUID jobId) {
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

}
