package dev.reelay.simulator;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

@TestPropertySource(properties = "reelay.simulator.moderation-rate=1")
class SimulatorModerationTests extends SimulatorTestSupport {

	@Test
	void moderatedJobFailsBeforeAnyProgress() {
		String id = createVideo("Something the moderators dislike");
		assertThat(retrieve(id).get("status").stringValue()).isEqualTo("queued");

		this.clock.advance(Duration.ofSeconds(1));
		JsonNode failed = retrieve(id);

		assertThat(failed.get("status").stringValue()).isEqualTo("failed");
		assertThat(failed.get("progress").intValue()).isZero();
		assertThat(failed.get("error").get("code").stringValue()).isEqualTo("moderation_blocked");
		assertThat(failed.get("error").get("message").stringValue())
			.isEqualTo("Your request was blocked by our moderation system.");
	}

}
