package dev.reelay.simulator;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Whether the simulator runs: as configured, else in local mode only; and where the provider instance finds it. */
class SimulatorAccessTests {

	@Test
	void onInLocalModeOffWithTenantsUnlessConfigured() {
		MockEnvironment local = new MockEnvironment();
		MockEnvironment tenants = new MockEnvironment().withProperty("reelay.security.admin-key", "admin");
		MockEnvironment asked = new MockEnvironment().withProperty("reelay.security.admin-key", "admin")
			.withProperty("reelay.simulator.enabled", "true");
		MockEnvironment refused = new MockEnvironment().withProperty("reelay.simulator.enabled", "false");

		assertThat(SimulatorAccess.enabledIn(local)).isTrue();
		assertThat(SimulatorAccess.enabledIn(tenants)).isFalse();
		assertThat(SimulatorAccess.enabledIn(asked)).isTrue();
		assertThat(SimulatorAccess.enabledIn(refused)).isFalse();
	}

	@Test
	void theBaseUrlIsLoopbackOnThisServersPortAndTheConfiguredPath() {
		MockEnvironment environment = new MockEnvironment().withProperty("local.server.port", "4711");

		assertThat(new SimulatorAccess(environment, settings("/stand-in/openai/v1")).baseUrl())
			.isEqualTo("http://127.0.0.1:4711/stand-in/openai/v1");
		assertThat(new SimulatorAccess(environment, settings(SimulatorSettings.DEFAULT_PATH)).baseUrl())
			.isEqualTo("http://127.0.0.1:4711/simulator/openai/v1");
	}

	@Test
	void thePathIsAnAbsolutePathOutsideWhatReelayServesItself() {
		for (String path : new String[] { "", "simulator", "/simulator/", "/a b", "/api", "/api/sim", "/v1",
				"/v1/videos", "/actuator/sim" }) {
			assertThatIllegalArgumentException().as(path)
				.isThrownBy(() -> settings(path))
				.withMessageContaining("reelay.simulator.path");
		}
		assertThat(settings("/apis/sim").path()).isEqualTo("/apis/sim");
	}

	private static SimulatorSettings settings(String path) {
		return new SimulatorSettings(null, Duration.ofSeconds(20), 0, 0, 0, 0, 0, Duration.ZERO, 0, Duration.ZERO,
				Duration.ofSeconds(1), null, path);
	}

}
