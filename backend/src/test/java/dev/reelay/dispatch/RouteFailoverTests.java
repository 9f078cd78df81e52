package dev.reelay.dispatch;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.reelay.provider.StandIn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Failover between the routes of a model, over real HTTP, judged on each route's own ledger: a job moves to the next
 * route only when the first certainly did not accept it (429, 401, no connection); a create whose outcome is unknown
 * stays on its route and is reconciled there. A route whose window is full, or whose breaker is open, is passed over
 * for one that can take the job now. Budgets reserve the dearest route and settle at the route used. Instances and
 * models are this class's own ({@code route-failover.properties}); the simulator is off.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestPropertySource(locations = "classpath:dev/reelay/dispatch/route-failover.properties")
class RouteFailoverTests {

	private static final Duration WAIT = Duration.ofSeconds(120);

	static final RouteStandIn RATE_LIMITED = new RouteStandIn("rtf-429");

	static final RouteStandIn BAD_KEY = new RouteStandIn("rtf-401");

	static final RouteStandIn B = new RouteStandIn("rtf-b");

	static final RouteStandIn SLOW = new RouteStandIn("rtf-slow");

	static final RouteStandIn B2 = new RouteStandIn("rtf-b2");

	static final RouteStandIn FULL = new RouteStandIn("rtf-full");

	static final RouteStandIn B3 = new RouteStandIn("rtf-b3");

	static final RouteStandIn B4 = new RouteStandIn("rtf-b4");

	static final String NOTHING_LISTENS = StandIn.deadUrl() + "/v1";

	static {
		RATE_LIMITED.refuseWith = 429;
		BAD_KEY.refuseWith = 401;
		SLOW.answerDelay = Duration.ofSeconds(4);
	}

	@DynamicPropertySource
	static void routesAtTheStandIns(DynamicPropertyRegistry properties) {
		for (RouteStandIn route : List.of(RATE_LIMITED, BAD_KEY, B, SLOW, B2, FULL, B3, B4)) {
			properties.add("reelay.providers.instances." + route.name() + ".base-url", route::baseUrl);
		}
		properties.add("reelay.providers.instances.rtf-dead.base-url", () -> NOTHING_LISTENS);
		properties.add("reelay.providers.instances.rtf-brk.base-url", () -> NOTHING_LISTENS);
	}

	@AfterAll
	static void closeStandIns() {
		List.of(RATE_LIMITED, BAD_KEY, B, SLOW, B2, FULL, B3, B4).forEach(RouteStandIn::close);
	}

	@LocalServerPort
	private int port;

	@Autowired
	private DatabaseClient db;

	@Test
	void aCreateRefusedWith429MovesToTheNextRouteAndSettlesAtItsPrice() {
		String tag = "after-429-" + UUID.randomUUID();
		String id = submit("rtf-after-429", tag);
		Map<String, Object> job = awaitEnded(id);

		assertThat(job).containsEntry("status", "completed").containsEntry("provider", "rtf-b");
		assertThat(RATE_LIMITED.accepted(tag)).as("creates route A accepted").isEmpty();
		assertThat(RATE_LIMITED.refused(tag)).as("creates route A refused").hasSize(1);
		assertThat(B.accepted(tag)).as("creates route B accepted").hasSize(1);
		assertThat(route(job)).containsEntry("provider", "rtf-b")
			.containsEntry("attempts", Map.of("rtf-429", 1, "rtf-b", 1))
			.containsEntry("price", Map.of("amount", 0.40, "currency", "USD"));
		// Reserved at the dearest route (A: 0.50/s × 4 s), settled at the route used (B: 0.10/s × 4 s).
		assertThat(job.get("estimated_cost")).isEqualTo(Map.of("amount", 2.00, "currency", "USD"));
		assertThat(job.get("actual_cost")).isEqualTo(Map.of("amount", 0.40, "currency", "USD"));
		assertThat(ledger(id)).containsEntry("reservation", new BigDecimal("2.000000"))
			.containsEntry("settlement", new BigDecimal("0.400000"))
			.containsEntry("release", new BigDecimal("2.000000"));
	}

	@Test
	void aCreateRefusedWith401MovesToTheNextRoute() {
		String tag = "after-401-" + UUID.randomUUID();
		Map<String, Object> job = awaitEnded(submit("rtf-after-401", tag));

		assertThat(job).containsEntry("status", "completed").containsEntry("provider", "rtf-b");
		assertThat(BAD_KEY.accepted(tag)).isEmpty();
		assertThat(BAD_KEY.refused(tag)).hasSize(1);
		assertThat(B.accepted(tag)).hasSize(1);
		assertThat(route(job)).containsEntry("attempts", Map.of("rtf-401", 1, "rtf-b", 1));
	}

	@Test
	void aCreateThatCouldNotConnectMovesToTheNextRoute() {
		String tag = "after-dead-" + UUID.randomUUID();
		Map<String, Object> job = awaitEnded(submit("rtf-after-dead", tag));

		assertThat(job).containsEntry("status", "completed").containsEntry("provider", "rtf-b");
		assertThat(B.accepted(tag)).hasSize(1);
		assertThat(route(job)).containsEntry("attempts", Map.of("rtf-dead", 1, "rtf-b", 1));
	}

