package dev.reelay.simulator;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Creates and upgrades the simulator's own tables: its migrations ({@value #LOCATION}), its own Flyway history
 * ({@value #HISTORY}), over the application's database connection and schema, after the application's migrations.
 * A build or run without the simulator creates none of them.
 *
 * <p>
 * Databases from before the simulator owned its tables already hold {@code simulator_videos}, made by the
 * application's V2: when it held videos, V180 left it in place and the first migration here adopts it as it is
 * ({@code IF NOT EXISTS}), so jobs in flight still find their videos. The application's schema already has tables,
 * so this history starts with a baseline below the first migration.
 */
final class SimulatorSchema {

	static final String LOCATION = "classpath:db/simulator";

	static final String HISTORY = "simulator_schema_history";

	private static final Log logger = LogFactory.getLog(SimulatorSchema.class);

	private SimulatorSchema() {
	}

	/** Migrates with the application's Flyway settings (connection, schemas), its own location and history. */
	static MigrateResult migrate(Configuration application) {
		Flyway flyway = Flyway.configure()
			.configuration(application)
			.locations(LOCATION)
			.table(HISTORY)
			// Not the application's Java migrations or callbacks: this history runs only the simulator's scripts.
			.javaMigrations()
			.callbacks(new Callback[0])
			.target("latest")
			.baselineOnMigrate(true)
			.baselineVersion("0")
			.baselineDescription("simulator tables start here")
			.load();
		MigrateResult result = flyway.migrate();
		if (result.migrationsExecuted > 0) {
			logger.info("Simulator tables: " + result.migrationsExecuted + " migration(s) applied, now at version "
					+ result.targetSchemaVersion);
		}
		return result;
	}

}
