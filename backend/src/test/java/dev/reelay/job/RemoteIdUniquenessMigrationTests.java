package dev.reelay.job;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The migration that makes a provider's id unique per job, run on rows that already break the rule (a job that
 * adopted another job's generation before it existed): in a schema of its own, so the shared database is untouched.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "reelay.dispatch.enabled=false")
class RemoteIdUniquenessMigrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	@Autowired
	private ConnectionFactory connections;

	@Test
	void duplicatesAreSetAsideTheFirstSenderKeepsTheIdAndTheIndexHoldsFromThenOn() throws IOException {
		String schema = "v105_" + UUID.randomUUID().toString().replace("-", "");
		String migration = new ClassPathResource("db/migration/V105__remote_id_unique_per_provider.sql")
			.getContentAsString(StandardCharsets.UTF_8);
		UUID first = UUID.randomUUID();
		UUID second = UUID.randomUUID();
		UUID alone = UUID.randomUUID();
		UUID elsewhere = UUID.randomUUID();
		try {
			// SET LOCAL: the connection goes back to a pool shared with the application; the path ends with the commit.
			run("CREATE SCHEMA " + schema + "; CREATE TABLE " + schema + ".jobs (LIKE public.jobs INCLUDING DEFAULTS); "
					+ "BEGIN; SET LOCAL search_path TO " + schema + "; "
					+ row(first, "p", "video_shared", "2026-01-01T10:00:00Z", "completed")
					+ row(second, "p", "video_shared", "2026-01-01T10:00:05Z", "in_progress")
					+ row(alone, "p", "video_alone", "2026-01-01T10:00:09Z", "completed")
					+ row(elsewhere, "q", "video_shared", "2026-01-01T10:00:07Z", "completed") + migration + "; COMMIT;");

			Map<UUID, String> remoteIds = remoteIds(schema);
			assertThat(remoteIds).containsEntry(first, "video_shared")
				.containsEntry(second, null)
				.containsEntry(alone, "video_alone")
				.containsEntry(elsewhere, "video_shared");
			assertThat(query("SELECT job_id::text || ' ' || kept FROM " + schema
					+ ".job_remote_id_conflicts ORDER BY kept DESC")).containsExactly(first + " true", second + " false");
			assertThat(query("SELECT version::text FROM " + schema + ".jobs WHERE id = '" + second + "'"))
				.as("a writer still holding the old row loses").containsExactly("1");
			assertThatThrownBy(() -> run("UPDATE " + schema + ".jobs SET remote_id = 'video_shared' WHERE id = '"
					+ second + "'")).hasMessageContaining("jobs_remote_id_unique");
		}
		finally {
			run("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
		}
	}

	private static String row(UUID id, String provider, String remoteId, String submitted, String status) {
		return "INSERT INTO jobs (id, tenant_id, status, model, provider, prompt, parameters, remote_id, "
				+ "submit_started_at, next_attempt_at, created_at, updated_at, version) VALUES ('" + id
				+ "', '00000000-0000-0000-0000-000000000000', '" + status + "', 'm', '" + provider + "', 'a cat', '{}', '"
				+ remoteId + "', '" + submitted + "', '" + submitted + "', '" + submitted + "', '" + submitted + "', 0); ";
	}

	private Map<UUID, String> remoteIds(String schema) {
		Map<UUID, String> ids = new java.util.HashMap<>();
		for (String line : query("SELECT id::text || ' ' || coalesce(remote_id, '-') FROM " + schema + ".jobs")) {
			String[] parts = line.split(" ");
			ids.put(UUID.fromString(parts[0]), parts[1].equals("-") ? null : parts[1]);
		}
		return ids;
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
