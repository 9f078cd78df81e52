package dev.reelay.e2e;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The page in a real browser (headless Chromium) against the running app and its simulator: submit and watch,
 * play, cancel and retry, validation next to the field, live updates from elsewhere. Writes screenshots of the
 * dashboard (light, dark, phone width) and a job page to {@code target/screenshots/}.
 */
@DirtiesContext
@Import(OtherClassesJobsHeld.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = { "reelay.dispatch.enabled=true",
		"reelay.simulator.generation-time=2s", "reelay.providers.instances.simulator.poll-interval=200ms",
		"reelay.dispatch.tick=100ms" })
class PageBrowserTests {

	private static final Duration JOB_DONE = Duration.ofSeconds(30);

	private static final Duration QUICK = Duration.ofSeconds(10);

	private static final Path SCREENSHOTS = Path.of("target", "screenshots");

	// Records every progress value the page shows, per job, so a test can see the bar move rather than only its end.
	private static final String RECORD_PROGRESS = """
			window.seenProgress = {};
			new MutationObserver((changes) => changes.forEach((change) => {
			  const job = change.target.closest('[data-job-id]');
			  if (!job) return;
			  (window.seenProgress[job.dataset.jobId] ??= []).push(Number(change.target.getAttribute('aria-valuenow')));
			})).observe(document.getElementById('jobs'), { subtree: true, attributeFilter: ['aria-valuenow'] });
			""";

	@RegisterExtension
	static final Browser browser = new Browser().failingOnPageErrors();

	@org.springframework.beans.factory.annotation.Autowired
	private org.springframework.r2dbc.core.DatabaseClient db;

	@LocalServerPort
	private int port;

	@Test
	void submitThroughTheFormAndWatchTheBarReachOneHundred() {
		openDashboard();
		browser.script(RECORD_PROGRESS);
		String prompt = "Browser: a lighthouse in a storm " + System.nanoTime();
		type(prompt);
		new Select(find("#duration_seconds")).selectByValue("4");
		find("#submit").click();

		WebElement job = jobWithPrompt(prompt, QUICK);
		String id = job.getAttribute("data-job-id");
		assertThat(find("#prompt").getAttribute("value")).as("the form is cleared for the next prompt").isEmpty();
		assertThat(browser.driver().switchTo().activeElement().getAttribute("id")).as("focus is kept for the next prompt")
			.isEqualTo("prompt");
		browser.waitUpTo(JOB_DONE)
			.until(ExpectedConditions.attributeToBe(job.findElement(By.cssSelector(".progress")), "aria-valuenow", "100"));
		browser.waitUpTo(QUICK).until((driver) -> "completed".equals(job.getAttribute("data-status")));

		assertThat(job.findElement(By.cssSelector(".badge")).getText()).isEqualToIgnoringCase("Completed");
		assertThat(job.findElement(By.cssSelector(".bar")).getAttribute("style")).contains("width: 100%");
		assertThat(job.findElement(By.cssSelector(".timing")).getText()).startsWith("took ");
		List<Long> seen = browser.script("return window.seenProgress[arguments[0]] ?? []", id);
		assertThat(seen).as("progress values shown while the job ran").isSorted().contains(100L);
		assertThat(seen).as("the bar moved through intermediate values").anySatisfy((value) -> assertThat(value).isBetween(1L, 99L));
		assertThat(job.findElement(By.cssSelector(".cancel")).isDisplayed()).isFalse();
	}

	@Test
	void theFinishedVideoPlaysAndSeeksOnItsPage() {
		String id = (String) submitThroughApi("Browser: waves rolling onto a black sand beach").get("id");
		openDashboard();
		WebElement job = browser.waitUpTo(QUICK)
			.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-job-id='" + id + "']")));
		browser.waitUpTo(JOB_DONE).until((driver) -> "completed".equals(job.getAttribute("data-status")));
		// The simulator offers a thumbnail: the list shows it once the job is done, loaded from Reelay's copy.
		WebElement thumb = job.findElement(By.cssSelector(".thumb"));
		browser.waitUpTo(QUICK).until((driver) -> thumb.isDisplayed()
				&& ((Number) browser.script("return arguments[0].naturalWidth", thumb)).intValue() > 0);
		assertThat(thumb.getAttribute("src")).endsWith("/api/v1/jobs/" + id + "/thumbnail");
		job.findElement(By.cssSelector(".prompt")).click();

