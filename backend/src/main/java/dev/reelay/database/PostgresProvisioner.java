package dev.reelay.database;

import java.util.Optional;

import org.springframework.core.env.Environment;

/**
 * Supplies a PostgreSQL server when none is configured with {@code spring.r2dbc.url}. Implementations are listed
 * in {@code META-INF/spring.factories} under this interface's name and asked in order; the first to answer wins,
 * and the embedded server is used when none does. Tests register one backed by Testcontainers.
 */
public interface PostgresProvisioner {

	/**
	 * A server to use, or empty when this provisioner cannot supply one here (for example, no Docker engine).
	 * Called once per Spring application, so implementations should reuse one server per JVM.
	 */
	Optional<PostgresConnection> provision(Environment environment);

}
