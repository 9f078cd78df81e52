package dev.reelay.budget;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Repository;

/** SQL for budgets, the monthly spend rows, the ledger and held jobs. */
@Repository
class BudgetRepository {

	private final DatabaseClient db;

	BudgetRepository(DatabaseClient db) {
		this.db = db;
	}

	/** The budget row of a tenant; empty when none was ever set (its limit is then the default). */
	Mono<Limit> limit(UUID tenant) {
		return this.db.sql("SELECT monthly_limit FROM budget_limits WHERE tenant_id = :tenant")
			.bind("tenant", tenant)
			.map((row) -> new Limit(row.get("monthly_limit", BigDecimal.class)))
			.one();
	}

	Mono<Boolean> tenantExists(UUID tenant) {
		return this.db.sql("SELECT count(*) AS n FROM tenants WHERE id = :tenant")
			.bind("tenant", tenant)
			.map((row) -> row.get("n", Long.class) > 0)
			.one();
	}

	/** Sets (or, with null, lifts) a tenant's budget; answers false when there is no such tenant. */
	Mono<Boolean> setLimit(UUID tenant, @Nullable BigDecimal monthlyLimit) {
		return this.db.sql("INSERT INTO budget_limits (tenant_id, monthly_limit) SELECT id, :limit FROM tenants "
				+ "WHERE id = :tenant ON CONFLICT (tenant_id) DO UPDATE SET monthly_limit = EXCLUDED.monthly_limit, "
				+ "updated_at = now()")
			.bind("tenant", tenant)
			.bind("limit", Parameter.fromOrEmpty(monthlyLimit, BigDecimal.class))
			.fetch()
			.rowsUpdated()
			.map((rows) -> rows > 0);
	}

	/**
	 * Adds {@code amount} to the month's reservations if that keeps reserved + settled within {@code limit} (none:
	 * no limit). The UPDATE takes the row lock, so concurrent reservations of one tenant and month run one after
	 * the other, each seeing the last one's total.
	 */
	Mono<Boolean> reserve(UUID tenant, LocalDate month, BigDecimal amount, @Nullable BigDecimal limit) {
		Mono<Long> row = this.db.sql("INSERT INTO budget_spend (tenant_id, month) VALUES (:tenant, :month) "
				+ "ON CONFLICT (tenant_id, month) DO NOTHING")
			.bind("tenant", tenant)
			.bind("month", month)
			.fetch()
			.rowsUpdated();
		DatabaseClient.GenericExecuteSpec add = this.db.sql("UPDATE budget_spend SET reserved = reserved + :amount "
				+ "WHERE tenant_id = :tenant AND month = :month"
				+ ((limit != null) ? " AND reserved + settled + :amount <= :limit" : ""))
			.bind("tenant", tenant)
			.bind("month", month)
			.bind("amount", amount);
		if (limit != null) {
			add = add.bind("limit", limit);
		}
		return row.then(add.fetch().rowsUpdated()).map((rows) -> rows > 0);
	}

