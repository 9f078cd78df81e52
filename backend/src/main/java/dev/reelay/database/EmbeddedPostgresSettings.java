package dev.reelay.database;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.core.env.Environment;

/**
 * {@code reelay.database.embedded.*}. Bound by hand with a {@link Binder}: the server starts in an
 * EnvironmentPostProcessor, before any {@code @ConfigurationProperties} bean exists.
 *
 * @param dataDir where the cluster lives across restarts, or {@value #TEMPORARY} for a fresh one deleted at exit
 * @param port the TCP port on 127.0.0.1, 0 for any free one
 * @param runAs the user the server runs as when the JVM runs as root
 * @param database the database created for Reelay
 */
record EmbeddedPostgresSettings(@DefaultValue("./data/postgres") String dataDir, @DefaultValue("0") int port,
		@DefaultValue("nobody") String runAs, @DefaultValue("reelay") String database) {

	static final String PREFIX = "reelay.database.embedded";

	static final String TEMPORARY = "temporary";

	static EmbeddedPostgresSettings from(Environment environment) {
		return Binder.get(environment).bindOrCreate(PREFIX, EmbeddedPostgresSettings.class);
	}

	boolean temporary() {
		return TEMPORARY.equalsIgnoreCase(this.dataDir.trim());
	}

}
