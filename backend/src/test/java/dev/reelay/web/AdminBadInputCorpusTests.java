package dev.reelay.web;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bad-input corpus for the admin API, which is on only with an admin key: text PostgreSQL cannot store (a NUL)
 * or that is not text at all (an unpaired surrogate, stored as {@code ?} otherwise) is a 400 problem naming the
 * field, and no tenant or key is written. Same properties as the tenant tests, so the context is shared.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.dispatch.enabled=false", "reelay.security.admin-key=" + AdminBadInputCorpusTests.ADMIN_KEY })
class AdminBadInputCorpusTests {

	static final String ADMIN_KEY = "test-admin-key-0123456789";

	@LocalServerPort
	private int port;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private JsonMapper json;

	/** {@code %s} is where the marker goes that finds any row the request wrote. */
	@ParameterizedTest(name = "tenant name {0}")
	@ValueSource(strings = { "a NUL \\u0000 %s", "a lone surrogate \\ud800 %s", "a NUL at the end %s\\u0000" })
	void aTenantNameThatIsNotStorableTextIsRefused(String template) {
		String marker = "corpus-" + UUID.randomUUID();
		Map<?, ?> problem = refused("/api/v1/admin/tenants", "{\"name\": \"" + template.formatted(marker) + "\"}");
		assertThat(problem.get("field")).isEqualTo("name");
		assertThat(count("SELECT count(*) AS n FROM tenants WHERE name LIKE '%" + marker + "%'")).isZero();
	}

	@ParameterizedTest(name = "key name {0}")
	@ValueSource(strings = { "ci \\u0000", "ci \\udfff" })
	void aKeyNameThatIsNotStorableTextIsRefused(String name) {
		String tenant = (String) this.json
			.readValue(admin("/api/v1/admin/tenants", "{\"name\": \"corpus keys " + UUID.randomUUID() + "\"}"),
					Map.class)
			.get("id");
		Map<?, ?> problem = refused("/api/v1/admin/tenants/" + tenant + "/keys", "{\"name\": \"" + name + "\"}");
		assertThat(problem.get("field")).isEqualTo("name");
		assertThat(count("SELECT count(*) AS n FROM api_keys WHERE tenant_id = '" + tenant + "'")).isZero();
	}

	private Map<?, ?> refused(String path, String body) {
		WebClient.ResponseSpec response = client().post()
			.uri(path)
			.header("Authorization", "Bearer " + ADMIN_KEY)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.retrieve();
		var entity = response.onStatus((status) -> true, (ignored) -> reactor.core.publisher.Mono.empty())
			.toEntity(String.class)
			.block(Duration.ofSeconds(30));
		assertThat(entity.getStatusCode().value()).as("status: %s", entity.getBody()).isEqualTo(400);
		assertThat(entity.getHeaders().getContentType()).isNotNull();
		assertThat(MediaType.APPLICATION_PROBLEM_JSON.isCompatibleWith(entity.getHeaders().getContentType())).isTrue();
		return this.json.readValue(entity.getBody(), Map.class);
	}

	private String admin(String path, String body) {
		return client().post()
			.uri(path)
			.header("Authorization", "Bearer " + ADMIN_KEY)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(30));
	}

	private long count(String sql) {
		return this.db.sql(sql).map((row) -> row.get("n", Long.class)).one().block(Duration.ofSeconds(10));
	}

	private WebClient client() {
		return WebClient.builder().baseUrl("http://127.0.0.1:" + this.port).build();
	}

}
