package dev.reelay.simulator;

import java.time.Duration;
import java.util.UUID;

import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ProviderRegistry;
import dev.reelay.provider.RemoteJob;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code reelay.simulator.path} moves the simulator, and the built-in provider instance follows it there. */
@TestPropertySource(properties = "reelay.simulator.path=/stand-in/openai/v1")
class SimulatorPathTests extends SimulatorTestSupport {

	private static final Duration WAIT = Duration.ofSeconds(30);

	@Autowired
	ProviderRegistry providers;

	@Autowired
	SimulatorLedger ledger;

	@Test
	void theProviderInstanceReachesTheSimulatorAtTheConfiguredPathAndTheDefaultOneIsGone() {
		assertThat(this.settings.path()).isEqualTo("/stand-in/openai/v1");
		String prompt = "Moved " + UUID.randomUUID();

		RemoteJob job = this.providers.get("simulator")
			.submit(new GenerationRequest("sora-2", prompt, 8, "16:9", "720p", null, null))
			.block(WAIT);

		assertThat(job.remoteId()).startsWith("video_");
		assertThat(this.ledger.createsWithPrompt(prompt).block(WAIT)).isEqualTo(1);
		assertThat(retrieve(createVideo("Through the test client")).get("status").stringValue()).isEqualTo("queued");
		anonymousClient().mutate()
			.baseUrl("http://127.0.0.1:" + this.port + SimulatorSettings.DEFAULT_PATH)
			.build()
			.get()
			.uri("/videos")
			.header("Authorization", "Bearer " + this.access.key())
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.doesNotExist(SimulatorFilter.REQUEST_ID_HEADER);
	}

}
