package dev.reelay.job;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A claim's cost does not grow with jobs it cannot take (issue 13, finding 11): a tenant with thousands of jobs
 * scheduled weeks ahead ({@code not_before}) and thousands held over budget, all ahead of its one due job in claim
 * order (higher priority, older), still has that job claimed by reading a handful of rows. Measured on the claim's
 * own statement with {@code EXPLAIN (ANALYZE, BUFFERS)} on a real PostgreSQL. The jobs belong to a provider of this
 * class's own, which no dispatcher serves.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "reelay.dispatch.enabled=false")
class ClaimBacklogScanTests {

	private static final JobParameters PARAMETERS = new JobParameters(4, "16:9", "720p", null, null);

	private static final int AHEAD = 5000;

	@Autowired
	private JobStore store;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private JsonMapper json;

	@Test
	void farFutureAndHeldJobsAheadInClaimOrderAreNotWalked() {
		String provider = "scan-" + UUID.randomUUID();
		UUID tenant = UUID.randomUUID();
		this.db.sql("INSERT INTO tenants (id, name) VALUES (:id, 'scan')").bind("id", tenant).then().block();
		Job template = this.store.create(new NewJob(tenant, "sim-video", provider, "ahead", PARAMETERS, 9, null, null))
			.block();
		this.store.cancel(template.id()).block();
		copies(template, AHEAD, "now() + interval '20 days'", "now() + interval '20 days'");
		copies(template, AHEAD, "NULL", "TIMESTAMPTZ '9999-01-01 00:00:00+00'");
		Job due = this.store.create(new NewJob(tenant, "sim-video", provider, "due", PARAMETERS, 0, null, null)).block();
		this.db.sql("ANALYZE jobs").then().block();
		Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);

		JsonNode plan = this.json.readTree(this.db
			.sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + JobRepository.claimQueuedSql(false, false, false))
			.bind("owner", "scan")
			.bind("lease_until", now.plus(Duration.ofMinutes(5)))
			.bind("provider", provider)
			.bind("now", now.plusSeconds(1))
			.bind("limit", 10)
			.bind("max_in_flight", 100)
			.map((row) -> row.get(0, String.class))
			.one()
			.block()).get(0).get("Plan");

		assertThat(this.store.find(due.id()).block().leaseOwner()).isEqualTo("scan");
		long rows = jobRowsRead(plan);
		long blocks = plan.get("Shared Hit Blocks").asLong() + plan.get("Shared Read Blocks").asLong();
		System.out.printf("claim behind %d scheduled and %d held jobs: %d job rows read, %d blocks%n", AHEAD, AHEAD,
				rows, blocks);
		assertThat(rows).as("job rows the claim read").isLessThan(100);
		assertThat(blocks).as("blocks the claim touched").isLessThan(AHEAD / 10);
	}

	/** {@code count} queued copies of {@code template}, older and of higher priority than anything queued after. */
	private void copies(Job template, int count, String notBefore, String due) {
		String columns = this.db.sql("SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) AS c "
				+ "FROM information_schema.columns WHERE table_name = 'jobs' AND table_schema = current_schema()")
			.map((row) -> row.get("c", String.class))
			.one()
			.block();
		String values = columns;
		for (String[] swap : new String[][] { { "id", "gen_random_uuid()" }, { "status", "'queued'" },
				{ "status_reason", "NULL" }, { "idempotency_key", "NULL" }, { "not_before", notBefore },
				{ "next_attempt_at", due }, { "created_at", "created_at - interval '1 hour'" },
				{ "completed_at", "NULL" } }) {
			values = values.replaceFirst("\\b" + swap[0] + "\\b", java.util.regex.Matcher.quoteReplacement(swap[1]));
		}
		this.db.sql("INSERT INTO jobs (" + columns + ") SELECT " + values
				+ " FROM jobs, generate_series(1, :n) WHERE id = :id")
			.bind("n", count)
			.bind("id", template.id())
			.then()
			.block();
	}

	/** Rows the plan's nodes on {@code jobs} produced or read and dropped, over all their loops. */
	private static long jobRowsRead(JsonNode node) {
		long rows = 0;
		if ("jobs".equals(node.path("Relation Name").asString(""))) {
			long loops = Math.max(1, node.path("Actual Loops").asLong(1));
			rows += (node.path("Actual Rows").asLong(0) + node.path("Rows Removed by Filter").asLong(0)
					+ node.path("Rows Removed by Index Recheck").asLong(0)) * loops;
		}
		for (JsonNode child : node.path("Plans")) {
			rows += jobRowsRead(child);
		}
		return rows;
	}

}
