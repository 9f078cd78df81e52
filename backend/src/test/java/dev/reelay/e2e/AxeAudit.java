package dev.reelay.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The accessibility audit of the browser tests: axe-core, pinned in {@code src/test/axe/package-lock.json}, installed
 * from the npm registry with {@code npm ci} into {@code target/axe} the first time it is needed, injected into the
 * page under test and run there. Nothing of it ships with Reelay.
 */
final class AxeAudit {

	private static final Path SOURCE = Path.of("src", "test", "axe");

	private static final Path INSTALL = Path.of("target", "axe");

	private static final Path SCRIPT = INSTALL.resolve(Path.of("node_modules", "axe-core", "axe.min.js"));

	private static String script;

	private AxeAudit() {
	}

	/** The serious and critical violations on the page as it is now, one line each (rule, impact, where). */
	static List<String> seriousViolations(Browser browser) {
		browser.script(source());
		browser.driver().manage().timeouts().scriptTimeout(java.time.Duration.ofSeconds(60));
		Object answer = browser.driver().executeAsyncScript("""
				const done = arguments[arguments.length - 1];
				axe.run(document, { resultTypes: ['violations'] })
				  .then((result) => done(result.violations
				    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
				    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} ${n.failureSummary ?? ''}`))))
				  .catch((error) => done([`axe failed: ${error}`]));
				""");
		return ((List<?>) answer).stream().map(String::valueOf).toList();
	}

	private static synchronized String source() {
		if (script == null) {
			try {
				install();
				script = Files.readString(SCRIPT, StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new IllegalStateException("axe-core could not be read from " + SCRIPT.toAbsolutePath(), ex);
			}
		}
		return script;
	}

	private static void install() throws IOException {
		if (Files.isRegularFile(SCRIPT)) {
			return;
		}
		Files.createDirectories(INSTALL);
		for (String file : List.of("package.json", "package-lock.json")) {
			Files.copy(SOURCE.resolve(file), INSTALL.resolve(file), StandardCopyOption.REPLACE_EXISTING);
		}
		ProcessBuilder npm = new ProcessBuilder("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund")
			.directory(INSTALL.toFile())
			.redirectErrorStream(true)
			.redirectOutput(INSTALL.resolve("npm-ci.log").toFile());
		npm.environment().putAll(Map.of("npm_config_update_notifier", "false"));
		try {
			Process process = npm.start();
			if (!process.waitFor(5, TimeUnit.MINUTES)) {
				process.destroyForcibly();
				throw new IllegalStateException("npm ci for axe-core took over 5 minutes; see " + INSTALL.resolve("npm-ci.log"));
			}
			if (process.exitValue() != 0 || !Files.isRegularFile(SCRIPT)) {
				throw new IllegalStateException("npm ci for axe-core failed (exit " + process.exitValue() + "): "
						+ Files.readString(INSTALL.resolve("npm-ci.log")));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while installing axe-core", ex);
		}
		catch (IOException ex) {
			throw new IllegalStateException("npm is needed for the accessibility audit (Node.js 18 or newer; "
					+ ".ci/run installs it)", ex);
		}
	}

}
