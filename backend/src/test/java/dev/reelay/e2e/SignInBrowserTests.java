package dev.reelay.e2e;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The page in a real browser with an admin key configured: it asks for a key, keeps it in an HttpOnly cookie that
 * page scripts cannot read, shows and streams only the signed-in tenant's jobs, submits through the form, and signs
 * out.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "reelay.dispatch.enabled=false", "reelay.security.admin-key=" + SignInBrowserTests.ADMIN_KEY,
				"reelay.simulator.enabled=true" })
class SignInBrowserTests {

	static final String ADMIN_KEY = "browser-admin-key-0123456789";

	private static final Duration QUICK = Duration.ofSeconds(10);

	@RegisterExtension
	static final Browser browser = new Browser().failingOnPageErrors();

	@LocalServerPort
	private int port;

	@Test
	void signsInWithAKeyInAnHttpOnlyCookieAndSeesOnlyItsOwnJobs() {
		String mine = newTenantKey("browser tenant");
		String theirs = newTenantKey("other tenant");
		String before = "Browser: someone else's job " + System.nanoTime();
		submit(theirs, before);

		browser.driver().manage().deleteAllCookies();
		browser.driver().get(url("/"));
		assertThat(browser.driver().findElements(By.id("job-form"))).isEmpty();
		find("#key").sendKeys("rly_not-a-key");
		find("#signin").click();
		browser.waitUpTo(QUICK).until((driver) -> find("#signin-error").getText().contains("not valid"));
		assertThat(browser.driver().manage().getCookieNamed("reelay_session")).isNull();

		find("#key").sendKeys(mine);
		find("#signin").click();
		browser.waitUpTo(QUICK).until((driver) -> "true".equals(find("body").getAttribute("data-ready")));
		Cookie cookie = browser.driver().manage().getCookieNamed("reelay_session");
		assertThat(cookie).isNotNull();
		assertThat(cookie.isHttpOnly()).isTrue();
		assertThat(cookie.getSameSite()).isEqualTo("Strict");
		assertThat(cookie.getValue()).as("a session id, never the key").doesNotContain(mine.substring(4));
		assertThat(browser.<String>script("return document.cookie")).doesNotContain(mine);
		assertThat(jobPrompts()).doesNotContain(before);

		// Through the form: a cookie-authenticated POST, with the page's CSRF header.
		String typed = "Browser: signed in and submitting " + System.nanoTime();
		find("#prompt").sendKeys(typed);
		find("#submit").click();
		browser.waitUpTo(QUICK).until((driver) -> jobPrompts().contains(typed));

		// Through the stream (EventSource sends the cookie): the other tenant's job goes first and never shows.
		browser.waitUpTo(QUICK).until((driver) -> "live".equals(find("#connection").getAttribute("data-state")));
		String hidden = "Browser: streamed to the other tenant " + System.nanoTime();
		String shown = "Browser: streamed to me " + System.nanoTime();
		submit(theirs, hidden);
		submit(mine, shown);
		browser.waitUpTo(QUICK).until((driver) -> jobPrompts().contains(shown));
		assertThat(jobPrompts()).doesNotContain(hidden, before);

		find("#sign-out").click();
		browser.waitUpTo(QUICK).until((driver) -> !driver.findElements(By.id("signin-form")).isEmpty());
		assertThat(browser.driver().manage().getCookieNamed("reelay_session")).isNull();
	}

	private java.util.List<String> jobPrompts() {
		return browser.driver().findElements(By.cssSelector("li.job .prompt")).stream().map(WebElement::getText).toList();
	}

	private String newTenantKey(String name) {
		WebClient admin = WebClient.builder()
			.baseUrl(url(""))
			.defaultHeader("Authorization", "Bearer " + ADMIN_KEY)
			.build();
		Map<?, ?> tenant = admin.post()
			.uri("/api/v1/admin/tenants")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", name))
			.retrieve()
			.bodyToMono(Map.class)
			.block(QUICK);
		Map<?, ?> key = admin.post()
			.uri("/api/v1/admin/tenants/{id}/keys", tenant.get("id"))
			.retrieve()
			.bodyToMono(Map.class)
			.block(QUICK);
		return (String) key.get("key");
	}

	private void submit(String key, String prompt) {
		WebClient.create(url(""))
			.post()
			.uri("/api/v1/jobs")
			.header("Authorization", "Bearer " + key)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("prompt", prompt, "duration_seconds", 4))
			.retrieve()
			.toBodilessEntity()
			.block(QUICK);
	}

	private static WebElement find(String css) {
		return browser.driver().findElement(By.cssSelector(css));
	}

	private String url(String path) {
		return "http://127.0.0.1:" + this.port + path;
	}

}