		browser.waitUpTo(QUICK).until(ExpectedConditions.urlContains("/jobs/" + id));
		waitReady();
		WebElement player = find("#player");
		assertThat(player.getAttribute("poster")).endsWith("/api/v1/jobs/" + id + "/thumbnail");
		browser.waitUpTo(QUICK).until((driver) -> browser.<Long>script("return arguments[0].readyState", player) >= 3);
		double duration = ((Number) browser.script("return arguments[0].duration", player)).doubleValue();
		assertThat(duration).isGreaterThan(1);

		// Seeking makes the browser ask for a byte range; it only lands if the server answers 206.
		browser.script("arguments[0].seeked = false; arguments[0].addEventListener('seeked', () => arguments[0].seeked = true);"
				+ "arguments[0].currentTime = arguments[1];", player, duration / 2);
		browser.waitUpTo(QUICK).until((driver) -> Boolean.TRUE.equals(browser.script("return arguments[0].seeked", player)));
		assertThat(((Number) browser.script("return arguments[0].currentTime", player)).doubleValue())
			.isCloseTo(duration / 2, org.assertj.core.data.Offset.offset(0.5));
		browser.script("return arguments[0].play()", player);
		browser.waitUpTo(QUICK).until((driver) -> ((Number) browser.script("return arguments[0].currentTime", player))
			.doubleValue() > duration / 2 + 0.1);

