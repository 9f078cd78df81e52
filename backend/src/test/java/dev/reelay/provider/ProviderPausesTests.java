package dev.reelay.provider;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProviderPausesTests {

	private final ProviderPauses pauses = new ProviderPauses();

	private final Instant now = Instant.parse("2026-05-01T12:00:00Z");

	@Test
	void aPauseHoldsUntilItsTimeAndThenEnds() {
		this.pauses.pause("openai", this.now.plusSeconds(30), "rate limited: rate_limited");
		assertThat(this.pauses.current("openai", this.now.plusSeconds(29))).get()
			.extracting(ProviderPauses.Pause::until)
			.isEqualTo(this.now.plusSeconds(30));
		assertThat(this.pauses.current("openai", this.now.plusSeconds(30))).isEmpty();
		assertThat(this.pauses.current("other", this.now)).isEmpty();
	}

	@Test
	void theLaterOfTwoReportsWins() {
		this.pauses.pause("openai", this.now.plusSeconds(60), "long");
		this.pauses.pause("openai", this.now.plusSeconds(5), "short");
		assertThat(this.pauses.current("openai", this.now.plusSeconds(10))).get()
			.extracting(ProviderPauses.Pause::reason)
			.isEqualTo("long");
		this.pauses.resume("openai");
		assertThat(this.pauses.current("openai", this.now)).isEmpty();
	}

}
