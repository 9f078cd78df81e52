package dev.reelay.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.reelay.job.Job;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Limits decided in PostgreSQL, driven by explicit instants: the gate never reads a clock, so time here is whatever
 * the test says, and hours of windows pass in milliseconds.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "reelay.dispatch.enabled=false")
class ProviderGateTests {

	private static final Duration LEASE = Duration.ofMinutes(5);

	private static final JobParameters PARAMETERS = new JobParameters(4, "16:9", "720p", null, null);

	private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

	@Autowired
	private ProviderGate gate;

	@Autowired
	private JobStore jobs;

	@Autowired
	private DatabaseClient db;

	@Test
	void submissionsNeverExceedTheRateInAnySlidingWindow() {
		String provider = queue(40);
		Limits limits = limits(new Limits.Rate(5, Duration.ofSeconds(10)), null, null);
		List<Instant> grants = new ArrayList<>();
		// Claims at irregular instants over two minutes, each asking for more than the rate allows.
		for (int step = 0; step < 60; step++) {
			Instant at = T0.plusMillis(step * 2_000L + (step % 3) * 700L);
			int claimed = claim(provider, limits, 4, at).size();
			for (int i = 0; i < claimed; i++) {
				grants.add(at);
			}
		}
		assertThat(grants).as("every queued job is claimed within two minutes").hasSize(40);
		for (Instant start : grants) {
			long inWindow = grants.stream()
				.filter((at) -> !at.isBefore(start) && at.isBefore(start.plusSeconds(10)))
				.count();
			assertThat(inWindow).as("grants in the 10 s window from %s", start).isLessThanOrEqualTo(5);
		}
	}

	@Test
	void inFlightCapHoldsUntilAJobFinishes() {
		String provider = queue(5);
		Limits limits = limits(null, null, 2);
		List<Job> first = claim(provider, limits, 10, T0);
		assertThat(first).hasSize(2);
		assertThat(claim(provider, limits, 10, T0.plusSeconds(1))).isEmpty();
		Job finished = this.jobs.change(first.get(0), (c) -> c.status = JobStatus.CANCELED, true).block();
		assertThat(finished.status()).isEqualTo(JobStatus.CANCELED);
		assertThat(claim(provider, limits, 10, T0.plusSeconds(2))).hasSize(1);
	}

	@Test
	void dailyCapCountsTheLastTwentyFourHours() {
		String provider = queue(6);
		Limits limits = new Limits(null, 3, null, null, Duration.ofSeconds(30), Map.of());
		assertThat(claim(provider, limits, 10, T0)).hasSize(3);
		assertThat(claim(provider, limits, 10, T0.plus(Duration.ofHours(23)))).isEmpty();
		assertThat(claim(provider, limits, 10, T0.plus(Duration.ofHours(24)).plusSeconds(1))).hasSize(3);
	}

	@Test
	void aPausedProviderGetsNoCallsUntilThePauseEnds() {
		String provider = queue(3);
		this.gate.pause(provider, T0.plusSeconds(30), "429 from the provider").block();
		assertThat(claim(provider, Limits.NONE, 10, T0.plusSeconds(29))).isEmpty();
		StepVerifier.create(this.gate.claimRunning(provider, Limits.NONE, 10, "test", T0.plusSeconds(29), LEASE))
			.verifyComplete();
		// A shorter pause later never cuts an earlier, longer one short.
		this.gate.pause(provider, T0.plusSeconds(5), "another 429").block();
		assertThat(claim(provider, Limits.NONE, 10, T0.plusSeconds(29))).isEmpty();
		assertThat(claim(provider, Limits.NONE, 10, T0.plusSeconds(31))).hasSize(3);
	}

	@Test
	void aModelLimitIsHeldWithinTheProvidersOwn() {
		String provider = "gate-" + UUID.randomUUID();
		Flux.range(0, 6).concatMap((i) -> this.jobs.create(new NewJob("slow-model", provider, "slow " + i, PARAMETERS)))
			.then(Flux.range(0, 6).concatMap((i) -> this.jobs.create(new NewJob("fast-model", provider, "fast " + i,
					PARAMETERS))).then())
			.block();
		Limits limits = new Limits(null, null, 5, null, Duration.ofSeconds(30),
				Map.of("slow-model", new Limits.ModelLimits(null, 1)));
		List<Job> claimed = claim(provider, limits, 10, T0);
		assertThat(claimed).hasSize(5);
		assertThat(claimed.stream().filter((job) -> job.model().equals("slow-model"))).hasSize(1);
	}

	@Test
	void instancesClaimingAtOnceShareOneLimit() {
		String provider = queue(30);
		Limits limits = limits(new Limits.Rate(7, Duration.ofMinutes(1)), null, null);
		List<Mono<List<Job>>> instances = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			String owner = "instance-" + i;
			instances.add(this.gate.claimSubmissions(provider, limits, 10, owner, T0, LEASE).collectList());
		}
		List<List<Job>> results = Flux.merge(instances).collectList().block();
		assertThat(results.stream().mapToInt(List::size).sum()).isEqualTo(7);
	}

	@Test
	void pollBudgetLimitsClaimsOfRunningJobs() {
		String provider = queue(6);
		List<Job> submitted = claim(provider, Limits.NONE, 10, T0);
		Flux.fromIterable(submitted)
			.concatMap((job) -> this.jobs.change(job, (c) -> c.status = JobStatus.SUBMITTING, false)
				.flatMap((submitting) -> this.jobs.change(submitting, (c) -> {
					c.status = JobStatus.SUBMITTED;
					c.remoteId = "remote-" + job.id();
					c.nextAttemptAt = T0;
				}, true)))
			.blockLast();
		Limits limits = new Limits(null, null, null, new Limits.Rate(4, Duration.ofSeconds(10)), Duration.ofSeconds(30),
				Map.of());
		assertThat(this.gate.claimRunning(provider, limits, 10, "poller", T0.plusSeconds(1), Duration.ofSeconds(1))
			.collectList()
			.block()).hasSize(4);
		assertThat(this.gate.claimRunning(provider, limits, 10, "poller", T0.plusSeconds(5), Duration.ofSeconds(1))
			.collectList()
			.block()).isEmpty();
		assertThat(this.gate.claimRunning(provider, limits, 10, "poller", T0.plusSeconds(12), Duration.ofSeconds(1))
			.collectList()
			.block()).hasSize(4);
	}

	private List<Job> claim(String provider, Limits limits, int free, Instant at) {
		return this.gate.claimSubmissions(provider, limits, free, "test", at, LEASE)
			.concatMap((job) -> this.jobs.change(job, (c) -> c.status = JobStatus.SUBMITTING, true))
			.collectList()
			.block();
	}

	private String queue(int count) {
		String provider = "gate-" + UUID.randomUUID();
		Flux.range(0, count)
			.concatMap((i) -> this.jobs.create(new NewJob("sim-video", provider, "gate job " + i, PARAMETERS)))
			.blockLast();
		// Jobs are created at the real now; the test's instants lie after it.
		this.db.sql("UPDATE jobs SET next_attempt_at = :t WHERE provider = :p").bind("t", T0.minusSeconds(1))
			.bind("p", provider).fetch().rowsUpdated().block();
		return provider;
	}

	private static Limits limits(Limits.Rate submits, Integer perDay, Integer inFlight) {
		return new Limits(submits, perDay, inFlight, null, Duration.ofSeconds(30), Map.of());
	}

}
