package dev.reelay.budget;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import dev.reelay.job.Job;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import dev.reelay.support.Money;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The never-overspend guarantee of reservations taken last in a submission's transaction (issue 19), on a real
 * PostgreSQL: many submissions of one tenant at once, each on its own connection, against a budget just above what
 * N jobs cost. Every test has its own tenant.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "reelay.dispatch.enabled=false")
class ConcurrentReservationTests {

	private static final Duration WAIT = Duration.ofSeconds(120);

	/** sora-2-pro at 720p, 0.30 a second: 1.20 a job. */
	private static final JobParameters FOUR_SECONDS_720P = new JobParameters(4, "16:9", "720p", null, null);

	private static final BigDecimal COST = new BigDecimal("1.20");

	@Autowired
	private JobStore store;

	@Autowired
	private BudgetRepository budgets;

	@Autowired
	private DatabaseClient db;

	@Test
	void exactlyTheJobsTheBudgetHoldsAreAcceptedHoweverManyArriveAtOnce() {
		int fits = 9;
		// 9 jobs fit with 0.70 to spare: never a tenth.
		UUID tenant = tenant(COST.multiply(BigDecimal.valueOf(fits)).add(new BigDecimal("0.70")));

		List<Outcome> outcomes = Flux.range(0, 40)
			.flatMap((i) -> this.store.create(job(tenant, "submission " + i))
				.map(Outcome::accepted)
				.onErrorResume(OverBudgetException.class, (refused) -> Mono.just(Outcome.refused(refused)))
				.subscribeOn(Schedulers.parallel()), 40)
			.collectList()
			.block(WAIT);

		assertThat(outcomes).filteredOn((outcome) -> outcome.job() != null).hasSize(fits);
		assertThat(outcomes).filteredOn((outcome) -> outcome.refusal() != null).hasSize(40 - fits)
			.allSatisfy((outcome) -> {
				var problem = outcome.refusal().getBody();
				assertThat(problem.getStatus()).isEqualTo(402);
				assertThat(problem.getProperties()).containsEntry("field", "estimated_cost")
					.containsEntry("estimated_cost", Money.of(COST, "USD"))
					.containsEntry("remaining_budget", Money.of(new BigDecimal("0.70"), "USD"));
			});
		assertConsistent(tenant, fits);
	}

	@Test
	void batchesAndSingleJobsRacingForOneBudgetNeverTakeMoreThanItHolds() {
		// Room for 7 jobs and 0.50: singles and pairs race for it.
		BigDecimal limit = COST.multiply(BigDecimal.valueOf(7)).add(new BigDecimal("0.50"));
		UUID tenant = tenant(limit);

		List<Integer> accepted = Flux.range(0, 30)
			.flatMap((i) -> ((i % 3 == 0)
					? this.store.createBatch(List.of(job(tenant, "pair " + i + " a"), job(tenant, "pair " + i + " b")),
							null)
						.map((submission) -> submission.jobs().size())
					: this.store.create(job(tenant, "single " + i)).map((created) -> 1))
				.onErrorResume(OverBudgetException.class, (refused) -> Mono.just(0))
				.subscribeOn(Schedulers.parallel()), 30)
			.collectList()
			.block(WAIT);

		int jobs = accepted.stream().mapToInt(Integer::intValue).sum();
		// Singles outnumber the places, so the budget ends full: 7 jobs, whichever submissions got them.
		assertThat(jobs).isEqualTo(7);
		assertConsistent(tenant, jobs);
	}

	@Test
	void freeJobsOfATenantWithoutABudgetLeaveItsSpendRowAlone() {
		UUID tenant = tenant(null);
		List<Job> created = Flux.range(0, 8)
			.flatMap((i) -> this.store.create(new NewJob(tenant, "sim-video", "simulator", "free " + i,
					FOUR_SECONDS_720P, 0, null, null)).subscribeOn(Schedulers.parallel()))
			.collectList()
			.block(WAIT);

		assertThat(created).hasSize(8).allSatisfy((job) -> assertThat(job.cost().estimated()).isZero());
		// Nothing to add and no limit to check: the month's row is neither written nor locked.
		assertThat(count("SELECT count(*) AS n FROM budget_spend WHERE tenant_id = :t", tenant)).isZero();
		// The ledger still has each job's reservation, so its settlement later is booked as for any job.
		assertThat(count("SELECT count(*) AS n FROM budget_ledger WHERE tenant_id = :t AND kind = 'reservation'",
				tenant)).isEqualTo(8);
		assertThat(count("SELECT count(*) AS n FROM budget_open_reservations WHERE tenant_id = :t", tenant))
			.isEqualTo(8);
	}

