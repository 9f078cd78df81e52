package dev.reelay.provider.openai;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.reelay.provider.BuiltInSimulator;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.StandIn;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** Which openai-videos instances are the built-in simulator, and what that asks of them. */
class OpenAiVideosFamilyTests {

	@Test
	void theSimulatorInstanceMustConfigureThePlaceholderKey() {
		OpenAiVideosFamily family = family(Optional.of(simulator(true)));

		assertThat(family.create("simulator", instance("", BuiltInSimulator.KEY_PLACEHOLDER))).isNotNull();
		assertThatIllegalStateException().isThrownBy(() -> family.create("sim", instance("", "sk-real-key")))
			.withMessageContaining("'sim'")
			.withMessageContaining("placeholder 'simulator'")
			.withMessageNotContaining("sk-real-key");
		// With a base URL it is an ordinary instance, whatever its key.
		assertThat(family.create("reseller", instance("https://api.example/v1", "sk-real-key"))).isNotNull();
	}

	// Whether it is on (reelay.simulator.enabled, else local mode) is the simulator's to say: SimulatorAccessTests.
	@Test
	void onlyTheSimulatorInstanceIsUnavailableWhileTheSimulatorIsOffOrLeftOut() {
		OpenAiVideosFamily off = family(Optional.of(simulator(false)));
		OpenAiVideosFamily on = family(Optional.of(simulator(true)));
		OpenAiVideosFamily leftOut = family(Optional.empty());

		assertThat(off.unavailableReason(instance("", BuiltInSimulator.KEY_PLACEHOLDER)))
			.hasValueSatisfying((reason) -> assertThat(reason).contains("simulator is off"));
		assertThat(off.unavailableReason(instance("https://api.example/v1", "k"))).isEmpty();
		assertThat(on.unavailableReason(instance("", BuiltInSimulator.KEY_PLACEHOLDER))).isEmpty();
		assertThat(leftOut.unavailableReason(instance("", BuiltInSimulator.KEY_PLACEHOLDER)))
			.hasValueSatisfying((reason) -> assertThat(reason).contains("no built-in simulator"));
		assertThat(leftOut.unavailableReason(instance("https://api.example/v1", "k"))).isEmpty();
		assertThat(leftOut.create("reseller", instance("https://api.example/v1", "sk-real-key"))).isNotNull();
	}

	private static OpenAiVideosFamily family(Optional<BuiltInSimulator> simulator) {
		return new OpenAiVideosFamily(StandIn.webClients(), simulator);
	}

	private static BuiltInSimulator simulator(boolean enabled) {
		return new BuiltInSimulator() {

			@Override
			public boolean enabled() {
				return enabled;
			}

			@Override
			public String key() {
				return "sk-made-at-start";
			}

			@Override
			public String baseUrl() {
				return StandIn.deadUrl() + "/simulator/openai/v1";
			}

		};
	}

	private static ProviderSettings.Instance instance(String baseUrl, String key) {
		return new ProviderSettings.Instance("openai-videos", baseUrl, key, true, Duration.ofSeconds(5),
				Duration.ofSeconds(1), List.of(), Map.of());
	}

}
