package dev.reelay.database;

import java.time.Duration;

import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * While the database cannot be reached, API requests answer 503 with Retry-After, not 500: in a controller (the
 * admin API) and in the request filters (a tenant's key being looked up). The context runs with tenants on, on a
 * PostgreSQL server of its own, which the test stops after start: connections in the pool break and new ones are
 * refused. Closed afterwards; no other test class ever uses that server.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.dispatch.enabled=false", "reelay.security.admin-key=" + DatabaseUnreachableTests.ADMIN_KEY,
				"spring.r2dbc.url=${" + DatabaseUnreachableTests.URL + "}",
				"spring.r2dbc.username=${" + DatabaseUnreachableTests.USER + "}",
				"spring.r2dbc.password=${" + DatabaseUnreachableTests.PASSWORD + "}" })
@DirtiesContext
class DatabaseUnreachableTests {

	static final String ADMIN_KEY = "unreachable-admin-key-0123456789abcdef";

	// Well formed, so it costs a database lookup (in the request filters, before any controller).
	private static final String TENANT_KEY = "rly_" + "k".repeat(43);

	static final String URL = "reelay.test.unreachable.url";

	static final String USER = "reelay.test.unreachable.user";

	static final String PASSWORD = "reelay.test.unreachable.password";

	// Started before the context is built (the class is loaded first), so its address can be the context's.
	private static final EmbeddedPostgres OWN = new EmbeddedPostgres(
			new EmbeddedPostgresSettings(EmbeddedPostgresSettings.TEMPORARY, 0, "nobody", "reelay"),
			LogFactory.getLog(DatabaseUnreachableTests.class));

	static {
		PostgresConnection connection = OWN.start();
		System.setProperty(URL, connection.r2dbcUrl());
		System.setProperty(USER, connection.username());
		System.setProperty(PASSWORD, connection.password());
	}

	@LocalServerPort
	private int port;

	@AfterAll
	static void stopServer() {
		OWN.stop();
		System.clearProperty(URL);
		System.clearProperty(USER);
		System.clearProperty(PASSWORD);
	}

	@Test
	void whileTheDatabaseIsUnreachableTheApiAnswers503WithRetryAfter() {
		WebTestClient http = WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.port)
			.responseTimeout(Duration.ofSeconds(30))
			.build();
		http.get().uri("/api/v1/admin/tenants").header("Authorization", "Bearer " + ADMIN_KEY).exchange()
			.expectStatus().isOk();

		OWN.stop();
		// Each twice: the first may meet a pooled connection that broke, the second needs a new one and is refused.
		for (String[] request : new String[][] { { "/api/v1/admin/tenants", ADMIN_KEY },
				{ "/api/v1/admin/tenants", ADMIN_KEY }, { "/api/v1/jobs", TENANT_KEY }, { "/api/v1/jobs", TENANT_KEY } }) {
			long start = System.nanoTime();
			http.get()
				.uri(request[0])
				.header("Authorization", "Bearer " + request[1])
				.exchange()
				.expectStatus().isEqualTo(503)
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectHeader().valueEquals("Retry-After", "5")
				.expectBody().jsonPath("$.detail").value((String detail) -> assertThat(detail)
					.contains("database").doesNotContain("R2dbc").doesNotContain("Exception"));
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(25));
		}
	}

}
