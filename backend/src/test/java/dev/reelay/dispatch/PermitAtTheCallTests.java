package dev.reelay.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import dev.reelay.job.Job;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.BDDMockito.willAnswer;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/**
 * A create's rate permit is good for the moment of the call, not of the claim (issue 19: thousands of "submitting
 * -> queued, waiting for rate limit" bounces a minute when the submitting write landed over {@code call-margin}
 * after the claim). Here every submitting write lands later than that; the creates still go out, on permits taken
 * again at the call, and the provider stand-in's own ledger shows no window over the limit and no job created
 * twice. Claims and steps are driven by the test (the dispatcher is off), against a simulator instance of this
 * class's own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
		"reelay.dispatch.enabled=false", "reelay.simulator.generation-time=1m",
		"reelay.providers.instances.permit-at-call.family=openai-videos",
		"reelay.providers.instances.permit-at-call.base-url=",
		"reelay.providers.instances.permit-at-call.api-key=simulator",
		"reelay.catalog.custom-models[0].id=" + PermitAtTheCallTests.MODEL,
		"reelay.catalog.custom-models[0].display-name=Permit at the call",
		"reelay.catalog.custom-models[0].provider=" + PermitAtTheCallTests.PROVIDER,
		"reelay.catalog.custom-models[0].remote-model=sora-2", "reelay.catalog.custom-models[0].durations=4",
		"reelay.catalog.custom-models[0].aspect-ratios=16:9", "reelay.catalog.custom-models[0].resolutions=720p",
		"reelay.dispatch.call-margin=2s", "reelay.dispatch.lease=1m",
		"reelay.dispatch.limits.permit-at-call.submits.count=2",
		"reelay.dispatch.limits.permit-at-call.submits.per=3s",
		"reelay.providers.instances.in-flight-only.family=openai-videos",
		"reelay.providers.instances.in-flight-only.base-url=",
		"reelay.providers.instances.in-flight-only.api-key=simulator",
		"reelay.catalog.custom-models[1].id=" + PermitAtTheCallTests.IN_FLIGHT_MODEL,
		"reelay.catalog.custom-models[1].display-name=In flight only",
		"reelay.catalog.custom-models[1].provider=in-flight-only",
		"reelay.catalog.custom-models[1].remote-model=sora-2", "reelay.catalog.custom-models[1].durations=4",
		"reelay.catalog.custom-models[1].aspect-ratios=16:9", "reelay.catalog.custom-models[1].resolutions=720p",
		"reelay.dispatch.limits.in-flight-only.max-in-flight=100" })
class PermitAtTheCallTests {

	static final String PROVIDER = "permit-at-call";

	static final String MODEL = "permit-at-call-video";

	static final String IN_FLIGHT_MODEL = "in-flight-only-video";

	private static final int JOBS = 6;

	/** Longer than the call margin: without a permit taken at the call, every create would bounce back. */
	private static final Duration LATE_WRITE = Duration.ofSeconds(3);

	@MockitoSpyBean
	private JobStore jobs;

	@Autowired
	private JobWorker worker;

	@MockitoSpyBean
	private ProviderGate gate;

	@Autowired
	private DispatchSettings settings;

	@Autowired
	private DatabaseClient db;

	@Test
	void submittingWritesThatLandAfterTheMarginStillSendTheirCreatesWithinTheLimit() {
		// Every submitting write (a queued job's, keeping its lease) lands well after its claim.
		willAnswer((call) -> {
			Mono<?> write = (Mono<?>) call.callRealMethod();
			boolean submitting = ((Job) call.getArgument(0)).status() == JobStatus.QUEUED && !(boolean) call.getArgument(2);
			return submitting ? Mono.delay(LATE_WRITE).then(write) : write;
		}).given(this.jobs).change(any(), any(), anyBoolean());
		String tag = "permit-at-call-" + UUID.randomUUID() + " ";
		Flux.range(0, JOBS)
			.concatMap((i) -> this.jobs.create(new NewJob(MODEL, PROVIDER, tag + i,
					new JobParameters(4, "16:9", "720p", null, null))))
			.blockLast(Duration.ofSeconds(30));

		await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
			claimAndStep();
			return accepted(tag) == JOBS;
		});

		StandInLedger ledger = StandInLedger.read(this.db, tag);
		assertThat(ledger.createsPerPrompt()).as("creates per job at the stand-in").hasSize(JOBS)
			.allSatisfy((prompt, creates) -> assertThat(creates).isEqualTo(1L));
		assertThat(ledger.mostCreatesWithin(Duration.ofSeconds(3))).as("creates in any 3 s at the stand-in")
			.isLessThanOrEqualTo(2);
	}

	@Test
	void anInFlightLimitAloneTakesNoPermitAgainHoweverLateTheCall() {
		// The claim holds the job's in-flight place until it ends: nothing is counted in a window, so a late submitting
		// write costs no second decision under the provider's lock (and can never send the job back to the queue).
		willAnswer((call) -> {
			Mono<?> write = (Mono<?>) call.callRealMethod();
			boolean submitting = ((Job) call.getArgument(0)).status() == JobStatus.QUEUED && !(boolean) call.getArgument(2);
			return submitting ? Mono.delay(LATE_WRITE).then(write) : write;
		}).given(this.jobs).change(any(), any(), anyBoolean());
		String tag = "in-flight-only-" + UUID.randomUUID() + " ";
		Flux.range(0, JOBS)
			.concatMap((i) -> this.jobs.create(new NewJob(IN_FLIGHT_MODEL, "in-flight-only", tag + i,
					new JobParameters(4, "16:9", "720p", null, null))))
			.blockLast(Duration.ofSeconds(30));

		await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
			claimAndStep("in-flight-only");
			return accepted(tag) == JOBS;
		});

		verify(this.gate, never()).retake(any(), any(), any(), any(), any());
	}

	/** One claim of whatever the limits allow now, each claimed job stepped once (its create sent, or not). */
	private void claimAndStep() {
		claimAndStep(PROVIDER);
	}

	private void claimAndStep(String provider) {
		this.gate.claimSubmissions(provider, this.settings.limitsFor(provider), JOBS, "permit-at-call", Instant.now(),
				this.settings.lease())
			.flatMap(this.worker::run, JOBS)
			.then()
			.block(Duration.ofSeconds(60));
	}

	private long accepted(String tag) {
		return this.db.sql("SELECT count(*) AS n FROM jobs WHERE prompt LIKE :tag AND remote_id IS NOT NULL")
			.bind("tag", tag + "%")
			.map((row) -> row.get("n", Long.class))
			.one()
			.block(Duration.ofSeconds(30));
	}

}
