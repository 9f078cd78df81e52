package dev.reelay.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Errors as a person meets them in a browser: a page in the page's style (heading, the reason in words, a way home),
 * with the right status, for an unknown address, an unknown job, a malformed job id and an unexpected failure; while
 * API clients, and the page's own {@code fetch} calls, keep getting RFC 9457 problems from the same addresses.
 * Screenshots go to {@code target/screenshots/error-*.png}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(ErrorPagesBrowserTests.Failing.class)
class ErrorPagesBrowserTests {

	private static final String BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,"
			+ "image/avif,image/webp,image/apng,*/*;q=0.8";

	private static final Duration QUICK = Duration.ofSeconds(15);

	private static final Path SCREENSHOTS = Path.of("target", "screenshots");

	/** What no error page may show: the failure's own text, class names, library words. */
	private static final String INTERNALS = "(?i)secret-internal-detail|java\\.|Exception|Jackson|Coercion"
			+ "|Cannot deserialize|Type mismatch|No static resource|Whitelabel";

	@RegisterExtension
	static final Browser browser = new Browser();

	@LocalServerPort
	private int port;

	@Test
	void anUnknownAddressIsAPageNotFound() throws Exception {
		Page page = open("/no-such-page", "error-404.png");
		assertThat(page.heading()).isEqualTo("Page not found");
		assertThat(page.status()).isEqualTo("404");
		assertThat(page.message()).contains("nothing at this address");
		assertThat(status("/no-such-page", BROWSER_ACCEPT)).isEqualTo("404 text/html;charset=UTF-8");
	}

	@Test
	void aLongAddressWrapsOnAPhone() {
		browser.driver().get(url("/" + "a".repeat(300)));
		browser.waitUpTo(QUICK).until((driver) -> !driver.findElements(By.id("error-title")).isEmpty());
		for (int width : new int[] { 320, 390 }) {
			browser.driver().manage().window().setSize(new Dimension(width, 800));
			Boolean fits = browser.script("return document.documentElement.scrollWidth <= document.documentElement.clientWidth");
			assertThat(fits).as("no sideways scroll at %d px", width).isTrue();
		}
		browser.driver().manage().window().setSize(new Dimension(1366, 1000));
	}

	@Test
	void anUnknownJobIsAJobNotFoundInsteadOfAnEmptyJobPage() throws Exception {
		UUID id = UUID.randomUUID();
		Page page = open("/jobs/" + id, "error-404-job.png");
		assertThat(page.heading()).isEqualTo("Job not found");
		assertThat(page.message()).contains(id.toString());
		assertThat(browser.driver().findElements(By.cssSelector("[role=progressbar], #player"))).as("no hollow job page")
			.isEmpty();
		assertThat(status("/jobs/" + id, BROWSER_ACCEPT)).isEqualTo("404 text/html;charset=UTF-8");
	}

	@Test
	void aMalformedJobIdIsABadRequestInWords() throws Exception {
		Page page = open("/jobs/not-a-uuid", "error-400.png");
		assertThat(page.heading()).isEqualTo("This request is not valid");
		assertThat(page.status()).isEqualTo("400");
		assertThat(page.message()).contains("'id' must be an id");
		assertThat(status("/jobs/not-a-uuid", BROWSER_ACCEPT)).isEqualTo("400 text/html;charset=UTF-8");
	}

	@Test
	void anUnexpectedFailureIsAnErrorPageWithoutItsInternals() throws Exception {
		Page page = open(Failing.PATH, "error-500.png");
		assertThat(page.heading()).isEqualTo("Something went wrong");
		assertThat(page.status()).isEqualTo("500");
		assertThat(page.message()).contains("unexpected error");
		assertThat(status(Failing.PATH, BROWSER_ACCEPT)).isEqualTo("500 text/html;charset=UTF-8");
	}

