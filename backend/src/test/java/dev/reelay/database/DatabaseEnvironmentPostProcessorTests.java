package dev.reelay.database;

import java.util.List;
import java.util.Optional;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

class DatabaseEnvironmentPostProcessorTests {

	private static final Log log = LogFactory.getLog(DatabaseEnvironmentPostProcessorTests.class);

	private final MockEnvironment environment = new MockEnvironment();

	@Test
	void anExplicitR2dbcUrlWinsAndFlywayIsDerivedFromIt() {
		this.environment.setProperty("spring.r2dbc.url", "r2dbc:postgresql://db.example:6543/jobs");
		this.environment.setProperty("spring.r2dbc.username", "app");
		this.environment.setProperty("spring.r2dbc.password", "secret");

		postProcess(failingProvisioner(), false);

		assertThat(this.environment.getProperty("spring.r2dbc.url")).isEqualTo("r2dbc:postgresql://db.example:6543/jobs");
		assertThat(this.environment.getProperty("spring.flyway.url")).isEqualTo("jdbc:postgresql://db.example:6543/jobs");
		assertThat(this.environment.getProperty("spring.flyway.user")).isEqualTo("app");
		assertThat(this.environment.getProperty("spring.flyway.password")).isEqualTo("secret");
		assertThat(this.environment.getProperty("spring.docker.compose.enabled")).isEqualTo("false");
	}

	@Test
	void credentialsAndTlsInTheR2dbcUrlCarryOverToFlyway() {
		this.environment.setProperty("spring.r2dbc.url", "r2dbc:pool:postgresql://app:secret@db.example/jobs?sslMode=verify-full");

		postProcess(failingProvisioner(), false);

		assertThat(this.environment.getProperty("spring.flyway.url"))
			.isEqualTo("jdbc:postgresql://db.example/jobs?sslmode=verify-full");
		assertThat(this.environment.getProperty("spring.flyway.user")).isEqualTo("app");
		assertThat(this.environment.getProperty("spring.flyway.password")).isEqualTo("secret");
	}

	@Test
	void explicitFlywaySettingsAreKept() {
		this.environment.setProperty("spring.r2dbc.url", "r2dbc:postgresql://db.example:6543/jobs");
		this.environment.setProperty("spring.r2dbc.username", "app");
		this.environment.setProperty("spring.flyway.url", "jdbc:postgresql://admin.example/jobs");
		this.environment.setProperty("spring.flyway.user", "owner");

		postProcess(failingProvisioner(), false);

		assertThat(this.environment.getProperty("spring.flyway.url")).isEqualTo("jdbc:postgresql://admin.example/jobs");
		assertThat(this.environment.getProperty("spring.flyway.user")).isEqualTo("owner");
		assertThat(this.environment.containsProperty("spring.flyway.password")).isFalse();
	}

	@Test
	void theFirstProvisionerThatAnswersWins() {
		PostgresConnection provided = new PostgresConnection("10.0.0.7", 5433, "reelay", "tc", "tc-secret");
		PostgresProvisioner declines = (environment) -> Optional.empty();
		PostgresProvisioner answers = (environment) -> Optional.of(provided);

		postProcess(List.of(declines, answers, failingProvisioner().get(0)), true);

		assertThat(this.environment.getProperty("spring.r2dbc.url")).isEqualTo("r2dbc:postgresql://10.0.0.7:5433/reelay");
		assertThat(this.environment.getProperty("spring.r2dbc.username")).isEqualTo("tc");
		assertThat(this.environment.getProperty("spring.r2dbc.password")).isEqualTo("tc-secret");
		assertThat(this.environment.getProperty("spring.flyway.url")).isEqualTo("jdbc:postgresql://10.0.0.7:5433/reelay");
		assertThat(this.environment.getProperty("spring.docker.compose.enabled")).isEqualTo("false");
	}

	@Test
	void dockerComposeIsLeftAloneWhenUsable() {
		postProcess(List.of(), true);

		assertThat(this.environment.containsProperty("spring.r2dbc.url")).isFalse();
		assertThat(this.environment.containsProperty("spring.docker.compose.enabled")).isFalse();
	}

	@Test
	void withNothingConfiguredTheEmbeddedServerIsUsed() {
		this.environment.setProperty("reelay.database.embedded.data-dir", EmbeddedPostgresSettings.TEMPORARY);
		// Whatever the application.yaml of a Spring test context says, these must not win over the embedded server.
		this.environment.setProperty("spring.r2dbc.username", "someone-else");

		postProcess(List.of(), false);

		PostgresConnection embedded = EmbeddedPostgres
			.shared(EmbeddedPostgresSettings.from(this.environment), log)
			.connection();
		assertThat(this.environment.getProperty("spring.r2dbc.url")).isEqualTo(embedded.r2dbcUrl())
			.startsWith("r2dbc:postgresql://127.0.0.1:");
		assertThat(this.environment.getProperty("spring.r2dbc.username")).isEqualTo("reelay");
		assertThat(this.environment.getProperty("spring.r2dbc.password")).isEqualTo(embedded.password());
		assertThat(this.environment.getProperty("spring.flyway.url")).isEqualTo(embedded.jdbcUrl());
		assertThat(this.environment.getProperty("spring.flyway.user")).isEqualTo("reelay");
		assertThat(this.environment.getProperty("spring.flyway.password")).isEqualTo(embedded.password());
		assertThat(this.environment.getProperty("spring.docker.compose.enabled")).isEqualTo("false");
	}

	@Test
	void settingsHaveDefaults() {
		assertThat(EmbeddedPostgresSettings.from(this.environment))
			.isEqualTo(new EmbeddedPostgresSettings("./data/postgres", 0, "nobody", "reelay"));
	}

	private void postProcess(List<PostgresProvisioner> provisioners, boolean dockerComposeUsable) {
		new DatabaseEnvironmentPostProcessor(log, (classLoader) -> provisioners, (environment) -> dockerComposeUsable)
			.postProcessEnvironment(this.environment, new SpringApplication());
	}

	private static List<PostgresProvisioner> failingProvisioner() {
		return List.of((environment) -> {
			throw new AssertionError("No provisioner may be asked when spring.r2dbc.url is set");
		});
	}

}
