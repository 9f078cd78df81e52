package dev.reelay.simulator;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.ProviderFamily;
import dev.reelay.provider.ProviderRegistry;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.VideoProviderContractTests;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulator passes the openai-videos contract: the real adapter (the configured {@code simulator} instance)
 * talks to the simulator over real HTTP. The simulator is moved through a job's life by its clock; it cannot be
 * told to fail one job or to answer a given status, so it takes none of the contract's optional parts (the
 * simulator's own tests cover its failure and rate-limit modes).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestClockConfiguration.class)
class SimulatorContractTests extends VideoProviderContractTests {

	@Autowired
	private ProviderRegistry providers;

	@Autowired
	private List<ProviderFamily> families;

	private MutableClock clock;

	@Autowired
	void simulatorClock(SimulatorClock clock) {
		this.clock = TestClockConfiguration.movable(clock);
	}

	@Autowired
	private SimulatorLedger ledger;

	@Override
	protected VideoProvider provider() {
		return this.providers.get("simulator");
	}

	@Override
	protected VideoProvider unreachableProvider() {
		ProviderFamily openai = this.families.stream().filter((family) -> family.name().equals("openai-videos"))
			.findFirst()
			.orElseThrow();
		return openai.create("dead", new ProviderSettings.Instance("openai-videos", "http://127.0.0.1:9/v1", "k", true,
				Duration.ofSeconds(2), Duration.ofSeconds(1), List.of(), Map.of()));
	}

	@Override
	protected GenerationRequest request() {
		return new GenerationRequest("sora-2", "Simulator contract " + System.nanoTime(), 8, "16:9", "720p", null, null);
	}

	@Override
	protected void willAccept() {
		// The simulator accepts every valid create.
	}

	@Override
	protected void verifySubmitted(GenerationRequest request) {
		// The simulator validated the multipart form as upstream does and stored what it understood.
		assertThat(this.ledger.createsWithPrompt(request.prompt()).block()).isEqualTo(1);
	}

	@Override
	protected List<RemoteStatus> documentedStates() {
		return List.of(RemoteStatus.QUEUED, RemoteStatus.IN_PROGRESS, RemoteStatus.COMPLETED);
	}

	@Override
	protected boolean willReport(String remoteId, RemoteStatus status) {
		switch (status) {
			case QUEUED -> {
				// Just created: still in the queue.
			}
			case IN_PROGRESS -> this.clock.advance(Duration.ofSeconds(10));
			case COMPLETED -> this.clock.advance(Duration.ofSeconds(25));
			default -> {
				return false;
			}
		}
		return true;
	}

	@Override
	protected byte[] willServeVideo(String remoteId) {
		// request() asks for 8 seconds of 16:9 at 720p.
		return TestPatternClip.mp4(1280, 720, 8);
	}

	@Test
	void whatTheSimulatorRejectsIsPermanent() {
		// Upstream accepts only "4", "8" and "12" seconds; the simulator answers 400 in OpenAI's envelope.
		expectError(provider().submit(new GenerationRequest("sora-2", "Five seconds", 5, "16:9", "720p", null, null)),
				ProviderException.Kind.PERMANENT, 400);
		expectError(provider().status("video_" + "0".repeat(48)), ProviderException.Kind.PERMANENT, 404);
	}

}
