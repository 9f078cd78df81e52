package dev.reelay.e2e;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.reelay.job.JobEventType;
import dev.reelay.job.JobStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The page's job vocabulary and prices come from the server: every {@link JobStatus} and {@link JobEventType} is in
 * the JSON the page is rendered with (so a status added to the enum cannot be missing from the page), a status the
 * scripts never named ({@code reconciling}) shows with its words, and the price the form shows is the one
 * {@code POST /api/v1/jobs/estimate} answers for the same choices, asked once per burst of changes. A priced
 * simulator model (0.50 a second at 720p, 0.75 at 1080p) gives prices without a provider key; dispatch is off so a
 * job stays in the status the test writes.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
		"reelay.dispatch.enabled=false", "reelay.catalog.custom-models[0].id=sim-vocabulary-priced",
		"reelay.catalog.custom-models[0].display-name=Priced simulator",
		"reelay.catalog.custom-models[0].provider=simulator", "reelay.catalog.custom-models[0].remote-model=sora-2-pro",
		"reelay.catalog.custom-models[0].durations=4,8,12", "reelay.catalog.custom-models[0].aspect-ratios=16:9,9:16",
		"reelay.catalog.custom-models[0].resolutions=720p,1080p",
		"reelay.catalog.custom-models[0].price.per-second.720p=0.50",
		"reelay.catalog.custom-models[0].price.per-second.1080p=0.75",
		"reelay.catalog.custom-models[0].image-inputs=upload",
		"reelay.catalog.custom-models[1].id=sim-vocabulary-text", "reelay.catalog.custom-models[1].display-name=Words only",
		"reelay.catalog.custom-models[1].provider=simulator", "reelay.catalog.custom-models[1].remote-model=sora-2",
		"reelay.catalog.custom-models[1].durations=4", "reelay.catalog.custom-models[1].aspect-ratios=16:9",
		"reelay.catalog.custom-models[1].resolutions=720p",
		// Not the defaults, so the page can only show them if the server told it.
		"reelay.jobs.image.max-size=64KB", "reelay.jobs.image.types=image/png,image/webp" })
class PageVocabularyBrowserTests {

	private static final String PRICED = "sim-vocabulary-priced";

	private static final Duration QUICK = Duration.ofSeconds(15);

	@RegisterExtension
	static final Browser browser = new Browser().failingOnPageErrors();

	@LocalServerPort
	private int port;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private JsonMapper json;

	@Test
	void thePageIsRenderedWithEveryStatusAndEventOfTheServer() {
		for (String page : List.of("/", "/jobs/" + id(submit("Vocabulary: a job to open", later())))) {
			JsonNode vocabulary = vocabularyOf(page);
			List<JsonNode> statuses = vocabulary.get("statuses").valueStream().toList();
			assertThat(statuses).extracting((status) -> status.get("value").asString())
				.as("every JobStatus, in order, on %s", page)
				.containsExactlyElementsOf(Arrays.stream(JobStatus.values()).map(JobStatus::value).toList());
			for (JsonNode status : statuses) {
				JobStatus server = JobStatus.fromValue(status.get("value").asString());
				assertThat(status.get("label").asString()).as("words for %s", server).isNotBlank();
				assertThat(status.get("terminal").asBoolean()).as("%s terminal", server).isEqualTo(server.isTerminal());
				assertThat(status.get("running").asBoolean()).as("%s running", server)
					.isEqualTo(JobStatus.running().contains(server));
			}
			List<JsonNode> events = vocabulary.get("event_types").valueStream().toList();
			assertThat(events).extracting((event) -> event.get("value").asString())
				.as("every JobEventType on %s", page)
				.containsExactlyElementsOf(Arrays.stream(JobEventType.values()).map(JobEventType::wireName).toList());
			assertThat(events).allSatisfy((event) -> assertThat(event.get("label").asString()).isNotBlank());
		}
	}