		assertThat(find("#download").getAttribute("href")).endsWith("/api/v1/jobs/" + id + "/content");
		assertThat(find("#remix").getAttribute("href")).endsWith("/?remix_of=" + id);
		List<String> timeline = find("#timeline").findElements(By.cssSelector("li"))
			.stream()
			.map((item) -> item.getAttribute("data-type"))
			.toList();
		assertThat(timeline).startsWith("job.queued").endsWith("job.completed").contains("job.progress");
		assertThat(find("#connection").getText()).isEqualTo("Finished");
	}

	@Test
	void cancelStopsAJobAndRetryStartsItAgain() {
		openDashboard();
		String prompt = "Browser: canceled before it finishes " + System.nanoTime();
		// Hold the simulator back (as a 429 would) so the job is still waiting when the button is pressed.
		this.db.sql("INSERT INTO provider_pauses (provider, until, reason) VALUES ('simulator', now() + interval '1 hour', "
				+ "'test') ON CONFLICT (provider) DO UPDATE SET until = EXCLUDED.until").fetch().rowsUpdated().block(QUICK);
		type(prompt);
		find("#submit").click();
		WebElement job = jobWithPrompt(prompt, QUICK);
		job.findElement(By.cssSelector(".cancel")).click();
		// Canceling is asked first (a real provider may charge for work it started).
		browser.waitUpTo(QUICK).until((driver) -> find("#confirm-dialog").isDisplayed());
		find("#confirm-yes").click();
		this.db.sql("DELETE FROM provider_pauses WHERE provider = 'simulator'").fetch().rowsUpdated().block(QUICK);

		browser.waitUpTo(QUICK).until((driver) -> "canceled".equals(job.getAttribute("data-status")));
		assertThat(job.findElement(By.cssSelector(".badge")).getText()).isEqualToIgnoringCase("Canceled");
		assertThat(job.findElement(By.cssSelector(".cancel")).isDisplayed()).isFalse();
		String id = job.getAttribute("data-job-id");
		Map<?, ?> stored = http().get().uri("/api/v1/jobs/{id}", id).retrieve().bodyToMono(Map.class).block(QUICK);
		assertThat(stored.get("status")).isEqualTo("canceled");

		job.findElement(By.cssSelector(".retry")).click();
		browser.waitUpTo(QUICK).until((driver) -> browser.driver().findElements(By.cssSelector("li.job"))
			.stream()
			.filter((item) -> item.findElement(By.cssSelector(".prompt")).getText().equals(prompt))
			.count() == 2);
		WebElement again = browser.driver().findElements(By.cssSelector("li.job")).get(0);
		assertThat(again.findElement(By.cssSelector(".prompt")).getText()).isEqualTo(prompt);
		assertThat(again.getAttribute("data-job-id")).isNotEqualTo(id);
		browser.waitUpTo(JOB_DONE).until((driver) -> "completed".equals(again.getAttribute("data-status")));
	}

	@Test
	void anotherSitesFormCannotSubmitAJob() {
		String prompt = "Browser: posted by another site " + System.nanoTime();
		// A page of another origin (an opaque data: one here) posting a form to the local app: a simple request that
		// needs no preflight, so only the server can refuse it.
		String page = "<form method='post' enctype='multipart/form-data' action='" + url("/api/v1/jobs") + "'>"
				+ "<input name='prompt' value='" + prompt + "'></form><script>document.forms[0].submit()</script>";
		browser.driver().get("data:text/html," + URLEncoder.encode(page, StandardCharsets.UTF_8).replace("+", "%20"));
		browser.waitUpTo(QUICK).until((driver) -> find("body").getText().contains("Cross-origin request refused"));
		assertThat(this.db.sql("SELECT count(*) AS n FROM jobs WHERE prompt = :prompt")
			.bind("prompt", prompt)
			.map((row) -> row.get("n", Long.class))
			.one()
			.block(QUICK)).isZero();
	}

	@Test
	void aRebindingHostNameGetsARefusalInsteadOfThePageOrTheApi() {
		for (String path : List.of("/", "/api/v1/jobs")) {
			browser.driver().get("http://" + Browser.REBINDING_HOST + ":" + this.port + path);
			browser.waitUpTo(QUICK).until((driver) -> find("body").getText().contains("Host not allowed"));
			assertThat(browser.driver().findElements(By.id("job-form"))).isEmpty();
		}
	}

	@Test
	void aValidationErrorShowsNextToItsField() {
		openDashboard();
		int before = browser.driver().findElements(By.cssSelector("li.job")).size();
		type("   ");
		find("#submit").click();
		WebElement promptError = find("[data-error-for='prompt']");
		browser.waitUpTo(QUICK).until(ExpectedConditions.textToBePresentInElement(promptError, "prompt is required"));
		assertThat(find("#prompt").getAttribute("aria-invalid")).isEqualTo("true");
		assertThat(browser.driver().switchTo().activeElement().getAttribute("id")).isEqualTo("prompt");

		// A value the form would never offer still gets the API's own words, under the field it concerns.
		browser.script("const o = new Option('5 seconds', '5'); document.getElementById('duration_seconds').add(o); o.selected = true;");
		type("A valid prompt with a duration the model does not offer");
		find("#submit").click();
		WebElement durationError = find("[data-error-for='duration_seconds']");
		browser.waitUpTo(QUICK).until(ExpectedConditions.textToBePresentInElement(durationError, "supports durations 4, 8, 12; got 5"));
		assertThat(promptError.getText()).as("the fixed field's message is gone").isEmpty();
		assertThat(find("[data-error-for='']").getText()).isEmpty();
		assertThat(browser.driver().findElements(By.cssSelector("li.job"))).hasSize(before);
	}

	@Test
	void aJobSubmittedThroughTheApiAppearsWithoutReload() {
		openDashboard();
		WebElement chart = find("#activity-chart");
		browser.waitUpTo(QUICK).until((driver) -> chart.getAttribute("data-total") != null);
		int chartedBefore = Integer.parseInt(chart.getAttribute("data-total"));
		// "Live" shows once the stream has fixed where it starts: anything written from then on reaches the page.
		browser.waitUpTo(QUICK).until(ExpectedConditions.attributeToBe(find("#connection"), "data-state", "live"));
		String prompt = "Browser: submitted by another client " + System.nanoTime();

		String id = (String) submitThroughApi(prompt).get("id");

		WebElement job = jobWithPrompt(prompt, QUICK);
		assertThat(job.getAttribute("data-job-id")).isEqualTo(id);
		assertThat(browser.driver().findElements(By.cssSelector("li.job")).get(0)).as("newest first").isEqualTo(job);
		browser.waitUpTo(QUICK).until((driver) -> Integer.parseInt(chart.getAttribute("data-total")) > chartedBefore);
		// The panel redraws as the job moves its counts: read it afresh until it answers (a redrawn row reads stale).
		browser.waitUpTo(QUICK).until((driver) -> "enabled".equalsIgnoreCase(
				find("#providers [data-provider='simulator'] .state").getText()));
		browser.waitUpTo(JOB_DONE).until((driver) -> "completed".equals(job.getAttribute("data-status")));
	}

	@Test
	void aBrokenStreamReconnectsByItselfAndCatchesUp() {
		openDashboard();
		WebElement connection = find("#connection");
		browser.waitUpTo(QUICK).until(ExpectedConditions.attributeToBe(connection, "data-state", "live"));
		jobWithPrompt((String) submitThroughApi("Browser: seen before the blip " + System.nanoTime()).get("prompt"), QUICK);
		// What the browser does when the server goes away mid-stream: the connection ends in an error it will not
		// retry by itself (readyState CLOSED). The last id is read after the close: events keep flowing until then.
		browser.script("const s = window.reelay.stream.source; s.close(); s.dispatchEvent(new Event('error'));");
		String lastSeen = browser.script("return window.reelay.stream.lastEventId");
		assertThat(lastSeen).isNotBlank();
		assertThat(connection.getAttribute("data-state")).isEqualTo("reconnecting");
		assertThat(connection.getText()).contains("reconnecting");
		String missed = "Browser: written while disconnected " + System.nanoTime();
		submitThroughApi(missed);

		browser.waitUpTo(QUICK).until(ExpectedConditions.attributeToBe(connection, "data-state", "reconnected"));
		assertThat(browser.<String>script("return window.reelay.stream.source.url")).endsWith("last_event_id=" + lastSeen);
		jobWithPrompt(missed, QUICK);
		browser.waitUpTo(QUICK).until(ExpectedConditions.attributeToBe(connection, "data-state", "live"));
	}

	@Test
	void filtersShowOnlyMatchingJobs() {
		String prompt = "Browser: filtered out once done " + System.nanoTime();
		String id = (String) submitThroughApi(prompt).get("id");
		openDashboard();
		WebElement job = jobWithPrompt(prompt, QUICK);
		browser.waitUpTo(JOB_DONE).until((driver) -> "completed".equals(job.getAttribute("data-status")));
		By row = By.cssSelector("li.job[data-job-id='" + id + "']");
		// The server filters: the list is replaced by the matching page.
		new Select(find("#filter-status")).selectByValue("failed");
		browser.waitUpTo(QUICK).until((driver) -> driver.findElements(row).isEmpty());
		new Select(find("#filter-status")).selectByValue("completed");
		browser.waitUpTo(QUICK).until((driver) -> driver.findElements(row).size() == 1 && driver.findElement(row).isDisplayed());
		new Select(find("#filter-status")).selectByValue("");
		browser.waitUpTo(QUICK).until((driver) -> driver.findElements(row).size() == 1);
	}

	@Test
	void savesScreenshotsOfTheDashboardInLightAndDarkAndOfAJobPage() throws Exception {
		String done = (String) submitThroughApi("A calico cat playing a grand piano on a dim stage").get("id");
		submitThroughApi("Drone shot over a misty fjord at sunrise, slow push-in");
		openDashboard();
		browser.waitUpTo(JOB_DONE)
			.until((driver) -> "completed".equals(find("[data-job-id='" + done + "']").getAttribute("data-status")));
		submitThroughApi("Neon city street in the rain, reflections on wet asphalt");
		type("A paper boat drifting down a rain gutter, macro lens");
		jobWithPrompt("Neon city street in the rain, reflections on wet asphalt", QUICK);
		browser.waitUpTo(QUICK).until(ExpectedConditions.textToBePresentInElement(find("#activity-summary"), "completed"));

		browser.prefersDark(false);
		browser.screenshot(SCREENSHOTS.resolve("dashboard.png"), 1366);
		browser.prefersDark(true);
		browser.screenshot(SCREENSHOTS.resolve("dashboard-dark.png"), 1366);
		browser.screenshot(SCREENSHOTS.resolve("dashboard-phone-dark.png"), 390);
		browser.prefersDark(false);
		browser.screenshot(SCREENSHOTS.resolve("dashboard-phone.png"), 390);

		browser.driver().get(url("/jobs/" + done));
		waitReady();
		WebElement player = find("#player");
		browser.waitUpTo(QUICK).until((driver) -> browser.<Long>script("return arguments[0].readyState", player) >= 2);
		browser.screenshot(SCREENSHOTS.resolve("job.png"), 1366);
		assertThat(SCREENSHOTS.resolve("dashboard.png")).isNotEmptyFile();
	}

	private void openDashboard() {
		browser.driver().get(url("/"));
		waitReady();
	}

	private void waitReady() {
		browser.waitUpTo(QUICK)
			.withMessage(() -> "the page did not get ready; connection: " + find("#connection").getText() + "; requests: "
					+ browser.script("return performance.getEntriesByType('resource')"
							+ ".map((e) => `${e.name} ${Math.round(e.startTime)}-${Math.round(e.responseEnd)}`).join(', ')"))
			.until((driver) -> "true".equals(find("body").getAttribute("data-ready")));
	}

	private void type(String prompt) {
		WebElement field = find("#prompt");
		field.clear();
		field.sendKeys(prompt);
	}

	private WebElement jobWithPrompt(String prompt, Duration timeout) {
		return browser.waitUpTo(timeout)
			.until((driver) -> driver.findElements(By.cssSelector("li.job"))
				.stream()
				.filter((item) -> item.findElement(By.cssSelector(".prompt")).getText().equals(prompt))
				.findFirst()
				.orElse(null));
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

	private Map<?, ?> submitThroughApi(String prompt) {
		return http().post()
			.uri("/api/v1/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", prompt, "duration_seconds", 4))
			.retrieve()
			.bodyToMono(Map.class)
			.block(QUICK);
	}

}
