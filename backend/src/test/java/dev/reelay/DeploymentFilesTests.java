package dev.reelay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * compose.yaml and the Dockerfile cannot run here (no Docker engine), so their shape is checked instead: they
 * parse, images are pinned, no host port is fixed, and the app profile wires Reelay to the compose PostgreSQL.
 */
class DeploymentFilesTests {

	// A tag that names at least a minor version (17.6, 17.0.16_8), never "latest" or a bare major.
	private static final Pattern PINNED = Pattern.compile("[^:@]+(:\\d+\\.\\d+[^:]*|@sha256:[0-9a-f]{64})");

	// Tests run in backend/; the deployment files sit at the repository root.
	private static final Path ROOT = Path.of("..");

	@Test
	@SuppressWarnings("unchecked")
	void composeRunsPinnedPostgresAndReelayBehindAProfile() throws IOException {
		Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("compose.yaml")));
		Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
		assertThat(services).containsOnlyKeys("postgres", "reelay");

		Map<String, Object> postgres = services.get("postgres");
		assertThat((String) postgres.get("image")).matches(PINNED).startsWith("postgres:");
		assertThat(postgres).doesNotContainKey("profiles");

		Map<String, Object> reelay = services.get("reelay");
		assertThat((List<String>) reelay.get("profiles")).containsExactly("app");
		assertThat(reelay.get("build")).isEqualTo(".");
		assertThat((Map<String, Object>) reelay.get("depends_on")).containsKey("postgres");
		Map<String, Object> environment = (Map<String, Object>) reelay.get("environment");
		assertThat((String) environment.get("SPRING_R2DBC_URL")).startsWith("r2dbc:postgresql://postgres:5432/");
		Map<String, Object> postgresEnvironment = (Map<String, Object>) postgres.get("environment");
		assertThat((String) environment.get("SPRING_R2DBC_URL")).endsWith("/" + postgresEnvironment.get("POSTGRES_DB"));
		assertThat(environment.get("SPRING_R2DBC_USERNAME")).isEqualTo(postgresEnvironment.get("POSTGRES_USER"));
		assertThat(environment.get("SPRING_R2DBC_PASSWORD")).isEqualTo(postgresEnvironment.get("POSTGRES_PASSWORD"));

		services.forEach((name, service) -> {
			assertThat(service.containsKey("image") || service.containsKey("build")).as(name).isTrue();
			List<Object> ports = (List<Object>) service.getOrDefault("ports", List.of());
			// "8080" publishes on a free host port; "8080:8080" or "127.0.0.1:8080:8080" would fix one.
			ports.forEach((port) -> assertThat(String.valueOf(port)).as(name + " port").matches("\\d+"));
		});
		Map<String, Object> volumes = (Map<String, Object>) compose.get("volumes");
		assertThat(volumes).containsKeys("reelay-postgres", "reelay-videos");
	}

	@Test
	void theDockerfileBuildsFromPinnedImagesAndRunsUnprivileged() throws IOException {
		List<String> lines = Files.readAllLines(ROOT.resolve("Dockerfile"));
		List<String> bases = lines.stream()
			.filter((line) -> line.startsWith("FROM "))
			.map((line) -> line.split("\\s+")[1])
			.toList();
		assertThat(bases).hasSize(2).allSatisfy((image) -> assertThat(image).matches(PINNED));
		assertThat(lines).anyMatch((line) -> line.startsWith("USER ") && !line.contains("root"));
		assertThat(lines).anyMatch((line) -> line.startsWith("ENTRYPOINT ") && line.contains("/app/reelay.jar"));
		assertThat(lines).anyMatch((line) -> line.contains("cp backend/target/reelay-backend-*.jar /reelay.jar"));
	}

}
