package dev.reelay.provider.openai;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.StandIn;
import dev.reelay.simulator.SimulatorAccess;
import org.junit.jupiter.api.Test;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** Which openai-videos instances are the built-in simulator, and what that asks of them. */
class OpenAiVideosFamilyTests {

	@Test
	void theSimulatorInstanceMustConfigureThePlaceholderKey() {
		OpenAiVideosFamily family = family(new MockEnvironment());

		assertThat(family.create("simulator", instance("", SimulatorAccess.KEY_PLACEHOLDER))).isNotNull();
		assertThatIllegalStateException().isThrownBy(() -> family.create("sim", instance("", "sk-real-key")))
			.withMessageContaining("'sim'")
			.withMessageContaining("placeholder 'simulator'")
			.withMessageNotContaining("sk-real-key");
		// With a base URL it is an ordinary instance, whatever its key.
		assertThat(family.create("reseller", instance("https://api.example/v1", "sk-real-key"))).isNotNull();
	}

	@Test
	void onlyTheSimulatorInstanceIsUnavailableWhileTheSimulatorIsOff() {
		OpenAiVideosFamily off = family(new MockEnvironment().withProperty("reelay.security.admin-key", "admin"));
		OpenAiVideosFamily on = family(new MockEnvironment().withProperty("reelay.security.admin-key", "admin")
			.withProperty("reelay.simulator.enabled", "true"));
		OpenAiVideosFamily local = family(new MockEnvironment());

		assertThat(off.unavailableReason(instance("", SimulatorAccess.KEY_PLACEHOLDER)))
			.hasValueSatisfying((reason) -> assertThat(reason).contains("simulator is off"));
		assertThat(off.unavailableReason(instance("https://api.example/v1", "k"))).isEmpty();
		assertThat(on.unavailableReason(instance("", SimulatorAccess.KEY_PLACEHOLDER))).isEmpty();
		assertThat(local.unavailableReason(instance("", SimulatorAccess.KEY_PLACEHOLDER))).isEmpty();
	}

	private static OpenAiVideosFamily family(MockEnvironment environment) {
		return new OpenAiVideosFamily(StandIn.webClients(), environment, new SimulatorAccess(environment));
	}

	private static ProviderSettings.Instance instance(String baseUrl, String key) {
		return new ProviderSettings.Instance("openai-videos", baseUrl, key, true, Duration.ofSeconds(5),
				Duration.ofSeconds(1), List.of(), Map.of());
	}

}
