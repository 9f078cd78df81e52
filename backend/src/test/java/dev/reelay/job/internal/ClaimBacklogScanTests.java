package dev.reelay.job.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import dev.reelay.job.Job;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A claim's cost does not grow with jobs it cannot take (issue 13, finding 11): a tenant with thousands of jobs
 * scheduled weeks ahead ({@code not_before}) and thousands held over budget, all ahead of its due jobs in claim
 * order (higher priority), still has a claim's worth of those taken by reading about as many rows. Measured on the claim's
 * own statement with {@code EXPLAIN (ANALYZE, BUFFERS)} on a real PostgreSQL. The jobs belong to a provider of this
 * class's own, which no dispatcher serves.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "reelay.dispatch.enabled=false")
class ClaimBacklogScanTests {

	private static final JobParameters PARAMETERS = new JobParameters(4, "16:9", "720p", null, null);

	private static final int AHEAD = 5000;

	private static final int DUE = 2000;

	private static final int CLAIM = 10;

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
		copies(template, AHEAD, 9, "now() + interval '20 days'", "now() + interval '20 days'");
		copies(template, AHEAD, 9, "NULL", "TIMESTAMPTZ '9999-01-01 00:00:00+00'");
		// Due jobs of a lower priority: a claim's worth of them is what it must take, without reading the rest.
		copies(template, DUE, 1, "NULL", "now() - interval '1 minute'");
		this.db.sql("ANALYZE jobs").then().block();
		Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);

		JsonNode plan = this.json.readTree(this.db
			.sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + JobRepository.claimQueuedSql(false, false, false))
			.bind("owner", "scan")
			.bind("lease_until", now.plus(Duration.ofMinutes(5)))
			.bind("provider", provider)
			.bind("now", now.plusSeconds(1))
			.bind("limit", CLAIM)
			.bind("max_in_flight", 100)
			.map((row) -> row.get(0, String.class))
			.one()
			.block()).get(0).get("Plan");

		assertThat(this.db.sql("SELECT count(*) AS n FROM jobs WHERE provider = :provider AND lease_owner = 'scan' "
				+ "AND priority = 1 AND not_before IS NULL")
			.bind("provider", provider)
			.map((row) -> row.get("n", Long.class))
			.one()
			.block()).as("due jobs claimed").isEqualTo(CLAIM);
		long rows = jobRowsRead(plan);
		long blocks = plan.get("Shared Hit Blocks").asLong() + plan.get("Shared Read Blocks").asLong();
		System.out.printf("claim of %d behind %d scheduled and %d held jobs, with %d due: %d job rows read, %d blocks%n",
				CLAIM, AHEAD, AHEAD, DUE, rows, blocks);
		assertThat(rows).as("job rows the claim read").isLessThan(DUE / 10);
		// Blocks include one probe per tenant in the (shared) database, hence the looser bound.
		assertThat(blocks).as("blocks the claim touched").isLessThan(AHEAD / 2);
	}

	/** {@code count} queued copies of {@code template} of {@code priority}, an hour older than it. */
	private void copies(Job template, int count, int priority, String notBefore, String due) {
		String columns = this.db.sql("SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) AS c "
				+ "FROM information_schema.columns WHERE table_name = 'jobs' AND table_schema = current_schema()")
			.map((row) -> row.get("c", String.class))
			.one()
			.block();
		String values = columns;
		for (String[] swap : new String[][] { { "id", "gen_random_uuid()" }, { "status", "'queued'" },
				{ "status_reason", "NULL" }, { "idempotency_key", "NULL" }, { "not_before", notBefore },
				{ "next_attempt_at", due }, { "created_at", "created_at - interval '1 hour'" },
				{ "completed_at", "NULL" }, { "priority", Integer.toString(priority) } }) {
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
