/**
 * Finds Reelay's PostgreSQL server before the application context starts: an explicit {@code spring.r2dbc.url},
 * a registered {@link dev.reelay.database.PostgresProvisioner}, Docker Compose, or else a server Reelay runs
 * itself from embedded binaries. See {@code DatabaseEnvironmentPostProcessor}.
 */
@ApplicationModule(allowedDependencies = {})
@NullMarked
package dev.reelay.database;

import org.jspecify.annotations.NullMarked;

import org.springframework.modulith.ApplicationModule;
