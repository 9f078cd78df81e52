package dev.reelay.database;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.util.StringUtils;

/**
 * Decides which PostgreSQL server Reelay uses, before the application context exists, so that R2DBC and Flyway
 * are configured by ordinary properties whichever way the server was found:
 * <ol>
 * <li>{@code spring.r2dbc.url}, when set; Flyway's JDBC settings are derived from it unless set too;</li>
 * <li>the first {@link PostgresProvisioner} registered in {@code spring.factories} that supplies one (tests
 * register Testcontainers);</li>
 * <li>Spring Boot's Docker Compose support, when a Docker engine answers, there is a compose file and this is no
 * test;</li>
 * <li>otherwise a server Reelay runs itself from the embedded binaries ({@link EmbeddedPostgres}).</li>
 * </ol>
 * Except in the Docker Compose case, Boot's compose support is switched off so it does not start a second server.
 */
class DatabaseEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	static final String PROPERTY_SOURCE_NAME = "reelayDatabase";

	private static final String[] COMPOSE_FILES = { "compose.yaml", "compose.yml", "docker-compose.yaml",
			"docker-compose.yml" };

	// The same markers Boot's Docker Compose support uses to skip itself in tests.
	private static final String[] TEST_FRAMEWORKS = { "org.junit.runners.", "org.junit.platform.",
			"org.springframework.boot.test.", "cucumber.runtime." };

	private final Log log;

	private final Function<ClassLoader, List<PostgresProvisioner>> provisioners;

	private final Predicate<Environment> dockerComposeUsable;

	public DatabaseEnvironmentPostProcessor(DeferredLogFactory logFactory) {
		this(logFactory.getLog(DatabaseEnvironmentPostProcessor.class),
				(classLoader) -> SpringFactoriesLoader.forDefaultResourceLocation(classLoader).load(PostgresProvisioner.class),
				(environment) -> !runningInTest() && DockerEngine.answers(environment) && composeFileExists(environment));
	}

	DatabaseEnvironmentPostProcessor(Log log, Function<ClassLoader, List<PostgresProvisioner>> provisioners,
			Predicate<Environment> dockerComposeUsable) {
		this.log = log;
		this.provisioners = provisioners;
		this.dockerComposeUsable = dockerComposeUsable;
	}

	// Last, so that every other source of configuration has been loaded.
	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		Map<String, Object> properties = new LinkedHashMap<>();
		String r2dbcUrl = environment.getProperty("spring.r2dbc.url");
		if (StringUtils.hasText(r2dbcUrl)) {
			deriveFlywayProperties(environment, r2dbcUrl, properties);
		}
		else {
			Optional<PostgresConnection> provisioned = provision(environment, application.getClassLoader());
			if (provisioned.isPresent()) {
				putConnection(provisioned.get(), properties);
			}
			else if (this.dockerComposeUsable.test(environment)) {
				this.log.info("PostgreSQL: none configured; leaving it to Spring Boot's Docker Compose support");
				return;
			}
			else {
				startEmbedded(environment, properties);
			}
		}
		properties.put("spring.docker.compose.enabled", "false");
		MutablePropertySources sources = environment.getPropertySources();
		MapPropertySource source = new MapPropertySource(PROPERTY_SOURCE_NAME, properties);
		if (sources.contains(PROPERTY_SOURCE_NAME)) {
			sources.replace(PROPERTY_SOURCE_NAME, source);
		}
		else {
			sources.addFirst(source);
		}
	}

	private Optional<PostgresConnection> provision(Environment environment, ClassLoader classLoader) {
		for (PostgresProvisioner provisioner : this.provisioners.apply(classLoader)) {
			Optional<PostgresConnection> connection = provisioner.provision(environment);
			if (connection.isPresent()) {
				this.log.info("PostgreSQL: " + connection.get().r2dbcUrl() + " from " + provisioner.getClass().getName());
				return connection;
			}
		}
		return Optional.empty();
	}

	private void startEmbedded(Environment environment, Map<String, Object> properties) {
		long start = System.nanoTime();
		EmbeddedPostgres server = EmbeddedPostgres.shared(EmbeddedPostgresSettings.from(environment), this.log);
		PostgresConnection connection = server.connection();
		putConnection(connection, properties);
		this.log.info("PostgreSQL: embedded server at " + connection.r2dbcUrl() + ", data in " + server.dataDirectory()
				+ " (ready in " + (System.nanoTime() - start) / 1_000_000 + " ms)");
	}

	private static void putConnection(PostgresConnection connection, Map<String, Object> properties) {
		properties.put("spring.r2dbc.url", connection.r2dbcUrl());
		properties.put("spring.r2dbc.username", connection.username());
		properties.put("spring.r2dbc.password", connection.password());
		properties.put("spring.flyway.url", connection.jdbcUrl());
		properties.put("spring.flyway.user", connection.username());
		properties.put("spring.flyway.password", connection.password());
	}

	/** Flyway migrates over JDBC, so it needs the same server as a JDBC URL; derive what was not set explicitly. */
	private static void deriveFlywayProperties(Environment environment, String r2dbcUrl, Map<String, Object> properties) {
		ConnectionFactoryOptions options;
		try {
			options = ConnectionFactoryOptions.parse(r2dbcUrl);
		}
		catch (IllegalArgumentException ex) {
			// R2DBC auto-configuration reports a malformed URL better than we could.
			return;
		}
		if (!isPostgres(options)) {
			return;
		}
		if (!environment.containsProperty("spring.flyway.url")) {
			properties.put("spring.flyway.url", jdbcUrl(options));
		}
		String username = firstText(environment.getProperty("spring.r2dbc.username"),
				options.getValue(ConnectionFactoryOptions.USER));
		if (!environment.containsProperty("spring.flyway.user") && username != null) {
			properties.put("spring.flyway.user", username);
		}
		String password = firstText(environment.getProperty("spring.r2dbc.password"),
				options.getValue(ConnectionFactoryOptions.PASSWORD));
		if (!environment.containsProperty("spring.flyway.password") && password != null) {
			properties.put("spring.flyway.password", password);
		}
	}

	private static boolean isPostgres(ConnectionFactoryOptions options) {
		Object driver = options.getValue(ConnectionFactoryOptions.DRIVER);
		if ("pool".equals(driver)) {
			// r2dbc:pool:postgresql://...
			Object protocol = options.getValue(ConnectionFactoryOptions.PROTOCOL);
			driver = (protocol != null) ? protocol.toString().split(":")[0] : null;
		}
		return "postgresql".equals(driver) || "postgres".equals(driver);
	}

	private static String jdbcUrl(ConnectionFactoryOptions options) {
		String host = String.valueOf(options.getValue(ConnectionFactoryOptions.HOST));
		if (host.contains(":") && !host.startsWith("[")) {
			host = "[" + host + "]";
		}
		Object port = options.getValue(ConnectionFactoryOptions.PORT);
		Object database = options.getValue(ConnectionFactoryOptions.DATABASE);
		StringBuilder url = new StringBuilder("jdbc:postgresql://").append(host);
		if (port != null) {
			url.append(':').append(port);
		}
		url.append('/').append((database != null) ? database : "");
		// Managed servers usually insist on TLS; keep what the R2DBC URL asked for.
		Object sslMode = options.getValue(Option.valueOf("sslMode"));
		if (sslMode != null) {
			url.append("?sslmode=").append(sslMode.toString().toLowerCase(Locale.ROOT).replace('_', '-'));
		}
		return url.toString();
	}

	private static @Nullable String firstText(@Nullable String preferred, @Nullable Object fallback) {
		if (StringUtils.hasText(preferred)) {
			return preferred;
		}
		return (fallback != null && StringUtils.hasText(fallback.toString())) ? fallback.toString() : null;
	}

	private static boolean composeFileExists(Environment environment) {
		String configured = environment.getProperty("spring.docker.compose.file");
		if (StringUtils.hasText(configured)) {
			for (String file : StringUtils.commaDelimitedListToStringArray(configured)) {
				if (Files.isRegularFile(Path.of(file.trim()))) {
					return true;
				}
			}
			return false;
		}
		for (String name : COMPOSE_FILES) {
			if (Files.isRegularFile(Path.of(name))) {
				return true;
			}
		}
		return false;
	}

	private static boolean runningInTest() {
		for (StackTraceElement element : new Throwable().getStackTrace()) {
			for (String framework : TEST_FRAMEWORKS) {
				if (element.getClassName().startsWith(framework)) {
					return true;
				}
			}
		}
		return false;
	}

}
