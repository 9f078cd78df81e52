package dev.reelay.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Debian's headless Chromium driven through Debian's chromedriver. Both paths are given explicitly, so Selenium
 * Manager never looks for (or downloads) a browser or driver. A JUnit extension: a browser test class registers one
 * with {@code @RegisterExtension static final Browser browser = new Browser();}, which starts the browser before the
 * class's first test, in a profile directory of its own, and quits it and deletes the profile after its last.
 */
final class Browser implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

	private static final String CHROMIUM = System.getProperty("reelay.test.chromium", "/usr/bin/chromium");

	private static final String CHROMEDRIVER = System.getProperty("reelay.test.chromedriver", "/usr/bin/chromedriver");

	/** Resolves to 127.0.0.1 in this browser only, as a rebinding attacker's name would. */
	static final String REBINDING_HOST = "rebind.attacker.test";

	private @Nullable Path profile;

	private @Nullable ChromeDriverService service;

	private @Nullable ChromeDriver driver;

	private boolean failOnPageErrors;

	/**
	 * Fails each test after which the page has logged an error (see {@link #severeConsoleMessages}); checked after
	 * the test class's own {@code @AfterEach} methods.
	 */
	Browser failingOnPageErrors() {
		this.failOnPageErrors = true;
		return this;
	}

	@Override
	public void beforeAll(ExtensionContext context) throws IOException {
		for (String binary : List.of(CHROMIUM, CHROMEDRIVER)) {
			if (!Files.isExecutable(Path.of(binary))) {
				throw new IllegalStateException(binary + " is missing: the browser tests need Debian's chromium and "
						+ "chromium-driver packages (.ci/run installs them)");
			}
		}
		this.profile = Files.createTempDirectory("reelay-chromium-");
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM);
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
				"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
				"--autoplay-policy=no-user-gesture-required", "--user-data-dir=" + this.profile.toAbsolutePath(),
				// DNS rebinding without DNS: a name of "the attacker's" that resolves to this machine.
				"--host-resolver-rules=MAP " + REBINDING_HOST + " 127.0.0.1");
		LoggingPreferences logs = new LoggingPreferences();
		logs.enable(LogType.BROWSER, Level.ALL);
		options.setCapability("goog:loggingPrefs", logs);
		this.service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
			.usingAnyFreePort()
			.build();
		this.driver = new ChromeDriver(this.service, options);
		this.driver.manage().window().setSize(new Dimension(1366, 1000));
	}

	@Override
	public void afterEach(ExtensionContext context) {
		if (this.failOnPageErrors) {
			assertThat(severeConsoleMessages()).isEmpty();
		}
	}

	@Override
	public void afterAll(ExtensionContext context) throws IOException {
		try {
			if (this.driver != null) {
				this.driver.quit();
			}
			if (this.service != null) {
				this.service.stop();
			}
		}
		finally {
			this.driver = null;
			this.service = null;
			if (this.profile != null) {
				FileSystemUtils.deleteRecursively(this.profile);
				this.profile = null;
			}
		}
	}

	/** The running browser; only between the class's {@code beforeAll} and {@code afterAll}. */
	ChromeDriver driver() {
		ChromeDriver running = this.driver;
		if (running == null) {
			throw new IllegalStateException("the browser runs only while its test class does");
		}
		return running;
	}

	WebDriverWait waitUpTo(Duration timeout) {
		WebDriverWait wait = new WebDriverWait(driver(), timeout) {

			// Chromium reports the same race (an element read while a re-render detaches it) as an "unknown error"
			// rather than a stale element; that one poll is not yet true, the next finds the new element.
			@Override
			public <V> V until(Function<? super WebDriver, ? extends V> condition) {
				return super.until((driver) -> {
					try {
						return condition.apply(driver);
					}
					catch (WebDriverException ex) {
						if (String.valueOf(ex.getMessage()).contains("does not belong to the document")) {
							return null;
						}
						throw ex;
					}
				});
			}

		};
		wait.pollingEvery(Duration.ofMillis(50));
		// A condition that finds an element of the page a form post or a re-render is replacing reads it stale; the
		// next poll finds the new one.
		wait.ignoring(StaleElementReferenceException.class);
		return wait;
	}

	@SuppressWarnings("unchecked")
	<T> T script(String script, Object... arguments) {
		return (T) driver().executeScript(script, arguments);
	}

	/** Page errors since the last call; failed requests the test provoked on purpose (4xx answers) are left out. */
	List<String> severeConsoleMessages() {
		return driver().manage()
			.logs()
			.get(LogType.BROWSER)
			.getAll()
			.stream()
			.filter((entry) -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
			.map(LogEntry::getMessage)
			.filter((message) -> !message.matches(".*the server responded with a status of 4\\d\\d.*"))
			.toList();
	}

	void prefersDark(boolean dark) {
		driver().executeCdpCommand("Emulation.setEmulatedMedia",
				Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", dark ? "dark" : "light"))));
	}

	/** The whole page at {@code width} CSS pixels, however tall it is. */
	void screenshot(Path file, int width) throws IOException {
		driver().manage().window().setSize(new Dimension(width, 1000));
		Map<String, Object> metrics = driver().executeCdpCommand("Page.getLayoutMetrics", Map.of());
		Map<?, ?> content = (Map<?, ?>) metrics.get("cssContentSize");
		double height = Math.min(((Number) content.get("height")).doubleValue(), 6000);
		Map<String, Object> shot = driver().executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
				"captureBeyondViewport", true,
				"clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
		Files.createDirectories(file.getParent());
		Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
		driver().manage().window().setSize(new Dimension(1366, 1000));
	}

}