	/**
	 * Reserves {@code amount} (the sum of {@code entries}) in the tenant's {@code month}, writing each job's ledger
	 * row and open reservation, in one statement, if that keeps reserved + settled within the tenant's limit (its
	 * budget row's, else {@code defaultLimit}; none: no limit). Answers whether it did; when not, nothing was written.
	 * The spend row is locked only from this statement to commit, so a submission runs it last; its lock makes
	 * concurrent reservations of one tenant and month check the limit one after the other, each against the last
	 * one's total (ON CONFLICT re-reads the row it locked). With no limit and nothing to add the row is not touched,
	 * so free jobs of a tenant without a budget never wait for each other.
	 */
	Mono<Boolean> reserveAll(UUID tenant, LocalDate month, BigDecimal amount, @Nullable BigDecimal defaultLimit,
			List<LedgerEntry> entries) {
		String sql = "WITH lim AS (SELECT CASE WHEN b.tenant_id IS NULL THEN CAST(:default_limit AS numeric) "
				+ "ELSE b.monthly_limit END AS monthly_limit FROM (SELECT 1) AS one "
				+ "LEFT JOIN budget_limits b ON b.tenant_id = :tenant), "
				+ "spend AS (INSERT INTO budget_spend AS s (tenant_id, month, reserved) SELECT :tenant, :month, :amount "
				+ "FROM lim WHERE (lim.monthly_limit IS NOT NULL OR :amount > 0) "
				+ "AND (lim.monthly_limit IS NULL OR :amount <= lim.monthly_limit) "
				+ "ON CONFLICT (tenant_id, month) DO UPDATE SET reserved = s.reserved + EXCLUDED.reserved "
				+ "WHERE (SELECT monthly_limit FROM lim) IS NULL "
				+ "OR s.reserved + s.settled + EXCLUDED.reserved <= (SELECT monthly_limit FROM lim) RETURNING 1), "
				+ "fits AS (SELECT 1 FROM lim WHERE (lim.monthly_limit IS NULL AND :amount = 0) "
				+ "OR EXISTS (SELECT 1 FROM spend)), "
				+ "v AS (SELECT * FROM unnest(CAST(:jobs AS uuid[]), CAST(:models AS text[]), CAST(:amounts AS text[]), "
				+ "CAST(:currencies AS text[])) AS v(job_id, model, amount, currency)), "
				+ "ledger AS (INSERT INTO budget_ledger (job_id, tenant_id, month, model, kind, amount, currency) "
				+ "SELECT v.job_id, :tenant, :month, v.model, 'reservation', CAST(v.amount AS numeric), v.currency FROM v "
				+ "WHERE EXISTS (SELECT 1 FROM fits) ON CONFLICT (job_id, kind) DO NOTHING), "
				+ "opened AS (INSERT INTO budget_open_reservations (job_id, tenant_id, month, amount) "
				+ "SELECT v.job_id, :tenant, :month, CAST(v.amount AS numeric) FROM v WHERE EXISTS (SELECT 1 FROM fits)) "
				+ "SELECT EXISTS (SELECT 1 FROM fits) AS fits";
		return this.db.sql(sql)
			.bind("tenant", tenant)
			.bind("month", month)
			.bind("amount", amount)
			.bind("default_limit", Parameter.fromOrEmpty(defaultLimit, BigDecimal.class))
			.bind("jobs", entries.stream().map(LedgerEntry::jobId).toArray(UUID[]::new))
			.bind("models", entries.stream().map(LedgerEntry::model).toArray(String[]::new))
			.bind("amounts", entries.stream().map((entry) -> entry.amount().toPlainString()).toArray(String[]::new))
			.bind("currencies", entries.stream().map(LedgerEntry::currency).toArray(String[]::new))
			.map((row) -> row.get("fits", Boolean.class))
			.one();
	}

	/** Moves a job's reservation out and its actual cost in. */
	Mono<Void> settle(UUID tenant, LocalDate month, BigDecimal reserved, BigDecimal actual) {
		return this.db.sql("UPDATE budget_spend SET reserved = greatest(reserved - :reserved, 0), "
				+ "settled = settled + :actual WHERE tenant_id = :tenant AND month = :month")
			.bind("tenant", tenant)
			.bind("month", month)
			.bind("reserved", reserved)
			.bind("actual", actual)
			.then();
	}

	Mono<Spend> spend(UUID tenant, LocalDate month) {
		return this.db.sql("SELECT reserved, settled FROM budget_spend WHERE tenant_id = :tenant AND month = :month")
			.bind("tenant", tenant)
			.bind("month", month)
			.map((row) -> new Spend(row.get("reserved", BigDecimal.class), row.get("settled", BigDecimal.class)))
			.one()
			.defaultIfEmpty(new Spend(BigDecimal.ZERO, BigDecimal.ZERO));
	}

	/** Writes a ledger row unless the job has one of that kind already; answers whether it wrote one. */
	Mono<Boolean> record(LedgerEntry entry) {
		return this.db.sql("INSERT INTO budget_ledger (job_id, tenant_id, month, model, kind, amount, currency) "
				+ "VALUES (:job, :tenant, :month, :model, :kind, :amount, :currency) ON CONFLICT (job_id, kind) DO NOTHING")
			.bind("job", entry.jobId())
			.bind("tenant", entry.tenantId())
			.bind("month", entry.month())
			.bind("model", entry.model())
			.bind("kind", entry.kind())
			.bind("amount", entry.amount())
			.bind("currency", entry.currency())
			.fetch()
			.rowsUpdated()
			.map((rows) -> rows > 0);
	}

	Mono<Void> open(UUID jobId, UUID tenant, LocalDate month, BigDecimal amount) {
		return this.db.sql("INSERT INTO budget_open_reservations (job_id, tenant_id, month, amount) "
				+ "VALUES (:job, :tenant, :month, :amount)")
			.bind("job", jobId)
			.bind("tenant", tenant)
			.bind("month", month)
			.bind("amount", amount)
			.then();
	}

	/**
	 * Closes the job's open reservation and answers it (the month it counts against and the amount); empty when
	 * it has none or another transaction closed it first (the row lock makes that one wait, then find nothing).
	 */
	Mono<OpenReservation> close(UUID jobId) {
		return this.db.sql("DELETE FROM budget_open_reservations WHERE job_id = :job RETURNING month, amount")
			.bind("job", jobId)
			.map((row) -> new OpenReservation(row.get("month", LocalDate.class), row.get("amount", BigDecimal.class)))
			.one();
	}

