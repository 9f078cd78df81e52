package dev.reelay.budget;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import dev.reelay.job.Job;
import dev.reelay.job.JobError;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pricing, reservations and settlement on a real PostgreSQL, through {@link JobStore} as the API and the
 * dispatcher use it. Every test works for its own tenant, so budgets and spend of other tests never mix in.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "reelay.dispatch.enabled=false")
class BudgetTests {

	private static final JobParameters FOUR_SECONDS_720P = new JobParameters(4, "16:9", "720p", null, null);

	@Autowired
	private JobStore store;

	@Autowired
	private Pricing pricing;

	@Autowired
	private BudgetAdmission admission;

	@Autowired
	private BudgetRepository budgets;

	@Autowired
	private BudgetUpkeep upkeep;

	@Autowired
	private DatabaseClient db;

	@Test
	void pricesPerSecondByResolutionPerClipAndTheDearestRateForAnUnlistedResolution() {
		// sora-2-pro: 0.30/s at 720p, 0.50/s at 1080p.
		assertThat(this.pricing.estimate("sora-2-pro", FOUR_SECONDS_720P).estimated()).isEqualByComparingTo("1.20");
		assertThat(this.pricing.estimate("sora-2-pro", new JobParameters(12, "16:9", "1080p", null, null)).estimated())
			.isEqualByComparingTo("6.00");
		// fal-seedance 0.124/s at 1080p: exact decimals, no binary rounding.
		assertThat(this.pricing.estimate("fal-seedance", new JobParameters(5, "16:9", "1080p", null, null)).estimated())
			.isEqualTo(new BigDecimal("0.620"));
		// kie-veo3: 2.00 a clip, whatever the duration.
		assertThat(this.pricing.estimate("kie-veo3", new JobParameters(8, "16:9", "720p", null, null)).estimated())
			.isEqualByComparingTo("2.00");
		assertThat(this.pricing.estimate("sora-2-pro", new JobParameters(4, "16:9", "4k", null, null)).estimated())
			.isEqualByComparingTo("2.00");
		assertThat(this.pricing.estimate("sora-2", FOUR_SECONDS_720P).currency()).isEqualTo("USD");
		assertThat(this.pricing.estimate("no-such-model", FOUR_SECONDS_720P)).isNull();
	}

	@Test
	void aCreatedJobCarriesItsEstimateAndItsReservation() {
		UUID tenant = tenant(null);
		Job job = this.store.create(job(tenant, "sora-2-pro", "openai")).block();
		assertThat(job.cost().estimated()).isEqualByComparingTo("1.20");
		assertThat(job.cost().actual()).isNull();
		assertThat(this.store.find(job.id()).block().cost().estimated()).isEqualByComparingTo("1.20");
		assertThat(spend(tenant).reserved()).isEqualByComparingTo("1.20");
		assertThat(ledger(job.id())).containsExactly("reservation 1.200000");
	}

	@Test
	void twentyConcurrentSubmissionsAgainstABudgetForFiveNeverOverspend() {
		UUID tenant = tenant(new BigDecimal("6.00")); // five jobs at 1.20
		AtomicInteger refused = new AtomicInteger();
		List<Job> created = Flux.range(0, 20)
			.flatMap((i) -> this.store.create(job(tenant, "sora-2-pro", "openai"))
				.onErrorResume(OverBudgetException.class, (over) -> {
					refused.incrementAndGet();
					return Mono.empty();
				}), 20)
			.collectList()
			.block(Duration.ofSeconds(60));
		assertThat(created).hasSize(5);
		assertThat(refused).hasValue(15);
		assertThat(spend(tenant).reserved()).isEqualByComparingTo("6.00");
		assertThat(count("SELECT count(*) AS n FROM jobs WHERE tenant_id = :t", tenant)).isEqualTo(5);
		assertThat(count("SELECT count(*) AS n FROM budget_ledger WHERE tenant_id = :t", tenant)).isEqualTo(5);
	}

