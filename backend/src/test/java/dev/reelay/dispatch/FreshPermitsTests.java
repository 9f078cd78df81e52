package dev.reelay.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

import dev.reelay.job.Job;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStatus;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/**
 * A permit taken again at the call (see {@link ProviderGate#retake}, which these tests stand in for) whose decision was
 * itself slower than the call margin: taken once more, giving back the one just counted, rather than sending the
 * create back to the queue; a bounded number of times.
 */
class FreshPermitsTests {

	private static final Duration MARGIN = Duration.ofSeconds(1);

	private static final Duration LEASE = Duration.ofMinutes(1);

	private final Instant now = Instant.parse("2026-12-07T12:00:00Z");

	private final ProviderGate gate = mock(ProviderGate.class);

	private final FreshPermits permits = new FreshPermits(new DispatchSettings(true, Duration.ofMillis(500), 32, LEASE,
			Duration.ofSeconds(50), Duration.ofSeconds(2), Duration.ofMinutes(5), 8, "test", MARGIN, Map.of(),
			Duration.ofSeconds(20)), this.gate, new DispatchClock(Clock.fixed(this.now, ZoneOffset.UTC)));

	/** Claimed 5 s ago: its permit lapsed long before this call. */
	private final Instant claimedAt = this.now.minusSeconds(5);

	private final Job job = job(this.claimedAt.plus(LEASE));

	@Test
	void aPermitTakenAgainThatLapsedDuringItsDecisionIsTakenOnceMore() {
		Instant slowDecision = this.now.minusSeconds(2);
		given(this.gate.retake(eq(this.job), any(), eq(CallLedger.SUBMIT), eq(this.claimedAt), any()))
			.willReturn(Mono.just(slowDecision));
		given(this.gate.retake(eq(this.job), any(), eq(CallLedger.SUBMIT), eq(slowDecision), any()))
			.willReturn(Mono.just(this.now));

		StepVerifier.create(this.permits.mayCall(this.job, CallLedger.SUBMIT, true)).expectNext(true).verifyComplete();
		// The second decision gave back the permit the first one counted.
		verify(this.gate).retake(eq(this.job), any(), eq(CallLedger.SUBMIT), eq(slowDecision), any());
	}

	@Test
	void aPermitThatKeepsLapsingIsNotSentOn() {
		given(this.gate.retake(eq(this.job), any(), eq(CallLedger.SUBMIT), any(), any()))
			.willAnswer((call) -> Mono.just(((Instant) call.getArgument(3)).minusMillis(1)));

		StepVerifier.create(this.permits.mayCall(this.job, CallLedger.SUBMIT, true)).expectNext(false).verifyComplete();
		verify(this.gate, times(FreshPermits.RETAKES)).retake(eq(this.job), any(), eq(CallLedger.SUBMIT), any(), any());
	}

	@Test
	void aFullWindowAtTheCallIsNotSentOnAndNotAskedAgain() {
		given(this.gate.retake(eq(this.job), any(), eq(CallLedger.SUBMIT), eq(this.claimedAt), any()))
			.willReturn(Mono.empty());

		StepVerifier.create(this.permits.mayCall(this.job, CallLedger.SUBMIT, true)).expectNext(false).verifyComplete();
		verify(this.gate, times(1)).retake(any(), any(), any(), any(), any());
	}

	@Test
	void aFreshPermitNeedsNoDecision() {
		Job fresh = job(this.now.minusMillis(200).plus(LEASE));

		StepVerifier.create(this.permits.mayCall(fresh, CallLedger.SUBMIT, true)).expectNext(true).verifyComplete();
		verify(this.gate, never()).retake(any(), any(), any(), any(), any());
	}

	private static Job job(Instant leaseUntil) {
		Instant created = leaseUntil.minus(LEASE).minusSeconds(1);
		return new Job(UUID.randomUUID(), dev.reelay.tenant.CallerTenant.LOCAL, JobStatus.QUEUED, 0, "m", "p",
				"a prompt", new JobParameters(4, "16:9", "720p", null, null), 0, null, null, null, null, null, null, 0,
				created, "test", leaseUntil, null, created, created, null, 1, null, 0);
	}

}
