package dev.reelay.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's job library and the job page in headless Chromium: no sideways scrolling from 320 px up, search,
 * filters and sort done by the server and kept in the address, pages that keep their place, bulk cancel and cancel
 * with a confirmation showing the cost, delete, the timeline collapsing progress into one line with an ETA, form
 * errors where the person is looking, and an axe-core audit with no serious or critical violation in either theme.
 * Screenshots of every state go to {@code target/screenshots/}.
 */
@DirtiesContext
@Import(OtherClassesJobsHeld.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = { "reelay.dispatch.enabled=true",
		"reelay.simulator.generation-time=6s", "reelay.providers.instances.simulator.poll-interval=200ms",
		"reelay.dispatch.tick=100ms" })
class JobLibraryBrowserTests {

	private static final Duration JOB_DONE = Duration.ofSeconds(45);

	private static final Duration QUICK = Duration.ofSeconds(15);

	private static final Path SCREENSHOTS = Path.of("target", "screenshots");

	private static final List<Integer> WIDTHS = List.of(320, 390, 768, 1280);

	private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {
	};

	@RegisterExtension
	static final Browser browser = new Browser().failingOnPageErrors();

	@LocalServerPort
	private int port;

	@org.springframework.beans.factory.annotation.Autowired
	private org.springframework.r2dbc.core.DatabaseClient db;

	/** Runs before the browser's page-error check, as each test may leave a phone viewport or dark theme behind. */
	@AfterEach
	void resetViewportAndTheme() {
		browser.driver().executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
		browser.prefersDark(false);
	}

	@Test
	void noWidthFrom320UpScrollsSideways() throws Exception {
		// An unbreakable prompt is the widest thing a row can hold; the providers' setup hints are long variable names.
		String unbroken = "Unbroken" + "x".repeat(180) + System.nanoTime();
		String done = id(submit(unbroken, null));
		submit("A phone-width check of a queued job with a long, ordinary prompt that wraps over several lines",
				Instant.now().plus(Duration.ofDays(1)));
		openDashboard();
		// Each of the page's API calls is made once while it loads.
		Map<String, Long> calls = browser.script("""
				const ready = performance.getEntriesByName('reelay-ready')[0].startTime;
				const counts = {};
				performance.getEntriesByType('resource').filter((e) => e.startTime < ready && e.name.includes('/api/'))
				  .forEach((e) => { const path = new URL(e.name).pathname; counts[path] = (counts[path] ?? 0) + 1; });
				return counts;
				""");
		assertThat(calls).containsEntry("/api/v1/jobs", 1L).containsEntry("/api/v1/providers", 1L)
			.containsEntry("/api/v1/activity", 1L).containsEntry("/api/v1/models", 1L);
		WebElement row = row(done);
		browser.waitUpTo(JOB_DONE).until((driver) -> "completed".equals(row.getAttribute("data-status")));
		// A fresh install has only the simulator on: the others are folded under one line.
		viewport(1280);
		assertThat(find("#providers-more").getAttribute("open")).isNull();
		long providersHeight = browser.<Number>script(
				"return document.querySelector('.providers-card').getBoundingClientRect().height").longValue();
		System.out.println("Providers card at 1280 px, only the simulator on: " + providersHeight + " px tall");
		assertThat(providersHeight).isLessThan(400);
		browser.script("document.getElementById('providers-more').open = true;"
				+ "document.querySelectorAll('.provider-setup').forEach((d) => d.open = true);");

		for (int width : WIDTHS) {
			viewport(width);
			long over = overflow();
			System.out.println("Dashboard at " + width + " px: scrollWidth - clientWidth = " + over);
			assertThat(over).as("dashboard at %d px: scrollWidth - clientWidth", width).isLessThanOrEqualTo(0);
			List<String> overrunning = browser.script("""
					const card = document.querySelector('.providers-card').getBoundingClientRect();
					return [...document.querySelectorAll('.provider, .job')]
					  .filter((item) => item.getClientRects().length)
					  .filter((item) => {
					    const box = item.getBoundingClientRect();
					    const parent = item.closest('.card').getBoundingClientRect();
					    return box.right > parent.right + 0.5 || box.left < parent.left - 0.5;
					  })
					  .map((item) => item.dataset.provider ?? item.dataset.jobId);
					""");
			assertThat(overrunning).as("rows wider than their card at %d px", width).isEmpty();
			screenshot("library-" + width + ".png", width);
		}
		browser.driver().get(url("/jobs/" + done));
		waitReady();
		for (int width : WIDTHS) {
			viewport(width);
			assertThat(overflow()).as("job page at %d px", width).isLessThanOrEqualTo(0);
			screenshot("job-" + width + ".png", width);
		}
	}