	@Test
	void aCreateWithAnUnknownOutcomeNeverMovesAndIsReconciledOnItsRoute() {
		String tag = "unknown-" + UUID.randomUUID();
		Map<String, Object> job = awaitEnded(submit("rtf-unknown", tag));

		assertThat(job).containsEntry("status", "completed").containsEntry("provider", "rtf-slow");
		assertThat(SLOW.accepted(tag)).as("creates the slow route accepted").hasSize(1);
		assertThat(B2.accepted(tag)).as("creates the second route saw").isEmpty();
		assertThat(B2.refused(tag)).isEmpty();
		assertThat(route(job)).containsEntry("attempts", Map.of("rtf-slow", 1));
		assertThat((String) job.get("remote_id")).startsWith("rtf-slow_");
	}

	@Test
	void aJobWaitingOnAFullWindowTakesAnotherRouteThatCanTakeItNow() {
		String tag = "spill-" + UUID.randomUUID();
		String first = submit("rtf-spill", tag + "-1");
		String second = submit("rtf-spill", tag + "-2");
		Map<String, Object> one = awaitEnded(first);
		Map<String, Object> two = awaitEnded(second);

		assertThat(List.of(one.get("status"), two.get("status"))).containsOnly("completed");
		assertThat(FULL.accepted(tag)).as("creates in the full route's window").hasSize(1);
		assertThat(B3.accepted(tag)).as("creates the other route took").hasSize(1);
		assertThat(List.of(one.get("provider"), two.get("provider"))).containsExactlyInAnyOrder("rtf-full", "rtf-b3");
		Map<String, Object> moved = "rtf-b3".equals(one.get("provider")) ? one : two;
		assertThat(route(moved)).as("never sent to the full route").containsEntry("attempts", Map.of("rtf-b3", 1));
	}

	@Test
	void anOpenBreakerSendsNewJobsToTheNextRouteAndShowsOnTheModelList() {
		String tag = "breaker-" + UUID.randomUUID();
		// Two refused connections in a row open the first route's breaker (failures: 2).
		for (int i = 0; i < 2; i++) {
			Map<String, Object> job = awaitEnded(submit("rtf-breaker", tag + "-" + i));
			assertThat(job).containsEntry("status", "completed").containsEntry("provider", "rtf-b4");
			assertThat(route(job)).containsEntry("attempts", Map.of("rtf-brk", 1, "rtf-b4", 1));
		}
		Map<String, Object> brk = routeOnTheModelList("rtf-breaker", "rtf-brk");
		assertThat(brk.get("circuit_breaker")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
			.containsEntry("state", "open")
			.containsEntry("failures_in_row", 2);

		Map<String, Object> third = awaitEnded(submit("rtf-breaker", tag + "-2"));
		assertThat(third).containsEntry("status", "completed").containsEntry("provider", "rtf-b4");
		assertThat(route(third)).as("not sent to the route whose breaker is open")
			.containsEntry("attempts", Map.of("rtf-b4", 1));
		assertThat(B4.accepted(tag)).hasSize(3);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> route(Map<String, Object> job) {
		return (Map<String, Object>) job.get("route");
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> routeOnTheModelList(String model, String provider) {
		Map<String, Object> models = http().get()
			.uri("/api/v1/models")
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(WAIT);
		return ((List<Map<String, Object>>) models.get("data")).stream()
			.filter((entry) -> model.equals(entry.get("id")))
			.flatMap((entry) -> ((List<Map<String, Object>>) entry.get("routes")).stream())
			.filter((route) -> provider.equals(route.get("provider")))
			.findFirst()
			.orElseThrow();
	}

	private String submit(String model, String prompt) {
		Map<String, Object> job = http().post()
			.uri("/api/v1/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("model", model, "prompt", prompt, "duration_seconds", 4))
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(WAIT);
		return (String) job.get("id");
	}

	private Map<String, Object> awaitEnded(String id) {
		await().atMost(WAIT).pollInterval(Duration.ofMillis(300))
			.until(() -> List.of("completed", "failed", "canceled").contains(job(id).get("status")));
		return job(id);
	}

	private Map<String, Object> job(String id) {
		return http().get()
			.uri("/api/v1/jobs/{id}", id)
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(WAIT);
	}

	private Map<String, BigDecimal> ledger(String id) {
		Map<String, BigDecimal> entries = new java.util.TreeMap<>();
		this.db.sql("SELECT kind, amount FROM budget_ledger WHERE job_id = :id")
			.bind("id", UUID.fromString(id))
			.map((row) -> Map.entry(row.get("kind", String.class), row.get("amount", BigDecimal.class)))
			.all()
			.doOnNext((entry) -> entries.put(entry.getKey(), entry.getValue()))
			.blockLast(WAIT);
		return entries;
	}

	private WebClient http() {
		return WebClient.create("http://127.0.0.1:" + this.port);
	}

}