	@Test
	void aRejectedJobWritesNothingAndSaysWhatIsLeft() {
		UUID tenant = tenant(new BigDecimal("2.00"));
		this.store.create(job(tenant, "sora-2-pro", "openai")).block();
		StepVerifier.create(this.store.create(job(tenant, "sora-2-pro", "openai")))
			.expectErrorSatisfies((error) -> {
				assertThat(error).isInstanceOf(OverBudgetException.class);
				var problem = ((OverBudgetException) error).getBody();
				assertThat(problem.getStatus()).isEqualTo(402);
				assertThat(problem.getProperties()).containsEntry("estimated_cost",
						dev.reelay.support.Money.of(new BigDecimal("1.20"), "USD"))
					.containsEntry("remaining_budget", dev.reelay.support.Money.of(new BigDecimal("0.80"), "USD"))
					.containsEntry("field", "estimated_cost");
			})
			.verify(Duration.ofSeconds(10));
		assertThat(count("SELECT count(*) AS n FROM jobs WHERE tenant_id = :t", tenant)).isEqualTo(1);
		assertThat(count("SELECT count(*) AS n FROM job_events e JOIN jobs j ON j.id = e.job_id WHERE j.tenant_id = :t",
				tenant)).isEqualTo(1);
		assertThat(count("SELECT count(*) AS n FROM budget_ledger WHERE tenant_id = :t", tenant)).isEqualTo(1);
		assertThat(spend(tenant).reserved()).isEqualByComparingTo("1.20");
	}

	@Test
	void aBatchOverBudgetIsRefusedWhole() {
		UUID tenant = tenant(new BigDecimal("2.00"));
		StepVerifier.create(this.store.createBatch(
				List.of(job(tenant, "sora-2-pro", "openai"), job(tenant, "sora-2-pro", "openai")), null))
			.expectError(OverBudgetException.class)
			.verify(Duration.ofSeconds(10));
		assertThat(count("SELECT count(*) AS n FROM jobs WHERE tenant_id = :t", tenant)).isZero();
		assertThat(count("SELECT count(*) AS n FROM budget_ledger WHERE tenant_id = :t", tenant)).isZero();
		assertThat(spend(tenant).reserved()).isEqualByComparingTo("0");
	}

	@Test
	void aCompletedJobSettlesAtItsEstimateAndFreesItsReservation() {
		UUID tenant = tenant(null);
		Job ended = run(this.store.create(job(tenant, "sora-2-pro", "openai")).block(), JobStatus.COMPLETED, null);
		assertThat(ended.cost().actual()).isEqualByComparingTo("1.20");
		assertThat(spend(tenant).reserved()).isEqualByComparingTo("0");
		assertThat(spend(tenant).settled()).isEqualByComparingTo("1.20");
		assertThat(ledger(ended.id())).containsExactly("release 1.200000", "reservation 1.200000",
				"settlement 1.200000");
	}

	@Test
	void moderationBlocksAreChargedPerTheProviderFamilysRule() {
		UUID tenant = tenant(null);
		JobError blocked = new JobError("safety_filtered", "Google's safety filters removed the video", false);
		// Veo 3.1 does not charge for a generation its safety filters blocked.
		Job veo = run(this.store.create(job(tenant, "veo-3.1-fast", "gemini")).block(), JobStatus.FAILED, blocked);
		assertThat(veo.cost().estimated()).isEqualByComparingTo("0.60");
		assertThat(veo.cost().actual()).isEqualByComparingTo("0");
		// Runway charges moderated generations like successful ones.
		JobError moderated = new JobError("moderation_blocked", "Runway's content moderation blocked this", false);
		Job runway = run(this.store.create(new NewJob(tenant, "runway-gen4-turbo", "runway", "a cat",
				new JobParameters(5, "16:9", "720p", null, null), 0, null, null)).block(), JobStatus.FAILED, moderated);
		assertThat(runway.cost().actual()).isEqualByComparingTo("0.25");
		// EvoLink does not charge failed tasks.
		Job evolink = run(this.store.create(new NewJob(tenant, "evolink-seedance-2.0", "evolink", "a cat",
				new JobParameters(5, "16:9", "720p", null, null), 0, null, null)).block(), JobStatus.FAILED,
				new JobError("content_policy_violation", "blocked", false));
		assertThat(evolink.cost().actual()).isEqualByComparingTo("0");
		assertThat(spend(tenant).settled()).isEqualByComparingTo("0.25");
		assertThat(spend(tenant).reserved()).isEqualByComparingTo("0");
	}

	@Test
	void aJobCanceledBeforeTheProviderHadItCostsNothing() {
		UUID tenant = tenant(null);
		Job job = this.store.create(job(tenant, "sora-2-pro", "openai")).block();
		Job canceled = this.store.cancel(job.id()).block();
		assertThat(canceled.cost().actual()).isEqualByComparingTo("0");
		assertThat(spend(tenant).settled()).isEqualByComparingTo("0");
		assertThat(spend(tenant).reserved()).isEqualByComparingTo("0");
	}