	@Test
	void searchFiltersAndSortAreTheServersAndStayInTheAddress() throws Exception {
		String token = "lib" + System.nanoTime();
		String first = id(submit(token + " alpha: a red kite over dunes", later()));
		String second = id(submit(token + " beta: a red kite in the rain", later()));
		String third = id(submit(token + " gamma: a blue boat", later()));
		openDashboard();
		search(token);
		waitForIds(third, second, first);
		assertThat(browser.driver().getCurrentUrl()).contains("q=" + token);
		// Every row says when it was made.
		assertThat(row(first).findElement(By.cssSelector("time.created")).getAttribute("datetime")).isNotBlank();
		assertThat(row(first).findElement(By.cssSelector("time.created")).getText()).isNotBlank();

		new Select(find("#sort")).selectByValue("created_at");
		waitForIds(first, second, third);
		search(token + " beta");
		waitForIds(second);
		search(token);
		waitForIds(first, second, third);
		http().post().uri("/api/v1/jobs/{id}/cancel", third).retrieve().toBodilessEntity().block(QUICK);
		new Select(find("#filter-status")).selectByValue("canceled");
		waitForIds(third);
		new Select(find("#filter-status")).selectByValue("queued");
		waitForIds(first, second);
		screenshot("library-search.png", 1280);

		// A reload keeps search, filter and order.
		browser.driver().navigate().refresh();
		waitReady();
		waitForIds(first, second);
		assertThat(find("#filter-q").getAttribute("value")).isEqualTo(token);
		assertThat(new Select(find("#filter-status")).getFirstSelectedOption().getAttribute("value")).isEqualTo("queued");
		assertThat(new Select(find("#sort")).getFirstSelectedOption().getAttribute("value")).isEqualTo("created_at");
		search("no job has this " + token);
		browser.waitUpTo(QUICK).until((driver) -> find("#empty").isDisplayed());
		assertThat(find("#empty").getText()).contains("No jobs match");
		screenshot("library-no-match.png", 1280);
	}

	@Test
	void pagesKeepTheirPlaceAcrossAReload() throws Exception {
		String token = "paged" + System.nanoTime();
		List<Map<String, Object>> jobs = new ArrayList<>();
		for (int i = 0; i < 25; i++) {
			jobs.add(Map.of("prompt", token + " clip " + i, "duration_seconds", 4, "not_before", later().toString()));
		}
		http().post().uri("/api/v1/jobs/batch").contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("jobs", jobs))
			.retrieve().toBodilessEntity().block(QUICK);
		openDashboard();
		search(token);
		browser.waitUpTo(QUICK).until((driver) -> shownIds().size() == 20);
		find("#page-next").click();
		browser.waitUpTo(QUICK).until((driver) -> shownIds().size() == 5);
		assertThat(find("#page-label").getText()).isEqualTo("Page 2");
		assertThat(browser.driver().switchTo().activeElement().getAttribute("id")).isEqualTo("jobs-title");
		List<String> secondPage = shownIds();
		assertThat(find("#page-next").isEnabled()).isFalse();

