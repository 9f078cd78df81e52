package dev.reelay.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.reelay.job.Job;
import dev.reelay.job.JobEventLog;
import dev.reelay.job.JobEventNotice;
import dev.reelay.job.JobEventType;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobQueue;
import dev.reelay.job.JobStatus;
import dev.reelay.provider.ProviderRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/**
 * The claim loop's wake-ups, turns and errors. The tick is an hour, so anything that happens within the test's
 * bounds happened because of a wake-up, not the timer.
 */
class ClaimLoopTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final JobQueue jobs = mock(JobQueue.class);

	private final JobEventLog events = mock(JobEventLog.class);

	private final JobWorker worker = mock(JobWorker.class);

	private final ProviderGate gate = mock(ProviderGate.class);

	private final ProviderRegistry providers = mock(ProviderRegistry.class);

	private final Sinks.Many<JobEventNotice> notices = Sinks.many().multicast().directBestEffort();

	private Dispatcher dispatcher;

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	@AfterEach
	void stop() {
		if (this.dispatcher != null) {
			this.dispatcher.stop();
		}
	}

	@Test
	void aJobQueuedWhileAClaimRunsIsClaimedRightAfterIt() {
		Sinks.Many<Job> slowClaim = Sinks.many().unicast().onBackpressureBuffer();
		Job queuedMidClaim = job("p");
		providers("p");
		given(this.gate.claimRunning(eq("p"), any(), anyInt(), any(), any(), any(), anyInt())).willReturn(Flux.empty());
		given(this.gate.claimSubmissions(eq("p"), any(), anyInt(), any(), any(), any()))
			.willReturn(slowClaim.asFlux(), Flux.just(queuedMidClaim), Flux.empty());
		given(this.worker.run(any())).willReturn(Mono.never());
		start(1);

		queued();
		await().atMost(WAIT).until(() -> slowClaim.currentSubscriberCount() > 0);
		// Two jobs queued while the first claim is still running: one more claim serves both.
		queued();
		queued();
		slowClaim.tryEmitComplete();
		verify(this.worker, timeout(WAIT.toMillis())).run(queuedMidClaim);
	}

	@Test
	void aFinishedStepWakesTheLoopForTheNextJob() {
		Job first = job("p");
		Job second = job("p");
		Sinks.Empty<Void> firstStep = Sinks.empty();
		providers("p");
		given(this.gate.claimRunning(eq("p"), any(), anyInt(), any(), any(), any(), anyInt())).willReturn(Flux.empty());
		given(this.gate.claimSubmissions(eq("p"), any(), eq(1), any(), any(), any()))
			.willReturn(Flux.just(first), Flux.just(second));
		given(this.worker.run(first)).willReturn(firstStep.asMono());
		given(this.worker.run(second)).willReturn(Mono.never());
		start(1);

		queued();
		verify(this.worker, timeout(WAIT.toMillis())).run(first);
		// The second job was queued long ago; only the freed slot can bring it in before the hour's tick.
		firstStep.tryEmitEmpty();
		verify(this.worker, timeout(WAIT.toMillis())).run(second);
	}

	@Test
	void aProviderWhoseClaimFailsDoesNotStopTheOthers() {
		Job other = job("b");
		providers("a", "b");
		given(this.gate.claimRunning(eq("a"), any(), anyInt(), any(), any(), any(), anyInt()))
			.willReturn(Flux.error(new IllegalStateException("a row this instance cannot read")));
		given(this.gate.claimSubmissions(eq("a"), any(), anyInt(), any(), any(), any()))
			.willReturn(Flux.error(new IllegalStateException("a row this instance cannot read")));
		given(this.gate.claimRunning(eq("b"), any(), anyInt(), any(), any(), any(), anyInt())).willReturn(Flux.empty());
		given(this.gate.claimSubmissions(eq("b"), any(), anyInt(), any(), any(), any()))
			.willReturn(Flux.just(other), Flux.empty());
		given(this.worker.run(any())).willReturn(Mono.never());
		start(8);

		queued();
		verify(this.worker, timeout(WAIT.toMillis())).run(other);
	}

	@Test
	void eachProviderIsClaimedAtItsOwnTimeSoASlowCycleDoesNotAgeItsPermits() {
		// "a" takes 1.5 s to claim (a loaded machine, a slow statement): more than the 1 s call margin within which a
		// claimed create must be sent. "b"'s permits must be timed from its own claim, not from the cycle's start.
		providers("a", "b");
		given(this.gate.claimRunning(any(), any(), anyInt(), any(), any(), any(), anyInt())).willReturn(Flux.empty());
		given(this.gate.claimSubmissions(eq("a"), any(), anyInt(), any(), any(), any()))
			.willReturn(Mono.delay(Duration.ofMillis(1500)).thenMany(Flux.empty()));
		given(this.gate.claimSubmissions(eq("b"), any(), anyInt(), any(), any(), any())).willReturn(Flux.empty());
		Instant cycleStart = Instant.now();
		start(8);

		queued();
		ArgumentCaptor<Instant> claimedAt = ArgumentCaptor.forClass(Instant.class);
		verify(this.gate, timeout(WAIT.toMillis())).claimSubmissions(eq("b"), any(), anyInt(), any(),
				claimedAt.capture(), any());
		assertThat(claimedAt.getValue()).isAfterOrEqualTo(cycleStart.plusMillis(1500));
	}

	@Test
	void providersTakeTurnsGoingFirst() {
		List<String> firstClaimed = new ArrayList<>();
		providers("a", "b", "c");
		given(this.gate.claimRunning(any(), any(), anyInt(), any(), any(), any(), anyInt())).willAnswer((call) -> {
			synchronized (firstClaimed) {
				firstClaimed.add(call.getArgument(0));
			}
			return Flux.empty();
		});
		given(this.gate.claimSubmissions(any(), any(), anyInt(), any(), any(), any())).willReturn(Flux.empty());
		start(8);

		for (int i = 0; i < 3; i++) {
			int cycles = i + 1;
			queued();
			verify(this.gate, timeout(WAIT.toMillis()).times(3 * cycles)).claimSubmissions(any(), any(), anyInt(),
					any(), any(), any());
		}
		synchronized (firstClaimed) {
			assertThat(List.of(firstClaimed.get(0), firstClaimed.get(3), firstClaimed.get(6)))
				.containsExactlyInAnyOrder("a", "b", "c");
		}
		verify(this.gate, times(9)).claimRunning(any(), any(), anyInt(), any(), any(), any(), anyInt());
	}

	@Test
	void jobsOfAClaimCutOffByTheStopAreNotLeftInHand() {
		Sinks.Many<Job> midClaim = Sinks.many().unicast().onBackpressureBuffer();
		providers("p");
		given(this.gate.claimRunning(eq("p"), any(), anyInt(), any(), any(), any(), anyInt())).willReturn(Flux.empty());
		given(this.gate.claimSubmissions(eq("p"), any(), anyInt(), any(), any(), any())).willReturn(midClaim.asFlux());
		start(4);

		queued();
		await().atMost(WAIT).until(() -> midClaim.currentSubscriberCount() > 0);
		// A row of the claim has arrived; the statement has not finished when the stop comes.
		midClaim.tryEmitNext(job("p"));
		this.dispatcher.stop();
		assertThat(this.meters.get("reelay.dispatch.in.hand").gauge().value()).isZero();
		verify(this.worker, never()).run(any());
	}

	private void providers(String... names) {
		given(this.providers.enabledInstances()).willReturn(List.of(names));
		given(this.events.notices()).willReturn(this.notices.asFlux());
	}

	private void queued() {
		this.notices.tryEmitNext(new JobEventNotice(1, UUID.randomUUID(), JobEventType.QUEUED));
	}

	private void start(int concurrency) {
		DispatchSettings settings = new DispatchSettings(true, Duration.ofHours(1), concurrency, Duration.ofMinutes(1),
				Duration.ofSeconds(50), Duration.ofSeconds(2), Duration.ofMinutes(5), 8, "test", Duration.ofSeconds(1),
				Map.of(), Duration.ofSeconds(20));
		this.dispatcher = new Dispatcher(this.jobs, this.events, this.worker, this.gate, this.providers, mock(CallLedger.class),
				settings, new DispatchClock(Clock.systemUTC()), this.meters,
				new dev.reelay.provider.InstanceBreakers(new dev.reelay.provider.BreakerSettings(5, Duration.ofMinutes(1), 2),
						Clock.systemUTC()),
				mock(RouteMoves.class));
		this.dispatcher.start();
	}

	private static Job job(String provider) {
		Instant now = Instant.now();
		return new Job(UUID.randomUUID(), dev.reelay.tenant.CallerTenant.LOCAL, JobStatus.QUEUED, 0, "m", provider,
				"a prompt", new JobParameters(4, "16:9", "720p", null, null), 0, null, null, null, null, null, null, 0,
				now, "test", now.plusSeconds(60), null, now, now, null, 1, null, 0);
	}

}