	@Test
	void pricedJobsOfATenantWithoutABudgetAreStillCountedForTheMonth() {
		UUID tenant = tenant(null);
		Flux.range(0, 5).flatMap((i) -> this.store.create(job(tenant, "unlimited " + i))).blockLast(WAIT);

		assertThat(spend(tenant).reserved()).isEqualByComparingTo("6.00");
		assertConsistent(tenant, 5);
	}

	/** The spend row, the ledger, the open reservations and the jobs all say the same {@code jobs} jobs. */
	private void assertConsistent(UUID tenant, int jobs) {
		BigDecimal reserved = COST.multiply(BigDecimal.valueOf(jobs));
		BudgetRepository.Spend spend = spend(tenant);
		assertThat(spend.reserved()).isEqualByComparingTo(reserved);
		assertThat(spend.settled()).isZero();
		assertThat(count("SELECT count(*) AS n FROM jobs WHERE tenant_id = :t", tenant)).isEqualTo(jobs);
		assertThat(count("SELECT count(*) AS n FROM job_events e JOIN jobs j ON j.id = e.job_id "
				+ "WHERE j.tenant_id = :t AND e.type = 'job.queued'", tenant)).isEqualTo(jobs);
		assertThat(count("SELECT count(*) AS n FROM budget_ledger l JOIN jobs j ON j.id = l.job_id "
				+ "WHERE l.tenant_id = :t AND l.kind = 'reservation' AND j.estimated_cost = l.amount", tenant))
			.isEqualTo(jobs);
		assertThat(count("SELECT count(*) AS n FROM budget_ledger WHERE tenant_id = :t", tenant)).isEqualTo(jobs);
		assertThat(sum("SELECT coalesce(sum(amount), 0) AS s FROM budget_open_reservations WHERE tenant_id = :t",
				tenant)).isEqualByComparingTo(reserved);
		if (spend(tenant).reserved().signum() > 0) {
			BigDecimal limit = this.budgets.limit(tenant).map((found) -> found.monthlyLimit()).block(WAIT);
			if (limit != null) {
				assertThat(spend.reserved().add(spend.settled())).isLessThanOrEqualTo(limit);
			}
		}
	}

	private static NewJob job(UUID tenant, String prompt) {
		return new NewJob(tenant, "sora-2-pro", "openai", prompt, FOUR_SECONDS_720P, 0, null, null);
	}

	private UUID tenant(BigDecimal limit) {
		UUID id = UUID.randomUUID();
		this.db.sql("INSERT INTO tenants (id, name) VALUES (:id, :name)")
			.bind("id", id)
			.bind("name", "reservations-" + id)
			.then()
			.block(WAIT);
		if (limit != null) {
			this.budgets.setLimit(id, limit).block(WAIT);
		}
		return id;
	}

	private BudgetRepository.Spend spend(UUID tenant) {
		return this.budgets.spend(tenant, LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1)).block(WAIT);
	}

	private long count(String sql, UUID tenant) {
		return this.db.sql(sql).bind("t", tenant).map((row) -> row.get("n", Long.class)).one().block(WAIT);
	}

	private BigDecimal sum(String sql, UUID tenant) {
		return this.db.sql(sql).bind("t", tenant).map((row) -> row.get("s", BigDecimal.class)).one().block(WAIT);
	}

	private record Outcome(Job job, OverBudgetException refusal) {

		static Outcome accepted(Job job) {
			return new Outcome(job, null);
		}

		static Outcome refused(OverBudgetException refusal) {
			return new Outcome(null, refusal);
		}

	}

}
