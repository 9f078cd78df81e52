package dev.reelay.database;

import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

import org.springframework.core.env.Environment;

/**
 * Supplies tests with PostgreSQL in a container when a Docker engine is available. One container per JVM, shared
 * by every test context; Testcontainers removes it when the JVM exits.
 */
class TestcontainersPostgresProvisioner implements PostgresProvisioner {

	// Pinned, and the same major version as the embedded binaries, so both paths test the same server.
	static final String IMAGE = "postgres:17.6-alpine";

	private static @Nullable Boolean dockerAvailable;

	private static @Nullable PostgreSQLContainer container;

	@Override
	public Optional<PostgresConnection> provision(Environment environment) {
		synchronized (TestcontainersPostgresProvisioner.class) {
			if (dockerAvailable == null) {
				dockerAvailable = DockerClientFactory.instance().isDockerAvailable();
			}
			if (!dockerAvailable) {
				return Optional.empty();
			}
			if (container == null) {
				PostgreSQLContainer started = new PostgreSQLContainer(IMAGE).withDatabaseName("reelay")
					.withUsername("reelay")
					.withPassword("reelay");
				started.start();
				container = started;
			}
			return Optional.of(new PostgresConnection(container.getHost(),
					container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT), container.getDatabaseName(),
					container.getUsername(), container.getPassword()));
		}
	}

}
