package dev.reelay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Starts every test run with an empty log file (the one {@code config/application.yaml} for tests names), so that
 * {@link SecretsInLogsTests} scans this run's lines and not those of an earlier build.
 */
public class FreshTestLog implements LauncherSessionListener {

	static final Path FILE = Path.of("target", "test-logs", "tests.log");

	@Override
	public void launcherSessionOpened(LauncherSession session) {
		try {
			Files.deleteIfExists(FILE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
