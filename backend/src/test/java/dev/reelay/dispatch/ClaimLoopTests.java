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
	void queueNoticesThatEndInAnErrorAreListenedToAgain() {
		Job job = job("p");
		given(this.providers.enabledInstances()).willReturn(List.of("p"));
		// The first listening ends at once in an error; the next is the live notices.
		given(this.events.notices()).willReturn(Flux.error(new IllegalStateException("notices ended")),
				this.notices.asFlux());
		given(this.gate.claimRunning(eq("p"), any(), anyInt(), any(), any(), any(), anyInt())).willReturn(Flux.empty());
		given(this.gate.claimSubmissions(eq("p"), any(), anyInt(), any(), any(), any())).willReturn(Flux.just(job));
		given(this.worker.run(any())).willReturn(Mono.never());
		start(1);

		// The tick is an hour: only a notice heard after listening again can bring this job in.
		await().atMost(WAIT).until(() -> this.notices.currentSubscriberCount() > 0);
		queued();
		verify(this.worker, timeout(WAIT.toMillis())).run(job);
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
	void aSlowClaimForOneProviderDoesNotHoldUpAnother() {
		// "a"'s claim of submissions never ends (a stuck statement, a loaded machine); "b" is claimed on its own turn,
		// timed at its own start, and its job runs.
		Job other = job("b");
		providers("a", "b");
		given(this.gate.claimRunning(any(), any(), anyInt(), any(), any(), any(), anyInt())).willReturn(Flux.empty());
		given(this.gate.claimSubmissions(eq("a"), any(), anyInt(), any(), any(), any())).willReturn(Flux.never());
		given(this.gate.claimSubmissions(eq("b"), any(), anyInt(), any(), any(), any()))
			.willReturn(Flux.just(other), Flux.empty());
		given(this.worker.run(any())).willReturn(Mono.never());
		start(8);

		queued();
		verify(this.worker, timeout(WAIT.toMillis())).run(other);
		verify(this.gate).claimSubmissions(eq("a"), any(), anyInt(), any(), any(), any());
	}

	@Test
	void aSlotFreedByOneProvidersStepIsTakenByAnotherWithoutWaitingForTheTick() {
		// One slot: "a"'s job holds it, so "b"'s queued job finds none. When "a"'s step ends, "b" gets its turn at once
		// (the tick is an hour).
		Job first = job("a");
		Job second = job("b");
		Sinks.Empty<Void> firstStep = Sinks.empty();
		providers("a", "b");
		given(this.gate.claimRunning(any(), any(), anyInt(), any(), any(), any(), anyInt())).willReturn(Flux.empty());
		given(this.gate.claimSubmissions(eq("a"), any(), eq(1), any(), any(), any()))
			.willReturn(Flux.just(first), Flux.empty());
		given(this.gate.claimSubmissions(eq("b"), any(), eq(1), any(), any(), any())).willReturn(Flux.just(second));
		given(this.worker.run(first)).willReturn(firstStep.asMono());
		given(this.worker.run(second)).willReturn(Mono.never());
		given(this.providers.enabledInstances()).willReturn(List.of("a"));
		start(1);

		queued();
		verify(this.worker, timeout(WAIT.toMillis())).run(first);
		// "b" is enabled now; its turn finds the one slot taken and waits for it.
		given(this.providers.enabledInstances()).willReturn(List.of("a", "b"));
		queued();
		await().atMost(WAIT).until(() -> this.meters.get("reelay.dispatch.in.hand").gauge().value() == 1.0);
		verify(this.worker, never()).run(second);
		firstStep.tryEmitEmpty();
		verify(this.worker, timeout(WAIT.toMillis())).run(second);
	}

	@Test
	void inHandNeverExceedsConcurrencyWhileProvidersClaimAtOnce() {
		// Four providers, each with more jobs than the three slots: claims side by side must share the slots.
		List<Job> ran = java.util.Collections.synchronizedList(new ArrayList<>());
		providers("a", "b", "c", "d");
		given(this.gate.claimRunning(any(), any(), anyInt(), any(), any(), any(), anyInt())).willReturn(Flux.empty());
		given(this.gate.claimSubmissions(any(), any(), anyInt(), any(), any(), any())).willAnswer((call) -> {
			int free = call.getArgument(2);
			String provider = call.getArgument(0);
			return Flux.range(0, free).map((i) -> job(provider)).delaySubscription(Duration.ofMillis(20));
		});
		given(this.worker.run(any())).willAnswer((call) -> {
			ran.add(call.getArgument(0));
			return Mono.never();
		});
		start(3);

		queued();
		await().atMost(WAIT).until(() -> ran.size() == 3);
		// Every claim was offered only slots that were free: three jobs claimed in all, never a fourth.
		queued();
		await().atMost(WAIT).until(() -> this.meters.get("reelay.dispatch.in.hand").gauge().value() == 3.0);
		assertThat(ran).hasSize(3);
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
