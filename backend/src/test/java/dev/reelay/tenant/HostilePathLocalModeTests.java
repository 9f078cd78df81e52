package dev.reelay.tenant;

import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Local mode (no admin key): the admin API is off under every spelling of its paths, ambiguous spellings of any route
 * are refused, and no spelling makes a request lose its tenant (that was a 500). The operator is the only user, so the
 * actuator shows its details.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "reelay.dispatch.enabled=false")
class HostilePathLocalModeTests extends HostilePathCorpus {

	@TestFactory
	Stream<DynamicTest> theAdminApiIsOffUnderEverySpelling() {
		String before = adminRows();
		return Stream.concat(routes("/api/v1/admin").stream()
			.flatMap((route) -> spellings(route.getKey(), route.getValue()))
			.map((probe) -> DynamicTest.dynamicTest(probe.name(), () -> {
				Answer answer = send(probe.method(), probe.rawPath(), null);
				assertProblem(probe, answer, (probe.kind() == Kind.REFUSED) ? 400 : 403);
			})), Stream.of(DynamicTest.dynamicTest("no tenant, key or budget written",
					() -> assertThat(adminRows()).isEqualTo(before))));
	}

	@TestFactory
	Stream<DynamicTest> everyOtherRouteIsRefusedWhenAmbiguousAndNeverFailsWhenDecoded() {
		return routes("/api").stream()
			.filter((route) -> !RoutedPath.isUnder(route.getValue(), "/api/v1/admin"))
			// Reading spellings of the routes is enough here; what a route does for the local tenant is its own test.
			.filter((route) -> route.getKey().name().equals("GET"))
			.flatMap((route) -> spellings(route.getKey(), route.getValue()))
			.filter((probe) -> !probe.route().endsWith("/events") || probe.kind() == Kind.REFUSED)
			.map((probe) -> DynamicTest.dynamicTest(probe.name(), () -> {
				Answer answer = send(probe.method(), probe.rawPath(), null);
				if (probe.kind() == Kind.REFUSED) {
					assertProblem(probe, answer, 400);
				}
				else {
					assertThat(answer.status()).as("status of %s (body %s)", probe, answer.body()).isLessThan(500);
				}
			}));
	}

	@TestFactory
	Stream<DynamicTest> theOpenAiRoutesAreRefusedWhenAmbiguousAndNeverFailWhenDecoded() {
		return routes("/v1").stream()
			.filter((route) -> route.getKey().name().equals("GET"))
			.flatMap((route) -> spellings(route.getKey(), route.getValue()))
			.map((probe) -> DynamicTest.dynamicTest(probe.name(), () -> {
				Answer answer = send(probe.method(), probe.rawPath(), null);
				if (probe.kind() == Kind.REFUSED) {
					assertOpenAiError(probe, answer, 400);
				}
				else {
					assertThat(answer.status()).as("status of %s (body %s)", probe, answer.body()).isLessThan(500);
				}
			}));
	}

	@Test
	void theOperatorSeesHealthDetails() {
		Answer health = send(org.springframework.http.HttpMethod.GET, "/actuator/health", null);
		assertThat(health.status()).isEqualTo(200);
		assertThat(health.body()).contains("\"components\"").contains("\"r2dbc\"");
	}

	private String adminRows() {
		return this.db.sql("SELECT (SELECT count(*) FROM tenants) AS tenants, (SELECT count(*) FROM api_keys) AS keys, "
				+ "(SELECT count(*) FROM budget_limits) AS budgets")
			.map((row) -> "tenants=" + row.get("tenants") + " keys=" + row.get("keys") + " budgets="
					+ row.get("budgets"))
			.one()
			.block();
	}

}