	/** The job's settlement: the month it counted in and the amount; empty while it has none. */
	Mono<OpenReservation> settlement(UUID jobId) {
		return this.db.sql("SELECT month, amount FROM budget_ledger WHERE job_id = :job AND kind = 'settlement'")
			.bind("job", jobId)
			.map((row) -> new OpenReservation(row.get("month", LocalDate.class), row.get("amount", BigDecimal.class)))
			.one();
	}

	/** Adds {@code difference} (either sign) to what the tenant's month has settled. */
	Mono<Void> adjust(UUID tenant, LocalDate month, BigDecimal difference) {
		return this.db.sql("UPDATE budget_spend SET settled = greatest(settled + :difference, 0) "
				+ "WHERE tenant_id = :tenant AND month = :month")
			.bind("difference", difference)
			.bind("tenant", tenant)
			.bind("month", month)
			.then();
	}

	/** Jobs that ended while their reservation is still open, oldest reservation first. */
	Flux<UUID> endedButUnsettled(int limit) {
		return this.db.sql("SELECT o.job_id FROM budget_open_reservations o JOIN jobs j ON j.id = o.job_id "
				+ "WHERE j.status IN ('completed', 'failed', 'canceled') ORDER BY o.created_at LIMIT :limit")
			.bind("limit", limit)
			.map((row) -> row.get("job_id", UUID.class))
			.all();
	}

	Mono<Void> hold(UUID jobId, UUID tenant) {
		return this.db.sql("INSERT INTO budget_holds (job_id, tenant_id) VALUES (:job, :tenant)")
			.bind("job", jobId)
			.bind("tenant", tenant)
			.then();
	}

	/** Takes a job off hold; answers whether it was held (and this caller is the one that took it off). */
	Mono<Boolean> unhold(UUID jobId) {
		return this.db.sql("DELETE FROM budget_holds WHERE job_id = :job")
			.bind("job", jobId)
			.fetch()
			.rowsUpdated()
			.map((rows) -> rows > 0);
	}

	/** Held jobs, longest waiting first. */
	Flux<UUID> held(int limit) {
		return this.db.sql("SELECT job_id FROM budget_holds ORDER BY created_at, job_id LIMIT :limit")
			.bind("limit", limit)
			.map((row) -> row.get("job_id", UUID.class))
			.all();
	}

	/**
	 * Spend of one tenant per UTC day and model in [from, until): settled costs on the day they settled, open
	 * reservations on the day they were made.
	 */
	Flux<DailySpend> daily(UUID tenant, Instant from, Instant until) {
		// Each job counts once: by its settlement once it has one, else by its open reservation.
		return this.db.sql("WITH entries AS (SELECT (l.created_at AT TIME ZONE 'UTC')::date AS day, l.model, l.kind, "
				+ "l.amount FROM budget_ledger l WHERE l.tenant_id = :tenant AND l.created_at >= :from "
				+ "AND l.created_at < :until AND (l.kind IN ('settlement', 'adjustment') OR (l.kind = 'reservation' "
				+ "AND NOT EXISTS (SELECT 1 FROM budget_ledger s WHERE s.job_id = l.job_id AND s.kind = 'settlement')))) "
				+ "SELECT day, model, coalesce(sum(amount) FILTER (WHERE kind IN ('settlement', 'adjustment')), 0) "
				+ "AS settled, coalesce(sum(amount) FILTER (WHERE kind = 'reservation'), 0) AS reserved, "
				+ "count(*) FILTER (WHERE kind <> 'adjustment') AS jobs "
				+ "FROM entries GROUP BY day, model ORDER BY day, model")
			.bind("tenant", tenant)
			.bind("from", from)
			.bind("until", until)
			.map((row) -> new DailySpend(row.get("day", LocalDate.class), row.get("model", String.class),
					row.get("settled", BigDecimal.class), row.get("reserved", BigDecimal.class),
					row.get("jobs", Long.class)))
			.all();
	}

	record Limit(@Nullable BigDecimal monthlyLimit) {
	}

	record Spend(BigDecimal reserved, BigDecimal settled) {
	}

	record LedgerEntry(UUID jobId, UUID tenantId, LocalDate month, String model, String kind, BigDecimal amount,
			String currency) {
	}

	record OpenReservation(LocalDate month, BigDecimal amount) {
	}

	record DailySpend(LocalDate day, String model, BigDecimal settled, BigDecimal reserved, long jobs) {
	}

}
