package dev.reelay.tenant;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job library's list API over real HTTP and PostgreSQL: search by prompt ({@code q}), model and status filters
 * that combine, both sort orders with cursors that keep their place, each tenant seeing only its own jobs, and bad
 * values answered with a problem naming the parameter.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.dispatch.enabled=false", "reelay.security.admin-key=" + AdminClient.ADMIN_KEY,
				"reelay.simulator.enabled=true" })
class JobLibraryApiTests extends TwoTenantsTestSupport {

	@Autowired
	private DatabaseClient db;

	JobLibraryApiTests() {
		super("library");
	}

	@Test
	void searchFindsWordsOfThePromptInAnyCaseAndOnlyTheCallersJobs() {
		String lighthouse = submit(this.a, "A Lighthouse in a storm, waves crashing");
		String lighthouseAgain = submit(this.a, "Night shot of an old lighthouse");
		submit(this.a, "A calico cat playing a grand piano");
		String ofB = submit(this.b, "B's lighthouse at dawn");

		assertThat(ids(this.a, "q=LIGHTHOUSE")).containsExactly(lighthouseAgain, lighthouse);
		assertThat(ids(this.a, "q=house%20in%20a")).containsExactly(lighthouse);
		assertThat(ids(this.b, "q=lighthouse")).containsExactly(ofB);
		assertThat(ids(this.a, "q=submarine")).isEmpty();
		// LIKE's wildcards are searched for literally, not as patterns.
		assertThat(ids(this.a, "q=%25")).isEmpty();
		assertThat(ids(this.a, "q=_")).isEmpty();
		String percent = submit(this.a, "Sale: 50% off at the lighthouse shop");
		assertThat(ids(this.a, "q=50%25")).containsExactly(percent);
	}

	@Test
	void filtersAndSearchCombine() {
		String queued = submit(this.a, "combined: red balloon over a city");
		String canceled = submit(this.a, "combined: red balloon over the sea");
		submit(this.a, "combined: blue kite");
		as(this.a, this.http.post().uri("/api/v1/jobs/{id}/cancel", canceled)).exchange().expectStatus().isOk();

		assertThat(ids(this.a, "q=red%20balloon&status=canceled")).containsExactly(canceled);
		assertThat(ids(this.a, "q=red%20balloon&status=queued&model=sim-video")).containsExactly(queued);
		assertThat(ids(this.a, "q=red%20balloon&model=some-other-model")).isEmpty();
		assertThat(ids(this.a, "q=combined&status=queued,canceled")).hasSize(3);
	}

	@Test
	void bothOrdersPageThroughEveryMatchOnceWithTheirCursors() {
		List<String> made = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			made.add(submit(this.a, "paged clip number " + i));
		}
		submit(this.b, "paged clip of another tenant");

		List<String> newest = pageThrough(this.a, "q=paged%20clip&limit=2");
		List<String> newestFirst = new ArrayList<>(made);
		java.util.Collections.reverse(newestFirst);
		assertThat(newest).containsExactlyElementsOf(newestFirst);
		List<String> oldest = pageThrough(this.a, "q=paged%20clip&limit=2&sort=created_at");
		assertThat(oldest).containsExactlyElementsOf(made);
		assertThat(pageThrough(this.a, "q=paged%20clip&limit=2&sort=-created_at")).isEqualTo(newest);

		// A cursor of one order is refused in the other instead of skipping or repeating jobs.
		String cursor = (String) page(this.a, "q=paged%20clip&limit=2").get("next_cursor");
		problem(this.a, "q=paged%20clip&limit=2&sort=created_at&cursor=" + cursor, "cursor");
	}

	@Test
	void badValuesAreProblemsNamingTheParameter() {
		problem(this.a, "sort=prompt", "sort").jsonPath("$.detail")
			.isEqualTo("sort must be -created_at (newest first) or created_at (oldest first); got 'prompt'");
		problem(this.a, "q=" + "x".repeat(201), "q");
		problem(this.a, "q=a%00b", "q");
		problem(this.a, "model=a%01b", "model");
		problem(this.a, "status=nope&q=cat", "status");
		problem(this.a, "cursor=bm90LWEtY3Vyc29y", "cursor");
	}

	@Test
	void theTrigramIndexServesASearch() {
		// Few rows make a sequential scan cheapest; with it ruled out, the plan shows which index can answer ILIKE.
		String plan = this.db.inConnectionMany((connection) -> reactor.core.publisher.Flux
			.from(connection.createStatement("SET enable_seqscan = off").execute())
			.flatMap((result) -> result.getRowsUpdated())
			.thenMany(reactor.core.publisher.Flux
				.from(connection.createStatement("EXPLAIN SELECT id FROM jobs WHERE prompt ILIKE '%lighthouse%'").execute())
				.flatMap((result) -> result.map((row, meta) -> row.get(0, String.class))))
			.concatWith(reactor.core.publisher.Flux
				.from(connection.createStatement("RESET enable_seqscan").execute())
				.flatMap((result) -> result.getRowsUpdated())
				.then(reactor.core.publisher.Mono.empty())))
			.collectList()
			.map((lines) -> String.join("\n", lines))
			.block(WAIT);
		assertThat(plan).contains("jobs_prompt_trgm");
	}

	private List<String> pageThrough(String key, String query) {
		List<String> ids = new ArrayList<>();
		String cursor = null;
		int pages = 0;
		do {
			Map<?, ?> page = page(key, query + ((cursor != null) ? "&cursor=" + cursor : ""));
			((List<?>) page.get("data")).forEach((job) -> ids.add((String) ((Map<?, ?>) job).get("id")));
			cursor = (String) page.get("next_cursor");
			assertThat(++pages).as("pages").isLessThan(10);
		}
		while (cursor != null);
		return ids;
	}

	private Map<?, ?> page(String key, String query) {
		return as(key, this.http.get().uri(URI.create("http://127.0.0.1:" + this.port + "/api/v1/jobs?" + query))).exchange()
			.expectStatus().isOk()
			.expectBody(Map.class).returnResult().getResponseBody();
	}

	private List<String> ids(String key, String query) {
		return ((List<?>) page(key, query + "&limit=100").get("data")).stream()
			.map((job) -> (String) ((Map<?, ?>) job).get("id"))
			.toList();
	}

	private WebTestClient.BodyContentSpec problem(String key, String query, String field) {
		return as(key, this.http.get().uri(URI.create("http://127.0.0.1:" + this.port + "/api/v1/jobs?" + query))).exchange()
			.expectStatus().isBadRequest()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.field").isEqualTo(field);
	}

}
