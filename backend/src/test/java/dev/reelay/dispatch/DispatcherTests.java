package dev.reelay.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.reelay.job.Job;
import dev.reelay.job.JobEventLog;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobQueue;
import dev.reelay.job.JobStatus;
import dev.reelay.provider.ProviderRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;

/** How the dispatcher hands claimed jobs to workers. */
class DispatcherTests {

	private final JobQueue jobs = mock(JobQueue.class);

	private final JobEventLog events = mock(JobEventLog.class);

	private final JobWorker worker = mock(JobWorker.class);

	private final ProviderGate gate = mock(ProviderGate.class);

	private final ProviderRegistry providers = mock(ProviderRegistry.class);

	private final CallLedger ledger = mock(CallLedger.class);

	private Dispatcher dispatcher;

	@AfterEach
	void stop() {
		if (this.dispatcher != null) {
			this.dispatcher.stop();
		}
	}

	@Test
	void claimedJobsStartOnlyOnceTheClaimHasCommitted() {
		// A claim's rows arrive before its statement commits; a worker started on the first row would write
		// against a version the database does not show yet, lose, and leave the job for the lease to expire.
		Job claimed = job();
		Sinks.Many<Job> claim = Sinks.many().unicast().onBackpressureBuffer();
		given(this.providers.enabledInstances()).willReturn(List.of("p"));
		given(this.events.notices()).willReturn(Flux.never());
		given(this.gate.claimRunning(eq("p"), any(), anyInt(), any(), any(), any(), anyInt())).willReturn(Flux.empty());
		given(this.gate.claimSubmissions(eq("p"), any(), anyInt(), any(), any(), any()))
			.willReturn(claim.asFlux(), Flux.empty());
		given(this.worker.run(any())).willReturn(Mono.empty());
		this.dispatcher = dispatcher();
		this.dispatcher.start();

		await().atMost(Duration.ofSeconds(5)).until(() -> claim.currentSubscriberCount() > 0);
		claim.tryEmitNext(claimed);
		verify(this.worker, timeout(200).times(0)).run(any());
		verify(this.worker, never()).run(any());
		claim.tryEmitComplete();
		verify(this.worker, timeout(5_000)).run(claimed);
	}

	private Dispatcher dispatcher() {
		DispatchSettings settings = new DispatchSettings(true, Duration.ofMillis(20), 8, Duration.ofMinutes(1),
				Duration.ofSeconds(50), Duration.ofSeconds(2), Duration.ofMinutes(5), 8, "test", Duration.ofSeconds(1),
				Map.of(), Duration.ofSeconds(20));
		return new Dispatcher(this.jobs, this.events, this.worker, this.gate, this.providers, this.ledger, settings,
				new DispatchClock(Clock.systemUTC()), new SimpleMeterRegistry(),
				new dev.reelay.provider.InstanceBreakers(new dev.reelay.provider.BreakerSettings(5, Duration.ofMinutes(1), 2),
						Clock.systemUTC()),
				mock(RouteMoves.class));
	}

	private static Job job() {
		Instant now = Instant.now();
		return new Job(UUID.randomUUID(), dev.reelay.tenant.CallerTenant.LOCAL, JobStatus.QUEUED, 0, "m", "p", "a prompt",
				new JobParameters(4, "16:9", "720p", null, null), 0, null, null, null, null, null, null, 0, now, "test",
				now.plusSeconds(60), null, now, now, null, 1, null, 0);
	}

}
