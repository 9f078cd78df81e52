package dev.reelay.budget;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.reelay.tenant.CallerTenant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Estimates, over-budget problems and usage over HTTP, as the local tenant, with a
 * priced simulator model (0.50 a second) so jobs can be submitted without a provider key.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
		"reelay.dispatch.enabled=false", "reelay.catalog.custom-models[0].id=sim-priced",
		"reelay.catalog.custom-models[0].display-name=Priced simulator",
		"reelay.catalog.custom-models[0].provider=simulator", "reelay.catalog.custom-models[0].remote-model=sora-2",
		"reelay.catalog.custom-models[0].durations=4,8", "reelay.catalog.custom-models[0].aspect-ratios=16:9",
		"reelay.catalog.custom-models[0].resolutions=720p",
		"reelay.catalog.custom-models[0].price.per-second.720p=0.50" })
class BudgetApiTests {

	private static final Map<String, Object> JOB = Map.of("model", "sim-priced", "prompt", "a priced cat",
			"duration_seconds", 4);

	@LocalServerPort
	private int port;

	@Autowired
	private BudgetRepository budgets;

	@Autowired
	private UsageController usage;

	@Autowired
	private DatabaseClient db;

	/** Back to the configured default (none), so other tests sharing the database see no local budget. */
	@AfterEach
	void liftTheLocalBudget() {
		this.db.sql("DELETE FROM budget_limits WHERE tenant_id = :local").bind("local", CallerTenant.LOCAL).then().block();
	}

	@Test
	void theEstimateEndpointPricesWithoutStoringAndAPostCarriesTheEstimate() {
		long before = countJobs();
		ResponseEntity<Map> estimate = call(HttpMethod.POST, "/api/v1/jobs/estimate", JOB).block();
		assertThat(estimate.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(estimate.getBody().get("estimated_cost")).isEqualTo(Map.of("amount", 2.00, "currency", "USD"));
		assertThat(estimate.getBody().get("model")).isEqualTo("sim-priced");
		assertThat(countJobs()).isEqualTo(before);

		ResponseEntity<Map> created = call(HttpMethod.POST, "/api/v1/jobs", JOB).block();
		assertThat(created.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
		assertThat(created.getBody().get("estimated_cost")).isEqualTo(Map.of("amount", 2.00, "currency", "USD"));
		assertThat(created.getBody().get("actual_cost")).isNull();
		ResponseEntity<Map> read = call(HttpMethod.GET, "/api/v1/jobs/" + created.getBody().get("id"), null).block();
		assertThat(read.getBody().get("estimated_cost")).isEqualTo(Map.of("amount", 2.00, "currency", "USD"));
	}

	@Test
	void aJobOverBudgetIsA402ProblemAndNothingIsStored() {
		BigDecimal already = localMonth().block().reserved().amount().add(localMonth().block().spent().amount());
		this.budgets.setLimit(CallerTenant.LOCAL, already.add(new BigDecimal("3.00"))).block();
		assertThat(call(HttpMethod.POST, "/api/v1/jobs", JOB).block().getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
		long before = countJobs();
		for (String path : List.of("/api/v1/jobs", "/api/v1/jobs/estimate")) {
			ResponseEntity<Map> refused = call(HttpMethod.POST, path, JOB).block();
			assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.PAYMENT_REQUIRED);
			assertThat(refused.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
			assertThat(refused.getBody()).containsEntry("field", "estimated_cost")
				.containsEntry("estimated_cost", Map.of("amount", 2.00, "currency", "USD"))
				.containsEntry("remaining_budget", Map.of("amount", 1.00, "currency", "USD"));
		}
		ResponseEntity<Map> batch = call(HttpMethod.POST, "/api/v1/jobs/batch", Map.of("jobs", List.of(JOB))).block();
		assertThat(batch.getStatusCode()).isEqualTo(HttpStatus.PAYMENT_REQUIRED);
		assertThat(countJobs()).isEqualTo(before);
	}

	@Test
	void usageReportsSpendByModelAndDayAndThisMonthsBudget() {
		UsageController.MonthUsage start = localMonth().block();
		this.budgets.setLimit(CallerTenant.LOCAL, new BigDecimal("1000")).block();
		call(HttpMethod.POST, "/api/v1/jobs", JOB).block();
		call(HttpMethod.POST, "/api/v1/jobs", Map.of("model", "sim-priced", "prompt", "longer", "duration_seconds", 8))
			.block();
		ResponseEntity<Map> report = call(HttpMethod.GET, "/api/v1/usage", null).block();
		assertThat(report.getStatusCode()).isEqualTo(HttpStatus.OK);
		Map<String, Object> month = (Map<String, Object>) report.getBody().get("month");
		BigDecimal reserved = start.reserved().amount().add(new BigDecimal("6.00"));
		assertThat(new BigDecimal(((Map<String, Object>) month.get("reserved")).get("amount").toString()))
			.isEqualByComparingTo(reserved);
		assertThat(new BigDecimal(((Map<String, Object>) month.get("budget")).get("amount").toString()))
			.isEqualByComparingTo("1000");
		assertThat(new BigDecimal(((Map<String, Object>) month.get("remaining")).get("amount").toString()))
			.isEqualByComparingTo(new BigDecimal("1000").subtract(reserved).subtract(start.spent().amount()));
		List<Map<String, Object>> days = (List<Map<String, Object>>) report.getBody().get("days");
		assertThat(days).anySatisfy((day) -> {
			assertThat(day.get("model")).isEqualTo("sim-priced");
			assertThat(day.get("day")).isEqualTo(java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString());
			assertThat(new BigDecimal(((Map<String, Object>) day.get("reserved")).get("amount").toString()))
				.isGreaterThanOrEqualTo(new BigDecimal("6.00"));
		});
		// Another tenant sees none of it.
		UUID other = UUID.randomUUID();
		this.db.sql("INSERT INTO tenants (id, name) VALUES (:id, 'usage-other')").bind("id", other).then().block();
		UsageController.Usage theirs = this.usage.usage(null, null)
			.contextWrite((context) -> context.put(CallerTenant.class, other))
			.block();
		assertThat(theirs.days()).isEmpty();
		assertThat(theirs.month().reserved().amount()).isEqualByComparingTo("0");
		assertThat(theirs.month().budget()).isNull();
	}

	@Test
	void badUsageDatesAreProblemsNamingTheField() {
		ResponseEntity<Map> bad = call(HttpMethod.GET, "/api/v1/usage?from=yesterday", null).block();
		assertThat(bad.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(bad.getBody()).containsEntry("field", "from");
		ResponseEntity<Map> backwards = call(HttpMethod.GET, "/api/v1/usage?from=2026-11-10&to=2026-11-01", null)
			.block();
		assertThat(backwards.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(backwards.getBody()).containsEntry("field", "to");
	}

	private Mono<UsageController.MonthUsage> localMonth() {
		return this.usage.month(CallerTenant.LOCAL, "USD");
	}

	private Mono<ResponseEntity<Map>> call(HttpMethod method, String path, Object body) {
		WebClient.RequestBodySpec request = WebClient.create("http://localhost:" + this.port).method(method).uri(path);
		if (body != null) {
			request.contentType(MediaType.APPLICATION_JSON).bodyValue(body);
		}
		return request.exchangeToMono((response) -> response.toEntity(Map.class));
	}

	private long countJobs() {
		return this.db.sql("SELECT count(*) AS n FROM jobs").map((row) -> row.get("n", Long.class)).one().block();
	}

}
