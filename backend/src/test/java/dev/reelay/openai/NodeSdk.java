package dev.reelay.openai;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pinned openai-node SDK (src/test/openai-sdk: package.json and package-lock.json), installed with {@code npm ci}
 * into target/openai-sdk when it is not there yet, and node scripts run against it.
 */
final class NodeSdk {

	private static final Path SOURCE = Path.of("src", "test", "openai-sdk");

	private static final Path HOME = Path.of("target", "openai-sdk");

	private NodeSdk() {
	}

	/** The project directory with node_modules, installed from the lock file if missing or out of date. */
	static synchronized Path installed() throws IOException, InterruptedException {
		Files.createDirectories(HOME);
		boolean fresh = Files.isDirectory(HOME.resolve("node_modules").resolve("openai"))
				&& Files.exists(HOME.resolve("package-lock.json"))
				&& Files.mismatch(SOURCE.resolve("package-lock.json"), HOME.resolve("package-lock.json")) == -1;
		for (String file : List.of("package.json", "package-lock.json", "videos.mjs", "unwrap.mjs")) {
			Files.copy(SOURCE.resolve(file), HOME.resolve(file), StandardCopyOption.REPLACE_EXISTING);
		}
		if (!fresh) {
			Result install = run(List.of("npm", "ci", "--no-audit", "--no-fund", "--prefer-offline"), Map.of(),
					Duration.ofMinutes(5));
			assertThat(install.exit()).as("npm ci of the pinned openai SDK: %s", install.output()).isZero();
		}
		return HOME;
	}

	record Result(int exit, String output, String errors) {
	}

	static Result node(String script, Map<String, String> environment, Duration timeout)
			throws IOException, InterruptedException {
		return run(List.of("node", script), environment, timeout);
	}

	private static Result run(List<String> command, Map<String, String> environment, Duration timeout)
			throws IOException, InterruptedException {
		Path out = Files.createTempFile(HOME, "out", ".txt");
		Path err = Files.createTempFile(HOME, "err", ".txt");
		ProcessBuilder builder = new ProcessBuilder(command).directory(HOME.toFile())
			.redirectOutput(out.toFile())
			.redirectError(err.toFile());
		builder.environment().putAll(environment);
		Process process = builder.start();
		if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			process.destroyForcibly();
			throw new AssertionError(command + " did not finish within " + timeout + ": "
					+ Files.readString(err, StandardCharsets.UTF_8));
		}
		return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
				Files.readString(err, StandardCharsets.UTF_8));
	}

}
