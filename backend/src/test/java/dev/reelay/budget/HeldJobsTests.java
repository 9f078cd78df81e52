package dev.reelay.budget;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;

import dev.reelay.job.Job;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import dev.reelay.tenant.CallerTenant;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code reelay.budget.over-budget: hold}: a job that does not fit waits queued and starts once it does. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = { "reelay.dispatch.enabled=false",
		"reelay.budget.over-budget=hold", "reelay.budget.release-interval=1h",
		"reelay.budget.local-monthly-limit=123.45" })
class HeldJobsTests {

	private static final JobParameters FOUR_SECONDS = new JobParameters(4, "16:9", "720p", null, null);

	@Autowired
	private JobStore store;

	@Autowired
	private BudgetUpkeep releaser;

	@Autowired
	private BudgetRepository budgets;

	@Autowired
	private BudgetAdmission admission;

	@Autowired
	private DatabaseClient db;

	@Test
	void aJobOverBudgetWaitsAndStartsWhenAnotherEndsCheaperThanReserved() {
		UUID tenant = tenant(new BigDecimal("1.50")); // one sora-2-pro job at 1.20
		Job first = this.store.create(job(tenant)).block();
		Job held = this.store.create(job(tenant)).block();
		assertThat(first.statusReason()).isNull();
		assertThat(held.status()).isEqualTo(JobStatus.QUEUED);
		assertThat(held.statusReason()).isEqualTo("waiting for budget");
		assertThat(held.nextAttemptAt()).isAfter(Instant.now().plus(Duration.ofDays(365)));
		assertThat(held.cost().estimated()).isEqualByComparingTo("1.20");
		assertThat(spend(tenant).reserved()).isEqualByComparingTo("1.20");

		// Still no room: it stays held, and nothing is reserved for it.
		assertThat(releaseAll()).isZero();
		assertThat(this.store.find(held.id()).block().statusReason()).isEqualTo("waiting for budget");

		// The first job is canceled before it reached the provider: it costs nothing and frees its 1.20.
		this.store.cancel(first.id()).block();
		assertThat(releaseAll()).isEqualTo(1);
		Job released = this.store.find(held.id()).block();
		assertThat(released.statusReason()).isNull();
		assertThat(released.nextAttemptAt()).isBefore(Instant.now().plusSeconds(1));
		assertThat(spend(tenant).reserved()).isEqualByComparingTo("1.20");
		assertThat(releaseAll()).isZero();
	}

	@Test
	void raisingTheBudgetReleasesHeldJobsOldestFirst() {
		UUID tenant = tenant(new BigDecimal("0"));
		Job older = this.store.create(job(tenant)).block();
		Job newer = this.store.create(job(tenant)).block();
		assertThat(older.statusReason()).isEqualTo("waiting for budget");
		this.budgets.setLimit(tenant, new BigDecimal("1.20")).block();
		assertThat(releaseAll()).isEqualTo(1);
		assertThat(this.store.find(older.id()).block().statusReason()).isNull();
		assertThat(this.store.find(newer.id()).block().statusReason()).isEqualTo("waiting for budget");
	}

	@Test
	void aHeldJobThatIsCanceledLeavesNoHoldAndSpendsNothing() {
		UUID tenant = tenant(new BigDecimal("1.00"));
		Job held = this.store.create(job(tenant)).block();
		Job canceled = this.store.cancel(held.id()).block();
		assertThat(canceled.cost().actual()).isEqualByComparingTo("0");
		assertThat(count("SELECT count(*) AS n FROM budget_holds WHERE job_id = :id", held.id())).isZero();
		assertThat(count("SELECT count(*) AS n FROM budget_ledger WHERE job_id = :id", held.id())).isZero();
	}

	@Test
	void theLocalTenantsBudgetComesFromConfigurationUntilOneIsSet() {
		assertThat(this.admission.limitOf(CallerTenant.LOCAL).block().monthlyLimit()).isEqualByComparingTo("123.45");
		assertThat(this.admission.limitOf(tenantWithoutBudget()).block().monthlyLimit()).isNull();
	}

	private UUID tenantWithoutBudget() {
		UUID id = UUID.randomUUID();
		this.db.sql("INSERT INTO tenants (id, name) VALUES (:id, 'no-budget')").bind("id", id).then().block();
		return id;
	}

	private long releaseAll() {
		return this.releaser.releaseHeld().block(Duration.ofSeconds(10));
	}

	private static NewJob job(UUID tenant) {
		return new NewJob(tenant, "sora-2-pro", "openai", "a patient cat", FOUR_SECONDS, 0, null, null);
	}

	private UUID tenant(BigDecimal limit) {
		UUID id = UUID.randomUUID();
		this.db.sql("INSERT INTO tenants (id, name) VALUES (:id, :name)").bind("id", id).bind("name", "held-" + id)
			.then()
			.block();
		this.budgets.setLimit(id, limit).block();
		return id;
	}

	private BudgetRepository.Spend spend(UUID tenant) {
		return this.budgets.spend(tenant, LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1)).block();
	}

	private long count(String sql, UUID id) {
		return this.db.sql(sql).bind("id", id).map((row) -> row.get("n", Long.class)).one().block();
	}

}