		browser.driver().navigate().refresh();
		waitReady();
		browser.waitUpTo(QUICK).until((driver) -> shownIds().equals(secondPage));
		find("#page-prev").click();
		browser.waitUpTo(QUICK).until((driver) -> shownIds().size() == 20);
		assertThat(find("#page-label").getText()).isEqualTo("Page 1");
		assertThat(shownIds()).doesNotContainAnyElementsOf(secondPage);
	}

	@Test
	void cancelAsksFirstWithTheCostAndBulkCancelStopsEverySelectedJob() throws Exception {
		String token = "bulk" + System.nanoTime();
		String one = id(submit(token + " one", later()));
		String two = id(submit(token + " two", later()));
		String three = id(submit(token + " three", later()));
		openDashboard();
		search(token);
		waitForIds(three, two, one);

		// Asked first; "Keep it running" changes nothing.
		row(one).findElement(By.cssSelector(".cancel")).click();
		WebElement dialog = find("#confirm-dialog");
		browser.waitUpTo(QUICK).until((driver) -> dialog.isDisplayed());
		assertThat(find("#confirm-cost").getText()).isEqualTo("This job is not charged for.");
		assertThat(browser.driver().switchTo().activeElement().getAttribute("id")).as("the safe answer has focus")
			.isEqualTo("confirm-no");
		screenshot("confirm-cancel.png", 1280);
		find("#confirm-no").click();
		browser.waitUpTo(QUICK).until((driver) -> !dialog.isDisplayed());
		assertThat(status(one)).isEqualTo("queued");

		find("#select-all").click();
		assertThat(find("#bulk-cancel").getText()).isEqualTo("Cancel 3 selected jobs");
		find("#bulk-cancel").click();
		browser.waitUpTo(QUICK).until((driver) -> dialog.isDisplayed());
		assertThat(find("#confirm-title").getText()).isEqualTo("Cancel 3 jobs?");
		assertThat(find("#confirm-cost").getText()).isEqualTo("None of them is charged for.");
		find("#confirm-yes").click();
		for (String id : List.of(one, two, three)) {
			browser.waitUpTo(QUICK).until((driver) -> "canceled".equals(row(id).getAttribute("data-status")));
			assertThat(status(id)).isEqualTo("canceled");
		}
		assertThat(find("#bulk-cancel").isEnabled()).isFalse();
		screenshot("library-bulk-canceled.png", 1280);
	}

	@Test
	void aFinishedJobIsDeletedFromItsRowAfterAConfirmation() throws Exception {
		String token = "delete" + System.nanoTime();
		String kept = id(submit(token + " kept", later()));
		String gone = id(submit(token + " deleted", later()));
		http().post().uri("/api/v1/jobs/{id}/cancel", gone).retrieve().toBodilessEntity().block(QUICK);
		openDashboard();
		search(token);
		waitForIds(gone, kept);
		assertThat(row(kept).findElement(By.cssSelector(".delete")).isDisplayed()).as("only finished jobs").isFalse();
		WebElement delete = row(gone).findElement(By.cssSelector(".delete"));
		assertThat(delete.getAttribute("aria-label")).isEqualTo("Delete “" + token + " deleted”");
		delete.click();
		browser.waitUpTo(QUICK).until((driver) -> find("#confirm-dialog").isDisplayed());
		find("#confirm-yes").click();
		waitForIds(kept);
		http().get().uri("/api/v1/jobs/{id}", gone).exchangeToMono((response) -> {
			assertThat(response.statusCode().value()).isEqualTo(404);
			return response.releaseBody();
		}).block(QUICK);
	}

	@Test
	void theTimelineShowsStateChangesAsRowsAndProgressAsOneLineWithAnEta() throws Exception {
		// Held back (as a 429 would) until the page is open, so the test sees the job run however loaded the machine.
		this.db.sql("INSERT INTO provider_pauses (provider, until, reason) VALUES ('simulator', now() + interval '1 hour', "
				+ "'test') ON CONFLICT (provider) DO UPDATE SET until = EXCLUDED.until").fetch().rowsUpdated().block(QUICK);
		String id;
		try {
			id = id(submit("Timeline: a slow pan across a harbour " + System.nanoTime(), null));
			browser.driver().get(url("/jobs/" + id));
			waitReady();
		}
		finally {
			this.db.sql("DELETE FROM provider_pauses WHERE provider = 'simulator'").fetch().rowsUpdated().block(QUICK);
		}
		browser.waitUpTo(JOB_DONE).until((driver) -> find("#job-eta").getText().contains("left"));
		screenshot("job-running.png", 1280);
		browser.waitUpTo(JOB_DONE).until((driver) -> "completed".equals(find("#job-badge").getAttribute("data-status")));
		browser.waitUpTo(QUICK).until((driver) -> find("#connection").getText().equals("Finished"));

		List<Map<String, String>> rows = browser.script("return [...document.querySelectorAll('#timeline li')]"
				+ ".map((li) => ({ type: li.dataset.type, status: li.dataset.status, what: li.querySelector('.what').textContent }))");
		List<ServerSentEvent<String>> events = WebClient.create(url(""))
			.get()
			.uri("/api/v1/jobs/{id}/events?last_event_id=0", id)
			.accept(MediaType.TEXT_EVENT_STREAM)
			.retrieve()
			.bodyToFlux(SSE)
			.filter((event) -> event.event() != null)
			.collectList()
			.block(QUICK);
		long progressEvents = events.stream().filter((event) -> "job.progress".equals(event.event())).count();
		long progressRows = rows.stream().filter((row) -> "job.progress".equals(row.get("type"))).count();
		assertThat(progressEvents).as("the job reported progress many times").isGreaterThan(3);
		assertThat(progressRows).as("one line per running state, not one per tick").isLessThan(progressEvents);
		for (int i = 1; i < rows.size(); i++) {
			boolean repeat = "job.progress".equals(rows.get(i).get("type"))
					&& "job.progress".equals(rows.get(i - 1).get("type"))
					&& rows.get(i).get("status").equals(rows.get(i - 1).get("status"));
			assertThat(repeat).as("two progress lines in a row for %s", rows.get(i)).isFalse();
		}
		assertThat(rows.get(0).get("type")).isEqualTo("job.queued");
		assertThat(rows.get(rows.size() - 1).get("type")).isEqualTo("job.completed");
		// One time format on the page: the timeline and the details read alike.
		String created = browser.script("return document.querySelector('#timeline time').textContent");
		assertThat(created).matches(".*\\d{2}:\\d{2}:\\d{2}.*");
		screenshot("job-completed.png", 1280);
	}

	@Test
	void aFormErrorIsShownAndFocusedWhereThePersonIsLooking() throws Exception {
		openDashboard();
		browser.driver().executeCdpCommand("Network.enable", Map.of());
		browser.driver().executeCdpCommand("Network.setBlockedURLs", Map.of("urls", List.of("*/api/v1/jobs")));
		try {
			viewport(390);
			find("#prompt").sendKeys("A request the server never sees");
			find("#submit").click();
			WebElement error = find("#form-error");
			browser.waitUpTo(QUICK).until((driver) -> error.getText().contains("could not be reached"));
			assertThat(browser.driver().switchTo().activeElement().getAttribute("id")).isEqualTo("form-error");
			Boolean visible = browser.script("const r = arguments[0].getBoundingClientRect();"
					+ "return r.top >= 0 && r.bottom <= innerHeight", error);
			assertThat(visible).as("the message is inside the viewport").isTrue();
			screenshot("form-unreachable-phone.png", 390);
		}
		finally {
			browser.driver().executeCdpCommand("Network.setBlockedURLs", Map.of("urls", List.of()));
			// The blocked request is reported by the browser as an error: that one was provoked on purpose.
			assertThat(browser.severeConsoleMessages()).allMatch((message) -> message.contains("ERR_BLOCKED_BY_CLIENT"));
		}
		viewport(1280);
		find("#submit").click();
		browser.waitUpTo(QUICK).until((driver) -> find("#form-error").getText().isEmpty()
				&& find("#prompt").getAttribute("value").isEmpty());
		assertThat(browser.driver().switchTo().activeElement().getAttribute("id")).as("ready for the next prompt")
			.isEqualTo("prompt");
	}

	@Test
	void spendingOnAPricedJobIsAskedFirstWithItsCostAndTheApisEstimate() throws Exception {
		String token = "priced" + System.nanoTime();
		String running = id(submit(token + " waiting", later()));
		String failed = id(submit(token + " failed", later()));
		// Priced as a paid model's job would be (the simulator's are free), written directly.
		this.db.sql("UPDATE jobs SET cost_currency = 'USD', estimated_cost = 0.40 WHERE id IN (:a, :b)")
			.bind("a", java.util.UUID.fromString(running)).bind("b", java.util.UUID.fromString(failed))
			.fetch().rowsUpdated().block(QUICK);
		this.db.sql("UPDATE jobs SET status = 'failed', error_code = 'generation_failed', error_message = 'It broke.', "
				+ "completed_at = now(), updated_at = now(), version = version + 1 WHERE id = :id")
			.bind("id", java.util.UUID.fromString(failed)).fetch().rowsUpdated().block(QUICK);
		openDashboard();
		search(token);
		waitForIds(failed, running);
		assertThat(row(running).findElement(By.cssSelector(".cost")).getText()).isEqualTo("≈ $0.40");

		row(running).findElement(By.cssSelector(".cancel")).click();
		browser.waitUpTo(QUICK).until((driver) -> find("#confirm-dialog").isDisplayed());
		assertThat(find("#confirm-cost").getText())
			.isEqualTo("This job is priced at $0.40; a provider may charge for work it has already started.");
		find("#confirm-no").click();

		// A retry is a new job: its price comes from POST /api/v1/jobs/estimate (free on the simulator's model).
		browser.script("performance.clearResourceTimings()");
		row(failed).findElement(By.cssSelector(".retry")).click();
		browser.waitUpTo(QUICK).until((driver) -> find("#confirm-dialog").isDisplayed());
		assertThat(find("#confirm-title").getText()).isEqualTo("Run this job again?");
		assertThat(find("#confirm-cost").getText()).isEqualTo("It is not charged for.");
		assertThat(browser.<Boolean>script("return performance.getEntriesByType('resource')"
				+ ".some((e) => e.name.endsWith('/api/v1/jobs/estimate'))")).isTrue();
		screenshot("confirm-retry.png", 1280);
		find("#confirm-no").click();
		waitForIds(failed, running);
		assertThat(status(running)).isEqualTo("queued");
	}

	@Test
	void aPromptRefusedByModerationIsOfferedForEditingNotRetriedAsIs() throws Exception {
		String prompt = "Moderated " + System.nanoTime() + ": a prompt the provider refused";
		String id = id(submit(prompt, later()));
		// As Runway's moderation leaves a job, written directly: a code the page has no list of, only the server's
		// error.kind says it is moderation.
		this.db.sql("UPDATE jobs SET status = 'failed', error_code = 'SAFETY.INPUT.TEXT', error_message = "
				+ "'Runway''s content moderation blocked this request.', completed_at = now(), updated_at = now(), "
				+ "version = version + 1 WHERE id = :id").bind("id", java.util.UUID.fromString(id)).fetch().rowsUpdated()
			.block(QUICK);
		openDashboard();
		search(prompt);
		waitForIds(id);
		assertThat(row(id).findElement(By.cssSelector(".retry")).isDisplayed()).isFalse();
		WebElement edit = row(id).findElement(By.cssSelector(".edit"));
		assertThat(edit.isDisplayed()).isTrue();
		edit.click();
		browser.waitUpTo(QUICK).until((driver) -> prompt.equals(find("#prompt").getAttribute("value")));
		assertThat(find("#remix-note").isDisplayed()).as("a new job, not a variation").isFalse();
		assertThat(browser.driver().switchTo().activeElement().getAttribute("id")).isEqualTo("prompt");

		browser.driver().get(url("/jobs/" + id));
		waitReady();
		browser.waitUpTo(QUICK).until((driver) -> find("#edit-prompt").isDisplayed());
		assertThat(find("#job-retry").isDisplayed()).isFalse();
		screenshot("job-moderated.png", 1280);
	}

	@Test
	void thePagesPassAnAxeAuditInBothThemes() throws Exception {
		String done = id(submit("Audit: a lantern festival over a river", null));
		submit("Audit: a queued job waiting for tomorrow", later());
		openDashboard();
		browser.waitUpTo(JOB_DONE).until((driver) -> "completed".equals(row(done).getAttribute("data-status")));
		assertThat(browser.driver().findElements(By.tagName("h1"))).hasSize(1);
		assertThat(find(".skip-link").getAttribute("href")).endsWith("#main");
		assertThat(find("#main").findElement(By.cssSelector("form#job-form"))).isNotNull();
		assertThat(row(done).findElement(By.cssSelector(".play")).getAttribute("aria-label"))
			.isEqualTo("Play “Audit: a lantern festival over a river”");
		// The form's price is the API's (POST /api/v1/jobs/estimate), not worked out in the page.
		assertThat(find("#estimate-value").getText()).isEqualTo("free (simulator)");
		// The statuses come from the server, reconciling included.
		assertThat(new Select(find("#filter-status")).getOptions()).extracting((option) -> option.getAttribute("value"))
			.contains("reconciling", "queued", "completed");

		for (boolean dark : List.of(false, true)) {
			browser.prefersDark(dark);
			assertThat(AxeAudit.seriousViolations(browser)).as("dashboard, %s", dark ? "dark" : "light").isEmpty();
			screenshot("audit-dashboard-" + (dark ? "dark" : "light") + ".png", 1280);
		}
		browser.driver().get(url("/jobs/" + done));
		waitReady();
		assertThat(browser.driver().findElements(By.tagName("h1"))).hasSize(1);
		for (boolean dark : List.of(false, true)) {
			browser.prefersDark(dark);
			assertThat(AxeAudit.seriousViolations(browser)).as("job page, %s", dark ? "dark" : "light").isEmpty();
			screenshot("audit-job-" + (dark ? "dark" : "light") + ".png", 1280);
		}
		// The favicon browsers ask for by themselves.
		http().get().uri("/favicon.ico").exchangeToMono((response) -> {
			assertThat(response.statusCode().value()).isEqualTo(200);
			return response.releaseBody();
		}).block(QUICK);
	}

	private void search(String words) {
		WebElement field = find("#filter-q");
		field.clear();
		field.sendKeys(words + Keys.ENTER);
	}

	private void waitForIds(String... ids) {
		browser.waitUpTo(QUICK)
			.withMessage(() -> "rows shown: " + shownIds())
			.until((driver) -> shownIds().equals(List.of(ids)));
	}

	private List<String> shownIds() {
		return browser.script("return [...document.querySelectorAll('#jobs > li.job')].map((li) => li.dataset.jobId)");
	}

	private WebElement row(String id) {
		return browser.waitUpTo(QUICK)
			.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("li.job[data-job-id='" + id + "']")));
	}

	private long overflow() {
		return browser.<Number>script("const e = document.documentElement; return e.scrollWidth - e.clientWidth").longValue();
	}

	/** The page laid out at {@code width} CSS pixels (the window itself may not shrink that far when headless). */
	private void viewport(int width) {
		browser.driver().executeCdpCommand("Emulation.setDeviceMetricsOverride",
				Map.of("width", width, "height", 900, "deviceScaleFactor", 1, "mobile", false));
		browser.script("return new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))");
	}

	private void screenshot(String name, int width) throws Exception {
		viewport(width);
		Map<String, Object> metrics = browser.driver().executeCdpCommand("Page.getLayoutMetrics", Map.of());
		Map<?, ?> content = (Map<?, ?>) metrics.get("cssContentSize");
		double height = Math.min(((Number) content.get("height")).doubleValue(), 6000);
		Map<String, Object> shot = browser.driver().executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
				"captureBeyondViewport", true,
				"clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
		Files.createDirectories(SCREENSHOTS);
		Files.write(SCREENSHOTS.resolve(name), Base64.getDecoder().decode((String) shot.get("data")));
	}

	private void openDashboard() {
		browser.driver().get(url("/"));
		waitReady();
	}

	private void waitReady() {
		browser.waitUpTo(QUICK.multipliedBy(2))
			.withMessage(() -> "the page did not get ready; connection: " + find("#connection").getText() + "; requests: "
					+ browser.script("return performance.getEntriesByType('resource')"
							+ ".map((e) => `${e.name} ${Math.round(e.startTime)}-${Math.round(e.responseEnd)}`).join(', ')")
					+ "; console: " + browser.severeConsoleMessages())
			.until((driver) -> "true".equals(find("body").getAttribute("data-ready")));
	}

	private String status(String id) {
		return (String) http().get().uri("/api/v1/jobs/{id}", id).retrieve().bodyToMono(Map.class).block(QUICK).get("status");
	}

	private static Instant later() {
		return Instant.now().plus(Duration.ofDays(1));
	}

	private static WebElement find(String css) {
		return browser.driver().findElement(By.cssSelector(css));
	}

	private String url(String path) {
		return "http://127.0.0.1:" + this.port + path;
	}

	private WebClient http() {
		return WebClient.create(url(""));
	}

	private static String id(Map<?, ?> job) {
		return (String) job.get("id");
	}

	private Map<?, ?> submit(String prompt, Instant notBefore) {
		Map<String, Object> body = (notBefore != null)
				? Map.of("prompt", prompt, "duration_seconds", 4, "not_before", notBefore.toString())
				: Map.of("prompt", prompt, "duration_seconds", 4);
		return http().post()
			.uri("/api/v1/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.retrieve()
			.bodyToMono(Map.class)
			.block(QUICK);
	}

}
