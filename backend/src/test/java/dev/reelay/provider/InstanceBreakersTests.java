package dev.reelay.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.reelay.provider.openai.OpenAiVideosFamilyAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The circuit breaker of a provider instance, fed by real calls over HTTP to a stand-in that fails and recovers.
 * Its cool-down runs on virtual time.
 */
class InstanceBreakersTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private final StandIn api = new StandIn();

	private final VirtualTimeScheduler time = VirtualTimeScheduler.create();

	private final InstanceBreakers breakers = new InstanceBreakers(new BreakerSettings(3, Duration.ofMinutes(1), 2),
			new SchedulerClock(this.time));

	private final VideoProvider provider = new BreakerFedProvider(OpenAiVideosFamilyAccess.create("flaky", StandIn.settings("openai-videos", this.api.url("/v1"), List.of(), Map.of())), "flaky",
			this.breakers);

	@AfterEach
	void stop() {
		this.api.close();
	}

	@Test
	void opensAfterFailuresInARowProbesAfterTheCoolDownAndClosesAfterSuccesses() {
		failsOnce();
		failsOnce();
		assertThat(this.breakers.status("flaky").state()).isEqualTo(InstanceBreakers.State.CLOSED);
		assertThat(this.breakers.submissionsAllowed("flaky", 8)).isEqualTo(8);
		failsOnce();
		InstanceBreakers.Status open = this.breakers.status("flaky");
		assertThat(open.state()).isEqualTo(InstanceBreakers.State.OPEN);
		assertThat(open.failuresInRow()).isEqualTo(3);
		assertThat(open.until()).isEqualTo(Instant.EPOCH.plus(Duration.ofMinutes(1)));
		assertThat(this.breakers.submissionsAllowed("flaky", 8)).as("open: no submissions").isZero();

		this.time.advanceTimeBy(Duration.ofSeconds(59));
		assertThat(this.breakers.status("flaky").state()).isEqualTo(InstanceBreakers.State.OPEN);
		this.time.advanceTimeBy(Duration.ofSeconds(1));
		assertThat(this.breakers.status("flaky").state()).isEqualTo(InstanceBreakers.State.HALF_OPEN);
		assertThat(this.breakers.submissionsAllowed("flaky", 8)).as("half open: one probe").isEqualTo(1);
		this.breakers.claimed("flaky");
		assertThat(this.breakers.submissionsAllowed("flaky", 8)).as("the probe is out").isZero();

		succeedsOnce();
		assertThat(this.breakers.status("flaky").state()).isEqualTo(InstanceBreakers.State.HALF_OPEN);
		assertThat(this.breakers.submissionsAllowed("flaky", 8)).as("the next probe").isEqualTo(1);
		succeedsOnce();
		assertThat(this.breakers.status("flaky").state()).isEqualTo(InstanceBreakers.State.CLOSED);
		assertThat(this.breakers.submissionsAllowed("flaky", 8)).isEqualTo(8);
	}

	@Test
	void aFailedProbeOpensItAgainForAnotherCoolDown() {
		failsOnce();
		failsOnce();
		failsOnce();
		this.time.advanceTimeBy(Duration.ofMinutes(1));
		assertThat(this.breakers.status("flaky").state()).isEqualTo(InstanceBreakers.State.HALF_OPEN);
		failsOnce();
		assertThat(this.breakers.status("flaky").state()).isEqualTo(InstanceBreakers.State.OPEN);
		assertThat(this.breakers.status("flaky").until()).isEqualTo(Instant.EPOCH.plus(Duration.ofMinutes(2)));
	}

	@Test
	void aRefusalIsAnAnswerAndBreaksTheRunOfFailures() {
		failsOnce();
		failsOnce();
		this.api.json(401, "{\"error\": {\"message\": \"bad key\", \"code\": \"invalid_api_key\"}}");
		StepVerifier.create(this.provider.status("video_1")).expectError(ProviderException.class).verify(WAIT);
		failsOnce();
		failsOnce();
		assertThat(this.breakers.status("flaky").state()).as("two in a row since the answer")
			.isEqualTo(InstanceBreakers.State.CLOSED);
	}

	@Test
	void aRefusedConnectionCountsAsAFailure() {
		VideoProvider dead = new BreakerFedProvider(OpenAiVideosFamilyAccess.create("dead", StandIn.settings("openai-videos", StandIn.deadUrl() + "/v1", List.of(), Map.of())), "dead",
				this.breakers);
		for (int i = 0; i < 3; i++) {
			StepVerifier.create(dead.status("video_1")).expectError(ProviderException.class).verify(WAIT);
		}
		assertThat(this.breakers.status("dead").state()).isEqualTo(InstanceBreakers.State.OPEN);
		assertThat(this.breakers.status("flaky").state()).as("one breaker per instance")
			.isEqualTo(InstanceBreakers.State.CLOSED);
	}

	private void failsOnce() {
		this.api.json(503, "{\"error\": {\"message\": \"overloaded\"}}");
		StepVerifier.create(this.provider.status("video_1"))
			.expectErrorSatisfies((error) -> assertThat(((ProviderException) error).kind())
				.isEqualTo(ProviderException.Kind.RETRYABLE))
			.verify(WAIT);
	}

	private void succeedsOnce() {
		this.api.json(200, "{\"id\": \"video_1\", \"object\": \"video\", \"model\": \"sora-2\", \"status\": "
				+ "\"in_progress\", \"progress\": 10, \"created_at\": 1758941400, \"size\": \"1280x720\", "
				+ "\"seconds\": \"8\"}");
		StepVerifier.create(this.provider.status("video_1")).expectNextCount(1).expectComplete().verify(WAIT);
	}

	/** Reads the virtual scheduler: the breaker's cool-down passes exactly as far as the test advances it. */
	private static final class SchedulerClock extends Clock {

		private final VirtualTimeScheduler scheduler;

		SchedulerClock(VirtualTimeScheduler scheduler) {
			this.scheduler = scheduler;
		}

		@Override
		public Instant instant() {
			return Instant.EPOCH.plusNanos(this.scheduler.now(TimeUnit.NANOSECONDS));
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			throw new UnsupportedOperationException();
		}

	}

}
