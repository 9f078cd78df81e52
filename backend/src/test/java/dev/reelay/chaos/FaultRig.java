package dev.reelay.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import dev.reelay.database.CampaignPostgres;
import dev.reelay.database.PostgresConnection;
import dev.reelay.provider.AdversarialVideos;

/**
 * What a fault campaign runs against: one PostgreSQL of its own (restartable), one adversarial OpenAI-videos
 * stand-in with its ledger, and two Reelay instances as child JVMs sharing both. Campaign runs of several seeds
 * share one rig (starting JVMs is the slow part); each run tells its jobs apart by the markers in their prompts.
 */
final class FaultRig implements AutoCloseable {

	static final String PROVIDER = "chaos";

	static final String MODEL = "chaos-video";

	/** What one job costs by the catalog: 4 s at 0.25 USD a second. */
	static final java.math.BigDecimal ESTIMATE = new java.math.BigDecimal("1.00");

	/** The provider's limits as configured in Reelay, and judged at the stand-in. */
	static final int SUBMITS = 6;

	static final Duration SUBMITS_PER = Duration.ofSeconds(4);

	static final int POLLS = 30;

	static final Duration POLLS_PER = Duration.ofSeconds(2);

	/** Reelay's {@code reelay.dispatch.call-margin}: how much it widens each window for the way to the provider. */
	static final Duration CALL_MARGIN = Duration.ofSeconds(1);

	/** Reelay's timeout for a call to the provider; late creates are answered after it. */
	static final Duration PROVIDER_TIMEOUT = Duration.ofSeconds(3);

	static final Duration READY = Duration.ofSeconds(150);

	final CampaignPostgres postgres;

	final AdversarialVideos provider;

	final List<ReelayProcess> instances;

	final Path directory;

	private final Path storage;

	private volatile boolean closed;

	FaultRig(Path directory) {
		this.directory = directory;
		this.postgres = CampaignPostgres.start();
		this.provider = new AdversarialVideos();
		this.provider.lateAnswer = PROVIDER_TIMEOUT.plusSeconds(2);
		try {
			Files.createDirectories(directory);
			this.storage = Files.createTempDirectory("reelay-chaos-videos-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		PostgresConnection db = this.postgres.connection();
		Map<String, String> environment = Map.of("SPRING_R2DBC_URL", db.r2dbcUrl(), "SPRING_R2DBC_USERNAME",
				db.username(), "SPRING_R2DBC_PASSWORD", db.password());
		Map<String, String> properties = properties(this.provider.baseUrl(), this.storage);
		this.instances = Stream.of("chaos-a", "chaos-b")
			.map((name) -> new ReelayProcess(name, properties, environment, directory))
			.toList();
		// Should the test JVM end without closing the rig (a timeout, Ctrl-C), nothing of it is left running.
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			this.instances.forEach(ReelayProcess::kill);
			this.postgres.close();
		}, "chaos-rig-cleanup"));
		// Both at once, as a deploy starts them: Flyway's lock lets one migrate while the other waits.
		this.instances.forEach(ReelayProcess::start);
		Thread supervisor = new Thread(() -> {
			while (!this.closed) {
				this.instances.forEach(ReelayProcess::supervise);
				ReelayProcess.pause(Duration.ofMillis(500));
			}
		}, "chaos-supervisor");
		supervisor.setDaemon(true);
		supervisor.start();
		this.instances.forEach((instance) -> require(instance.awaitReady(READY), instance));
	}

	private static void require(boolean ready, ReelayProcess instance) {
		if (!ready) {
			throw new IllegalStateException(instance.name + " did not become ready; see its log in target/chaos");
		}
	}

	private static Map<String, String> properties(String baseUrl, Path storage) {
		Map<String, String> properties = new LinkedHashMap<>();
		properties.put("reelay.dispatch.enabled", "true");
		properties.put("reelay.dispatch.tick", "200ms");
		properties.put("reelay.dispatch.retry-base", "200ms");
		properties.put("reelay.dispatch.retry-max", "2s");
		properties.put("reelay.dispatch.lease", "6s");
		properties.put("reelay.dispatch.drain-timeout", "8s");
		properties.put("reelay.dispatch.call-margin", CALL_MARGIN.toMillis() + "ms");
		properties.put("reelay.providers.instances.simulator.enabled", "false");
		String instance = "reelay.providers.instances." + PROVIDER;
		properties.put(instance + ".family", "openai-videos");
		properties.put(instance + ".base-url", baseUrl);
		properties.put(instance + ".api-key", "chaos-test-key");
		properties.put(instance + ".timeout", PROVIDER_TIMEOUT.toMillis() + "ms");
		properties.put(instance + ".poll-interval", "300ms");
		String limits = "reelay.dispatch.limits." + PROVIDER;
		properties.put(limits + ".submits.count", Integer.toString(SUBMITS));
		properties.put(limits + ".submits.per", SUBMITS_PER.toMillis() + "ms");
		properties.put(limits + ".polls.count", Integer.toString(POLLS));
		properties.put(limits + ".polls.per", POLLS_PER.toMillis() + "ms");
		properties.put(limits + ".max-poll-interval", "2s");
		// Longer than a late answer plus the list's delay (AdversarialVideos.lateAnswer, Campaign's list delays).
		properties.put(limits + ".submit-grace", "8s");
		String model = "reelay.catalog.custom-models[0].";
		properties.put(model + "id", MODEL);
		properties.put(model + "display-name", "Chaos");
		properties.put(model + "provider", PROVIDER);
		properties.put(model + "remote-model", "sora-2");
		properties.put(model + "durations", "4");
		properties.put(model + "aspect-ratios", "16:9");
		properties.put(model + "resolutions", "720p");
		properties.put(model + "price.per-second.720p", "0.25");
		properties.put("reelay.storage.directory", storage.toString());
		properties.put("spring.lifecycle.timeout-per-shutdown-phase", "15s");
		return properties;
	}

	Connection jdbc() throws SQLException {
		PostgresConnection db = this.postgres.connection();
		return DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
	}

	List<ReelayProcess> ready() {
		return this.instances.stream().filter(ReelayProcess::ready).toList();
	}

	@Override
	public void close() {
		this.closed = true;
		CompletableFuture.allOf(this.instances.stream()
			.map((instance) -> CompletableFuture.runAsync(() -> instance.stopGracefully(Duration.ofSeconds(30))))
			.toArray(CompletableFuture[]::new)).join();
		this.provider.close();
		this.postgres.close();
		try {
			org.springframework.util.FileSystemUtils.deleteRecursively(this.storage);
		}
		catch (IOException ex) {
			// A temporary directory; the OS cleans up what is left.
		}
	}

}