	@Test
	void apiClientsAndThePagesOwnRequestsKeepProblemDocuments() {
		for (String path : List.of("/no-such-page", "/jobs/not-a-uuid", "/jobs/" + UUID.randomUUID(),
				"/api/v1/jobs/not-a-uuid", Failing.PATH)) {
			for (String accept : List.of("application/json", "application/problem+json", "*/*",
					"application/json, text/html;q=0.5")) {
				assertThat(status(path, accept)).as("%s with Accept: %s", path, accept)
					.endsWith(" application/problem+json");
			}
			assertThat(status(path, null)).as("%s without Accept", path).endsWith(" application/problem+json");
		}
		// fetch() from the page (as the dashboard's scripts call the API) gets the problem to read.
		browser.driver().get(url("/no-such-page"));
		Map<?, ?> answer = (Map<?, ?>) browser.driver().executeAsyncScript("""
				const done = arguments[arguments.length - 1];
				fetch('/api/v1/jobs/not-a-uuid').then(async (r) => done({ status: r.status,
				  type: r.headers.get('content-type'), field: (await r.json()).field }));
				""");
		assertThat(answer.get("status")).isEqualTo(400L);
		assertThat((String) answer.get("type")).startsWith("application/problem+json");
		assertThat(answer.get("field")).isEqualTo("id");
	}

	/**
	 * Refusals stay plain problems even for a browser: the request firewall's (paths different layers could read
	 * differently: nothing of such a request is rendered) and the local-mode guard's (a rebound host name: a page
	 * would only ask the same refused host for its stylesheet).
	 */
	@Test
	void refusalsStayPlainProblems() {
		assertThat(status("/jobs/x;y=z", BROWSER_ACCEPT)).isEqualTo("400 application/problem+json");
		String refused = WebClient.create("http://127.0.0.1:" + this.port)
			.get()
			.uri("/no-such-page")
			.header(HttpHeaders.ACCEPT, BROWSER_ACCEPT)
			.header(HttpHeaders.HOST, "rebind.attacker.test")
			.exchangeToMono((response) -> response.releaseBody()
				.thenReturn(response.statusCode().value() + " "
						+ response.headers().asHttpHeaders().getFirst(HttpHeaders.CONTENT_TYPE)))
			.block(QUICK);
		assertThat(refused).isEqualTo("403 application/problem+json");
	}

	private Page open(String path, String screenshot) throws Exception {
		browser.driver().get(url(path));
		browser.waitUpTo(QUICK).until((driver) -> !driver.findElements(By.id("error-title")).isEmpty());
		Page page = new Page(text("#error-title"), text("#error-status"), text("#error-message"));
		// Styled by the page's own stylesheet (the CSP would have refused an inline one) and accessible.
		assertThat(browser.<String>script("return getComputedStyle(document.querySelector('.card')).borderRadius"))
			.as("the page's stylesheet applies")
			.isNotEqualTo("0px");
		assertThat(browser.driver().findElements(By.tagName("h1"))).hasSize(1);
		assertThat(browser.<String>script("return document.documentElement.lang")).isEqualTo("en");
		WebElement home = browser.driver().findElement(By.id("error-home"));
		assertThat(home.getAttribute("href")).isEqualTo(url("/"));
		assertThat(home.getText()).isNotBlank();
		assertThat(browser.driver().getTitle()).contains("Reelay");
		assertThat(browser.driver().getPageSource()).doesNotContainPattern(INTERNALS);
		assertThat(browser.severeConsoleMessages()).as("no CSP violation or script error")
			.allSatisfy((message) -> assertThat(message).contains("status of 500"));
		browser.screenshot(SCREENSHOTS.resolve(screenshot), 1366);
		browser.screenshot(SCREENSHOTS.resolve(screenshot.replace(".png", "-phone.png")), 390);
		return page;
	}

	private String text(String selector) {
		return browser.driver().findElement(By.cssSelector(selector)).getText();
	}

	/** Status and content type of a GET with that Accept header. */
	private String status(String path, String accept) {
		return WebClient.create("http://127.0.0.1:" + this.port)
			.get()
			.uri(path)
			.headers((headers) -> {
				if (accept != null) {
					headers.set(HttpHeaders.ACCEPT, accept);
				}
			})
			.exchangeToMono((response) -> response.releaseBody()
				.thenReturn(response.statusCode().value() + " "
						+ response.headers().asHttpHeaders().getFirst(HttpHeaders.CONTENT_TYPE)))
			.block(QUICK);
	}

	private String url(String path) {
		return "http://localhost:" + this.port + path;
	}

	private record Page(String heading, String status, String message) {
	}

	/** A page that fails in a way nobody planned for, with a message that must not reach the visitor. */
	@RestController
	static class Failing {

		static final String PATH = "/test-only/failing-page";

		@GetMapping(PATH)
		String fail() {
			throw new IllegalStateException("secret-internal-detail in java.lang.IllegalStateException");
		}

	}

}