	@Test
	void aStatusTheScriptsNeverNamedShowsWithTheServersWords() {
		String prompt = "Vocabulary: a create whose outcome was lost " + System.nanoTime();
		String id = id(submit(prompt, later()));
		this.db.sql("UPDATE jobs SET status = 'reconciling', updated_at = now(), version = version + 1 WHERE id = :id")
			.bind("id", UUID.fromString(id))
			.fetch()
			.rowsUpdated()
			.block(QUICK);
		String words = label(vocabularyOf("/"), "reconciling");
		assertThat(words).isEqualTo("Checking");

		open("/");
		WebElement row = browser.waitUpTo(QUICK)
			.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("li.job[data-job-id='" + id + "']")));
		browser.waitUpTo(QUICK).until((driver) -> "reconciling".equals(row.getAttribute("data-status")));
		// The badge's words as written (CSS shows them in capitals).
		assertThat(row.findElement(By.cssSelector(".badge")).getDomProperty("textContent")).isEqualTo(words);
		// Not ended: it can still be canceled, and the "Running" filter finds it.
		assertThat(row.findElement(By.cssSelector(".cancel")).isDisplayed()).isTrue();
		Select filter = new Select(find("#filter-status"));
		assertThat(filter.getOptions()).extracting(WebElement::getText)
			.containsSubsequence("All statuses", "Running", "Queued", words, "Completed");
		filter.selectByValue("reconciling");
		browser.waitUpTo(QUICK).until((driver) -> browser.driver().getCurrentUrl().contains("status=reconciling"));
		browser.waitUpTo(QUICK).until((driver) -> shownIds().equals(List.of(id)));

		open("/jobs/" + id);
		assertThat(find("#job-badge").getDomProperty("textContent")).isEqualTo(words);
		assertThat(find("#job-cancel").isDisplayed()).isTrue();
		browser.waitUpTo(QUICK).until((driver) -> !find("#timeline").findElements(By.cssSelector("li")).isEmpty());
		WebElement first = find("#timeline").findElement(By.cssSelector("li"));
		assertThat(first.getAttribute("data-type")).isEqualTo("job.queued");
		assertThat(first.findElement(By.cssSelector(".what")).getDomProperty("textContent"))
			.isEqualTo(vocabularyOf("/").get("event_types").valueStream()
				.filter((event) -> event.get("value").asString().equals("job.queued"))
				.findFirst().orElseThrow().get("label").asString());
	}

	@Test
	void theFormShowsThePriceTheEstimateEndpointAnswers() {
		open("/");
		new Select(find("#model")).selectByValue(PRICED);
		for (String duration : List.of("4", "12")) {
			for (String resolution : List.of("720p", "1080p")) {
				new Select(find("#duration_seconds")).selectByValue(duration);
				new Select(find("#resolution")).selectByValue(resolution);
				String expected = shown(estimate(Map.of("model", PRICED, "prompt", "estimate", "duration_seconds",
						Integer.parseInt(duration), "aspect_ratio", "16:9", "resolution", resolution)));
				browser.waitUpTo(QUICK)
					.withMessage(() -> duration + " s at " + resolution + ": the page shows "
							+ find("#estimate-value").getText() + ", the API says " + expected)
					.until((driver) -> expected.equals(find("#estimate-value").getText()));
			}
		}
		// 12 s at 1080p is 9.00: not the same number as any other choice above, so the wait cannot pass by accident.
		assertThat(find("#estimate-value").getText()).isEqualTo("$9.00");

		// A burst of changes asks once, and what is shown is the API's price for where the choices ended up.
		browser.script("performance.clearResourceTimings()");
		browser.script("""
				const set = (id, value) => {
				  const select = document.getElementById(id);
				  select.value = value;
				  select.dispatchEvent(new Event('change'));
				};
				set('duration_seconds', '4'); set('resolution', '720p'); set('duration_seconds', '8');
				set('aspect_ratio', '9:16'); set('resolution', '1080p');
				""");
		String expected = shown(estimate(Map.of("model", PRICED, "prompt", "estimate", "duration_seconds", 8,
				"aspect_ratio", "9:16", "resolution", "1080p")));
		assertThat(expected).isEqualTo("$6.00");
		browser.waitUpTo(QUICK).until((driver) -> expected.equals(find("#estimate-value").getText()));
		assertThat(browser.<Long>script("return performance.getEntriesByType('resource')"
				+ ".filter((e) => e.name.endsWith('/api/v1/jobs/estimate')).length")).isEqualTo(1L);
	}

	@Test
	void theImageFieldFollowsTheModelAndTheApisOwnLimits() throws Exception {
		open("/");
		assertThat(find("#image").getAttribute("accept")).isEqualTo("image/png,image/webp");
		JsonNode image = vocabularyOf("/").get("image");
		assertThat(image.get("max_bytes").asLong()).isEqualTo(64 * 1024);
		assertThat(image.get("max_size_text").asString()).isEqualTo("64 KB");

		// A model that takes no starting image: the field is off and says why.
		new Select(find("#model")).selectByValue("sim-vocabulary-text");
		browser.waitUpTo(QUICK).until((driver) -> !find("#image").isEnabled());
		assertThat(find("#image-hint").getText()).isEqualTo("Words only takes text only.");

		new Select(find("#model")).selectByValue(PRICED);
		browser.waitUpTo(QUICK).until((driver) -> find("#image").isEnabled());
		assertThat(find("#image-hint").getText()).isEqualTo("PNG or WebP up to 64 KB; the video starts from it.");

		// Over the server's limit (not over the default 10 MB): refused at once, in the limit's own words.
		Path tooBig = png(65 * 1024);
		find("#image").sendKeys(tooBig.toString());
		browser.waitUpTo(QUICK)
			.until((driver) -> "Choose a PNG or WebP image of at most 64 KB.".equals(find("#image-error").getText()));
		assertThat(find("#image-preview").isDisplayed()).isFalse();

		Path fits = png(2 * 1024);
		find("#image").sendKeys(fits.toString());
		browser.waitUpTo(QUICK).until((driver) -> find("#image-preview").isDisplayed());
		assertThat(find("#image-error").getText()).isEmpty();
	}

	/** A 64 x 64 PNG padded to {@code bytes} bytes (browsers ignore what follows its end). */
	private static Path png(int bytes) throws java.io.IOException {
		java.io.ByteArrayOutputStream encoded = new java.io.ByteArrayOutputStream();
		javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(64, 64, java.awt.image.BufferedImage.TYPE_INT_RGB),
				"png", encoded);
		byte[] content = Arrays.copyOf(encoded.toByteArray(), Math.max(bytes, encoded.size()));
		Path file = Files.createTempFile("page-vocabulary-", ".png");
		file.toFile().deleteOnExit();
		Files.write(file, content);
		return file;
	}

	/** The page's vocabulary block, parsed. */
	private JsonNode vocabularyOf(String path) {
		String page = http().get().uri(path).retrieve().bodyToMono(String.class).block(QUICK);
		String start = "<script type=\"application/json\" id=\"reelay-vocabulary\">";
		assertThat(page).as(path).contains(start);
		int from = page.indexOf(start) + start.length();
		return this.json.readTree(page.substring(from, page.indexOf("</script>", from)));
	}

	private static String label(JsonNode vocabulary, String status) {
		return vocabulary.get("statuses").valueStream()
			.filter((entry) -> entry.get("value").asString().equals(status))
			.findFirst()
			.orElseThrow()
			.get("label")
			.asString();
	}

	private Map<?, ?> estimate(Map<String, Object> request) {
		return http().post()
			.uri("/api/v1/jobs/estimate")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(request)
			.retrieve()
			.bodyToMono(Map.class)
			.block(QUICK);
	}

	/** The estimate's amount as the page writes dollars (the browser runs in en-US). */
	private static String shown(Map<?, ?> estimate) {
		Map<?, ?> cost = (Map<?, ?>) estimate.get("estimated_cost");
		assertThat(cost.get("currency")).isEqualTo("USD");
		BigDecimal amount = new BigDecimal(String.valueOf(cost.get("amount")));
		assertThat(amount).isPositive();
		return "$" + amount.setScale(2, RoundingMode.UNNECESSARY).toPlainString();
	}

	private void open(String path) {
		browser.driver().get(url(path));
		browser.waitUpTo(QUICK.multipliedBy(2)).until((driver) -> "true".equals(find("body").getAttribute("data-ready")));
	}

	private List<String> shownIds() {
		return browser.script("return [...document.querySelectorAll('#jobs > li.job')].map((li) => li.dataset.jobId)");
	}

	private static WebElement find(String css) {
		return browser.driver().findElement(By.cssSelector(css));
	}

	private Map<?, ?> submit(String prompt, Instant notBefore) {
		return http().post()
			.uri("/api/v1/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", prompt, "duration_seconds", 4, "not_before", notBefore.toString()))
			.retrieve()
			.bodyToMono(Map.class)
			.block(QUICK);
	}

	private static String id(Map<?, ?> job) {
		return (String) job.get("id");
	}

	private static Instant later() {
		return Instant.now().plus(Duration.ofDays(1));
	}

	private String url(String path) {
		return "http://127.0.0.1:" + this.port + path;
	}

	private WebClient http() {
		return WebClient.create(url(""));
	}

}
