package dev.reelay.job;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** A failed job's error as clients read it: the code, the words, and the kind worked out from the code. */
class JobErrorTests {

	private final JsonMapper json = JsonMapper.builder().build();

	@Test
	void aRefusalByModerationSaysSoWhateverTheFamilyCallsIt() {
		for (String code : new String[] { "moderation_blocked", "safety_filtered", "SAFETY.INPUT.IMAGE",
				"content_policy_violation" }) {
			JsonNode error = this.json.valueToTree(new JobError(code, "Refused.", false));
			assertThat(error.get("kind").asString()).as(code).isEqualTo("moderation");
			assertThat(error.get("code").asString()).isEqualTo(code);
		}
	}

	@Test
	void otherFailuresNameTheirKindAndAnUnknownCodeIsOther() {
		assertThat(this.json.valueToTree(new JobError("rate_limited", "Slow down.", true)).get("kind").asString())
			.isEqualTo("rate_limit");
		assertThat(this.json.valueToTree(new JobError("gave_up_after_retries", "Gave up.", true)).get("kind").asString())
			.isEqualTo("other");
	}

}
