package dev.reelay.simulator;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

@TestPropertySource(properties = "reelay.simulator.failure-rate=1")
class SimulatorFailureTests extends SimulatorTestSupport {

	@Test
	void failingJobShowsProgressThenFailsWithAnErrorObject() {
		String id = createVideo("A job that will not make it");
		long createdAt = this.clock.instant().getEpochSecond();

		this.clock.advance(Duration.ofSeconds(10));
		assertThat(retrieve(id).get("status").stringValue()).isEqualTo("in_progress");

		this.clock.advance(Duration.ofSeconds(2));
		JsonNode failed = retrieve(id);
		assertThat(failed.get("status").stringValue()).isEqualTo("failed");
		assertThat(failed.get("progress").intValue()).isEqualTo(60);
		assertThat(failed.get("completed_at").longValue()).isEqualTo(createdAt + 12);
		assertThat(failed.get("expires_at").isNull()).isTrue();
		assertThat(failed.get("error").propertyNames()).containsExactlyInAnyOrder("code", "message");
		assertThat(failed.get("error").get("code").stringValue()).isEqualTo("internal_error");
		assertThat(failed.get("error").get("message").stringValue()).isNotBlank();

		// Terminal means terminal: more time changes nothing.
		this.clock.advance(Duration.ofMinutes(5));
		assertThat(retrieve(id)).isEqualTo(failed);

		this.client.get().uri("/videos/{id}/content", id).exchange().expectStatus().isNotFound();
	}

}
