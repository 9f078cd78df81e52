package dev.reelay.budget;

import java.util.Collections;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

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

/** {@code PUT/GET /api/v1/admin/tenants/{id}/budget}, with an admin key configured (the admin API is off without). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.dispatch.enabled=false", "reelay.security.admin-key=" + BudgetAdminApiTests.ADMIN_KEY })
class BudgetAdminApiTests {

	static final String ADMIN_KEY = "test-admin-key-0123456789";

	@LocalServerPort
	private int port;

	@Autowired
	private DatabaseClient db;

	@Test
	void theAdminSetsAndLiftsABudgetPerTenant() {
		UUID tenant = UUID.randomUUID();
		this.db.sql("INSERT INTO tenants (id, name) VALUES (:id, 'admin-budget')").bind("id", tenant).then().block();
		String path = "/api/v1/admin/tenants/" + tenant + "/budget";
		ResponseEntity<Map> set = call(HttpMethod.PUT, path, Map.of("monthly_limit", 25.5), ADMIN_KEY);
		assertThat(set.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(set.getBody().get("budget")).isEqualTo(Map.of("amount", 25.50, "currency", "USD"));
		assertThat(set.getBody().get("remaining")).isEqualTo(Map.of("amount", 25.50, "currency", "USD"));
		assertThat(call(HttpMethod.GET, path, null, ADMIN_KEY).getBody().get("budget"))
			.isEqualTo(Map.of("amount", 25.50, "currency", "USD"));
		assertThat(call(HttpMethod.PUT, path, Collections.singletonMap("monthly_limit", null), ADMIN_KEY).getBody()
			.get("budget")).isNull();
	}

	@Test
	void badBudgetsUnknownTenantsAndMissingAdminKeysAreProblems() {
		UUID tenant = UUID.randomUUID();
		this.db.sql("INSERT INTO tenants (id, name) VALUES (:id, 'admin-budget-bad')").bind("id", tenant).then().block();
		String path = "/api/v1/admin/tenants/" + tenant + "/budget";
		for (Object bad : new Object[] { -1, 1e9, 0.0000001 }) {
			ResponseEntity<Map> refused = call(HttpMethod.PUT, path, Map.of("monthly_limit", bad), ADMIN_KEY);
			assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
			assertThat(refused.getBody()).containsEntry("field", "monthly_limit");
		}
		ResponseEntity<Map> text = call(HttpMethod.PUT, path, Map.of("monthly_limit", "ten"), ADMIN_KEY);
		assertThat(text.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(text.getBody()).containsEntry("field", "monthly_limit");
		ResponseEntity<Map> unknown = call(HttpMethod.PUT, "/api/v1/admin/tenants/" + UUID.randomUUID() + "/budget",
				Map.of("monthly_limit", 5), ADMIN_KEY);
		assertThat(unknown.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(call(HttpMethod.PUT, path, Map.of("monthly_limit", 5), null).getStatusCode())
			.isEqualTo(HttpStatus.UNAUTHORIZED);
		assertThat(this.db.sql("SELECT count(*) AS n FROM budget_limits WHERE tenant_id = :id")
			.bind("id", tenant)
			.map((row) -> row.get("n", Long.class))
			.one()
			.block()).isZero();
	}

	private ResponseEntity<Map> call(HttpMethod method, String path, Object body, String key) {
		WebClient.RequestBodySpec request = WebClient.create("http://localhost:" + this.port).method(method).uri(path);
		if (key != null) {
			request.header("Authorization", "Bearer " + key);
		}
		if (body != null) {
			request.contentType(MediaType.APPLICATION_JSON).bodyValue(body);
		}
		return request.exchangeToMono((response) -> response.toEntity(Map.class)).block();
	}

}
