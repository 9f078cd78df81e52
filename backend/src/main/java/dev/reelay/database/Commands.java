package dev.reelay.database;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the PostgreSQL command-line tools and collects what they print. */
final class Commands {

	private Commands() {
	}

	record Result(int exitCode, String output) {

		boolean succeeded() {
			return this.exitCode == 0;
		}

	}

	static Result run(List<String> command, Duration timeout) {
		File output = null;
		try {
			// A file rather than a pipe: pg_ctl leaves a server running, and nothing may hold our pipe open.
			output = File.createTempFile("reelay-postgres-command", ".out");
			ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(output)
				.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
			Map<String, String> environment = builder.environment();
			// PGDATA, PGPORT and friends from the caller's shell would override what we pass explicitly.
			environment.keySet().removeIf((name) -> name.startsWith("PG"));
			environment.put("LC_ALL", "C");
			Process process = builder.start();
			if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				process.destroyForcibly();
				return new Result(-1, read(output.toPath()) + "\n(timed out after " + timeout.toSeconds() + "s)");
			}
			return new Result(process.exitValue(), read(output.toPath()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not run " + command, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while running " + command, ex);
		}
		finally {
			if (output != null) {
				output.delete();
			}
		}
	}

	private static String read(Path file) throws IOException {
		return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip();
	}

}
