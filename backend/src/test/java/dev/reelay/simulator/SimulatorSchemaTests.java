package dev.reelay.simulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulator's own tables and the way there from databases where the application's V2 made them: the
 * application's scripts (V2, then V180) and the simulator's own migrations run in a schema of their own, so the
 * shared database is untouched.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "reelay.dispatch.enabled=false")
class SimulatorSchemaTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	@Autowired
	private ConnectionFactory connections;

	@Autowired
	private Flyway applicationFlyway;

	private final String schema = "sim_" + UUID.randomUUID().toString().replace("-", "");

	@AfterEach
	void dropSchema() {
		run("DROP SCHEMA IF EXISTS " + this.schema + " CASCADE");
	}

	@Test
	void anUpgradedDatabaseKeepsTheVideosOfJobsInFlightAndTheSimulatorAdoptsTheirTable() throws IOException {
		applicationScript("V2__simulator_videos.sql");
		// A job in flight: created ten seconds ago, twenty to go; another already deleted, still on the ledger.
		inSchema("INSERT INTO simulator_videos (id, project, model, prompt, size, seconds, created_at, generation_ms, "
				+ "outcome) VALUES ('video_in_flight', 'p', 'sora-2', 'a cat', '1280x720', '8', now() - interval '10 s', "
				+ "30000, 'completed'); INSERT INTO simulator_videos (id, project, model, prompt, size, seconds, "
				+ "created_at, generation_ms, outcome, deleted) VALUES ('video_deleted', 'p', 'sora-2', 'a dog', "
				+ "'1280x720', '8', now() - interval '1 h', 30000, 'completed', true)");

		applicationScript("V180__simulator_videos_to_the_simulator.sql");
		assertThat(query("SELECT id FROM " + this.schema + ".simulator_videos ORDER BY seq"))
			.as("V180 leaves a table holding videos in place")
			.containsExactly("video_in_flight", "video_deleted");

		assertThat(SimulatorSchema.migrate(configuration()).migrationsExecuted).isEqualTo(1);

		assertThat(query("SELECT id || ' ' || seq || ' ' || deleted FROM " + this.schema
				+ ".simulator_videos ORDER BY seq")).containsExactly("video_in_flight 1 false", "video_deleted 2 true");
		assertThat(history()).containsExactly("0 BASELINE true", "1 SQL true");
		// The adopted table goes on as before: the next create continues the insertion order.
		inSchema("INSERT INTO simulator_videos (id, project, model, prompt, size, seconds, created_at, generation_ms, "
				+ "outcome) VALUES ('video_next', 'p', 'sora-2', 'a bird', '1280x720', '8', now(), 30000, 'completed')");
		assertThat(query("SELECT seq::text FROM " + this.schema + ".simulator_videos WHERE id = 'video_next'"))
			.containsExactly("3");
	}

	@Test
	void aFreshDatabaseGetsTheTableFromTheSimulatorAloneAndOnlyWhereItRuns() throws IOException {
		applicationScript("V2__simulator_videos.sql");
		applicationScript("V180__simulator_videos_to_the_simulator.sql");
		assertThat(tables()).as("the application's migrations leave no simulator table").isEmpty();

		assertThat(SimulatorSchema.migrate(configuration()).migrationsExecuted).isEqualTo(1);
		assertThat(tables()).containsExactlyInAnyOrder("simulator_videos", SimulatorSchema.HISTORY);
		assertThat(history()).containsExactly("1 SQL true");

		assertThat(SimulatorSchema.migrate(configuration()).migrationsExecuted).as("once").isZero();
	}

	@Test
	void theApplicationsMigrationsLeaveATableThatIsTheSimulatorsAlone() throws IOException {
		run("CREATE SCHEMA " + this.schema);
		SimulatorSchema.migrate(configuration());
		// Nothing a test wrote yet: V180 would drop an empty table, but not one the simulator's history owns.
		applicationScript("V180__simulator_videos_to_the_simulator.sql");

		assertThat(tables()).containsExactlyInAnyOrder("simulator_videos", SimulatorSchema.HISTORY);
	}

	/** The application's Flyway settings (connection, user) on this test's schema. */
	private Configuration configuration() {
		return Flyway.configure()
			.configuration(this.applicationFlyway.getConfiguration())
			.schemas(this.schema)
			.defaultSchema(this.schema)
			.load()
			.getConfiguration();
	}

	private void applicationScript(String name) throws IOException {
		inSchema(new ClassPathResource("db/migration/" + name).getContentAsString(StandardCharsets.UTF_8));
	}

	// SET LOCAL: the connection goes back to a pool shared with the application; the path ends with the commit.
	private void inSchema(String sql) {
		run("CREATE SCHEMA IF NOT EXISTS " + this.schema + "; BEGIN; SET LOCAL search_path TO " + this.schema + "; "
				+ sql + "; COMMIT;");
	}

	private List<String> tables() {
		return query("SELECT table_name::text FROM information_schema.tables WHERE table_schema = '" + this.schema
				+ "'");
	}

	private List<String> history() {
		return query("SELECT version || ' ' || type || ' ' || success FROM " + this.schema + "."
				+ SimulatorSchema.HISTORY + " ORDER BY installed_rank");
	}

	private void run(String sql) {
		Mono.usingWhen(Mono.from(this.connections.create()),
				(connection) -> Flux.from(connection.createStatement(sql).execute())
					.flatMap(Result::getRowsUpdated)
					.then(),
				Connection::close)
			.block(TIMEOUT);
	}

	private List<String> query(String sql) {
		return Mono.usingWhen(Mono.from(this.connections.create()),
				(connection) -> Flux.from(connection.createStatement(sql).execute())
					.flatMap((result) -> result.map((row, meta) -> row.get(0, String.class)))
					.collectList(),
				Connection::close)
			.block(TIMEOUT);
	}

}
