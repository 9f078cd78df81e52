package dev.reelay.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

import dev.reelay.job.Job;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import dev.reelay.provider.CancelOutcome;
import dev.reelay.provider.ContentVariant;
import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.ProviderFamily;
import dev.reelay.provider.ProviderPauses;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.RemoteContent;
import dev.reelay.provider.RemoteJob;
import dev.reelay.provider.SubmittedGeneration;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.VideoProvider;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * What the worker leaves for operators after each step against a provider answering step by step: the call count
 * and the provider's request id on the job, timed calls by outcome, and a pause health can read after a 429.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = { "reelay.dispatch.enabled=false",
		"reelay.providers.instances.stepwise.family=stepwise", "reelay.providers.instances.stepwise.api-key=key" })
@Import(JobWorkerOperationsTests.StepwiseFamily.class)
class JobWorkerOperationsTests {

	@Autowired
	private JobWorker worker;

	@Autowired
	private JobStore jobs;

	@Autowired
	private ProviderPauses pauses;

	@Autowired
	private MeterRegistry registry;

	@Autowired
	private StepwiseFamily provider;

	@Test
	void eachStepRecordsItsCallsRequestIdAndOutcome() {
		Job job = this.jobs.create(new NewJob("sim-video", "stepwise", "operations",
				new JobParameters(4, "16:9", "720p", null, null)))
			.block(Duration.ofSeconds(5));

		this.provider.next(() -> Mono.error(new ProviderException(ProviderException.Kind.RATE_LIMITED,
				"rate_limit_exceeded", "slow down", 429, Duration.ofSeconds(30), "req_limited", null)));
		Job limited = step(job);
		assertThat(limited.status()).isEqualTo(JobStatus.QUEUED);
		assertThat(limited.providerCalls()).isEqualTo(1);
		assertThat(limited.providerRequestId()).isEqualTo("req_limited");
		assertThat(calls("submit", "rate_limit")).isEqualTo(1);
		// The dispatcher's pause is what health reads through ProviderPauses.
		ProviderPauses.Pause pause = this.pauses.current("stepwise", Instant.now()).block(Duration.ofSeconds(5));
		assertThat(Duration.between(Instant.now(), pause.until()).toSeconds()).isCloseTo(30, within(2L));
		assertThat(pause.reason()).isEqualTo("slow down");

		this.provider.next(
				() -> Mono.just(new RemoteJob("remote-1", RemoteStatus.QUEUED, 0, null, null, "req_accepted")));
		Job submitted = step(limited);
		assertThat(submitted.status()).isEqualTo(JobStatus.SUBMITTED);
		assertThat(submitted.providerCalls()).isEqualTo(2);
		assertThat(submitted.providerRequestId()).isEqualTo("req_accepted");
		assertThat(calls("submit", "success")).isEqualTo(1);

		this.provider.next(() -> Mono.error(new ProviderException(ProviderException.Kind.RETRYABLE, "provider_error",
				"oops", 503, null, "req_503", null)));
		Job retrying = step(submitted);
		assertThat(retrying.status()).isEqualTo(JobStatus.SUBMITTED);
		assertThat(retrying.providerCalls()).isEqualTo(3);
		assertThat(retrying.providerRequestId()).isEqualTo("req_503");
		assertThat(calls("status", "provider_5xx")).isEqualTo(1);
		// A 5xx is no rate limit: the pause stays as it was.
		assertThat(this.pauses.current("stepwise", Instant.now()).block(Duration.ofSeconds(5))).isEqualTo(pause);

		this.provider.next(() -> Mono.just(new RemoteJob("remote-1", RemoteStatus.FAILED, 0,
				new RemoteJob.RemoteError("moderation_blocked", "blocked"), null, null)));
		Job failed = step(retrying);
		assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
		assertThat(failed.providerCalls()).isEqualTo(4);
		// An answer without a request id keeps the last one known.
		assertThat(failed.providerRequestId()).isEqualTo("req_503");
		assertThat(this.registry.get("reelay.jobs.failed").tag("provider", "stepwise").tag("error", "moderation")
			.counter()
			.count()).isEqualTo(1);
		assertThat(this.registry.get("reelay.jobs.provider.calls").tag("provider", "stepwise")
			.summary()
			.totalAmount()).isEqualTo(4);
	}

	private Job step(Job job) {
		this.worker.run(job).block(Duration.ofSeconds(5));
		return this.jobs.find(job.id()).block(Duration.ofSeconds(5));
	}

	private double calls(String operation, String outcome) {
		return this.registry.get("reelay.provider.calls")
			.tag("provider", "stepwise")
			.tag("operation", operation)
			.tag("outcome", outcome)
			.timer()
			.count();
	}

	/** A provider family whose one provider answers whatever the test scripted next, whatever was asked. */
	@TestConfiguration(proxyBeanMethods = false)
	static class StepwiseFamily implements ProviderFamily, VideoProvider {

		private final Deque<Supplier<Mono<RemoteJob>>> answers = new ArrayDeque<>();

		void next(Supplier<Mono<RemoteJob>> answer) {
			this.answers.add(answer);
		}

		@Override
		public String name() {
			return "stepwise";
		}

		@Override
		public VideoProvider create(String instanceName, ProviderSettings.Instance settings) {
			return this;
		}

		@Override
		public Mono<RemoteJob> submit(GenerationRequest request) {
			return this.answers.remove().get();
		}

		@Override
		public Mono<RemoteJob> status(String remoteId) {
			return this.answers.remove().get();
		}

		@Override
		public Mono<RemoteContent> content(String remoteId, ContentVariant variant) {
			return Mono.error(new UnsupportedOperationException());
		}

		@Override
		public Mono<CancelOutcome> cancel(String remoteId) {
			return Mono.just(CancelOutcome.UNSUPPORTED);
		}

		@Override
		public Flux<SubmittedGeneration> findSubmitted(GenerationRequest request, Instant notBefore) {
			return Flux.empty();
		}

	}

}
