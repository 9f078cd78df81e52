package dev.reelay.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import org.openqa.selenium.Dimension;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver. Both paths are given explicitly, so Selenium
 * Manager never looks for (or downloads) a browser or driver.
 */
final class Browser implements AutoCloseable {

	private static final String CHROMIUM = System.getProperty("reelay.test.chromium", "/usr/bin/chromium");

	private static final String CHROMEDRIVER = System.getProperty("reelay.test.chromedriver", "/usr/bin/chromedriver");

	/** Resolves to 127.0.0.1 in this browser only, as a rebinding attacker's name would. */
	static final String REBINDING_HOST = "rebind.attacker.test";

	final ChromeDriver driver;

	private final ChromeDriverService service;

	Browser(Path profile) {
		for (String binary : List.of(CHROMIUM, CHROMEDRIVER)) {
			if (!Files.isExecutable(Path.of(binary))) {
				throw new IllegalStateException(binary + " is missing: the browser tests need Debian's chromium and "
						+ "chromium-driver packages (.ci/run installs them)");
			}
		}
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM);
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
				"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
				"--autoplay-policy=no-user-gesture-required", "--user-data-dir=" + profile.toAbsolutePath(),
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

	WebDriverWait waitUpTo(Duration timeout) {
		WebDriverWait wait = new WebDriverWait(this.driver, timeout);
		wait.pollingEvery(Duration.ofMillis(50));
		// A condition that finds an element of the page a form post or a re-render is replacing reads it stale; the
		// next poll finds the new one.
		wait.ignoring(StaleElementReferenceException.class);
		return wait;
	}

	@SuppressWarnings("unchecked")
	<T> T script(String script, Object... arguments) {
		return (T) this.driver.executeScript(script, arguments);
	}

	/** Page errors since the last call; failed requests the test provoked on purpose (4xx answers) are left out. */
	List<String> severeConsoleMessages() {
		return this.driver.manage()
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
		this.driver.executeCdpCommand("Emulation.setEmulatedMedia",
				Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", dark ? "dark" : "light"))));
	}

	/** The whole page at {@code width} CSS pixels, however tall it is. */
	void screenshot(Path file, int width) throws IOException {
		this.driver.manage().window().setSize(new Dimension(width, 1000));
		Map<String, Object> metrics = this.driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
		Map<?, ?> content = (Map<?, ?>) metrics.get("cssContentSize");
		double height = Math.min(((Number) content.get("height")).doubleValue(), 6000);
		Map<String, Object> shot = this.driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
				"captureBeyondViewport", true,
				"clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
		Files.createDirectories(file.getParent());
		Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
		this.driver.manage().window().setSize(new Dimension(1366, 1000));
	}

	@Override
	public void close() {
		this.driver.quit();
		this.service.stop();
	}

}