	@Test
	void settlementHappensExactlyOnceWhateverRaces() {
		UUID tenant = tenant(null);
		Job submitted = submit(this.store.create(job(tenant, "sora-2-pro", "openai")).block());
		// Two instances end the same job at once: one from a poll, one from a cancel. One write wins.
		List<Job> ended = Flux.just(JobStatus.COMPLETED, JobStatus.CANCELED)
			.flatMap((status) -> this.store.change(submitted, (c) -> c.status = status, true)
				.onErrorResume((lost) -> Mono.empty()), 2)
			.collectList()
			.block(Duration.ofSeconds(10));
		assertThat(ended).hasSize(1);
		// A settlement replayed after a crash (or by a later sweep) changes nothing.
		this.admission.settle(ended.get(0)).block();
		this.admission.settle(ended.get(0)).block();
		assertThat(ledger(submitted.id())).containsExactly("release 1.200000", "reservation 1.200000",
				"settlement 1.200000");
		assertThat(spend(tenant).settled()).isEqualByComparingTo("1.20");
		assertThat(spend(tenant).reserved()).isEqualByComparingTo("0");
	}

	@Test
	void anEndedJobWhoseSettlementWasMissedIsSettledOnceByTheSweep() {
		UUID tenant = tenant(null);
		Job job = this.store.create(job(tenant, "sora-2-pro", "openai")).block();
		// A write that went past JobStore.change and its settlement hook.
		this.db.sql("UPDATE jobs SET status = 'failed', remote_id = 'video_x', error_code = 'generation_failed' "
				+ "WHERE id = :id").bind("id", job.id()).then().block();
		this.upkeep.settleMissed().block();
		this.upkeep.settleMissed().block();
		assertThat(ledger(job.id())).containsExactly("release 1.200000", "reservation 1.200000",
				"settlement 1.200000");
		assertThat(spend(tenant).settled()).isEqualByComparingTo("1.20");
		assertThat(spend(tenant).reserved()).isEqualByComparingTo("0");
	}

	@Test
	void anUnpricedModelIsRefusedUnderABudgetAndFreeWithout() {
		UUID limited = tenant(new BigDecimal("10"));
		StepVerifier.create(this.store.create(job(limited, "unpriced-model", "openai")))
			.expectError(UnpricedModelException.class)
			.verify(Duration.ofSeconds(10));
		Job free = this.store.create(job(tenant(null), "unpriced-model", "openai")).block();
		assertThat(free.cost()).isNull();
	}

	private Job run(Job queued, JobStatus end, JobError error) {
		Job submitted = submit(queued);
		Job downloading = (end == JobStatus.COMPLETED)
				? this.store.change(submitted, (c) -> c.status = JobStatus.DOWNLOADING, false).block() : submitted;
		return this.store.change(downloading, (c) -> {
			c.status = end;
			c.error = error;
		}, true).block();
	}

	private Job submit(Job queued) {
		Job submitting = this.store.change(queued, (c) -> c.status = JobStatus.SUBMITTING, false).block();
		return this.store.change(submitting, (c) -> {
			c.status = JobStatus.SUBMITTED;
			c.remoteId = "remote-" + queued.id();
		}, false).block();
	}

	private static NewJob job(UUID tenant, String model, String provider) {
		return new NewJob(tenant, model, provider, "a budgeted cat", FOUR_SECONDS_720P, 0, null, null);
	}

	private UUID tenant(BigDecimal limit) {
		UUID id = UUID.randomUUID();
		this.db.sql("INSERT INTO tenants (id, name) VALUES (:id, :name)")
			.bind("id", id)
			.bind("name", "budget-" + id)
			.then()
			.block();
		if (limit != null) {
			this.budgets.setLimit(id, limit).block();
		}
		return id;
	}

	private BudgetRepository.Spend spend(UUID tenant) {
		return this.budgets.spend(tenant, LocalDate.now(java.time.ZoneOffset.UTC).withDayOfMonth(1)).block();
	}

	private List<String> ledger(UUID jobId) {
		return this.db.sql("SELECT kind, amount FROM budget_ledger WHERE job_id = :job ORDER BY kind")
			.bind("job", jobId)
			.map((row) -> row.get("kind", String.class) + " " + row.get("amount", BigDecimal.class).toPlainString())
			.all()
			.collectList()
			.block();
	}

	private long count(String sql, UUID tenant) {
		return this.db.sql(sql).bind("t", tenant).map((row) -> row.get("n", Long.class)).one().block();
	}

}
