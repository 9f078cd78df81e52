package dev.reelay.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import dev.reelay.job.Job;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.util.function.Tuples;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dispatcher's timing on Reactor virtual time: the clock every decision reads follows a
 * {@link VirtualTimeScheduler}, and {@code StepVerifier.withVirtualTime} drives the wake-ups, so minutes of
 * sliding windows, 429 pauses and backoff pass in a moment with nothing slept. Each wake-up runs one round as the
 * dispatcher does (claim due running jobs, then submissions, within the limits kept in PostgreSQL) against a
 * scripted provider that records when each call reached it, and the next moment comes only once the round is done.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = { "reelay.dispatch.enabled=false", "reelay.dispatch.retry-base=2s", "reelay.dispatch.retry-max=10s",
				"reelay.dispatch.max-submit-attempts=8", "reelay.dispatch.call-margin=1s",
				// The lease the claims below are taken with: a permit's claim time is told from it.
				"reelay.dispatch.lease=1m",
				"reelay.providers.instances.paced.family=scripted", "reelay.providers.instances.paced.api-key=k",
				"reelay.providers.instances.paced.poll-interval=1s", "reelay.dispatch.limits.paced.submits.count=3",
				"reelay.dispatch.limits.paced.submits.per=10s", "reelay.providers.instances.backoff.family=scripted",
				"reelay.providers.instances.backoff.api-key=k", "reelay.providers.instances.backoff.poll-interval=1s",
				// Below the backoff's base, so the backoff alone spaces the retried creates here.
				"reelay.dispatch.limits.backoff.submit-grace=1s" })
class DispatchOnVirtualTimeTests {

	private static final Duration TICK = Duration.ofMillis(250);

	private static final Duration LEASE = Duration.ofMinutes(1);

	private static final JobParameters PARAMETERS = new JobParameters(4, "16:9", "720p", null, null);

	@Autowired
	private JobWorker worker;

	@Autowired
	private ProviderGate gate;

	@Autowired
	private JobStore jobs;

	@Autowired
	private DispatchSettings settings;

	@Autowired
	private ScriptedProvider provider;

	@Autowired
	private DispatchClock dispatchClock;

	private VirtualTimeClock clock;

	@Autowired
	private DatabaseClient db;

	private final VirtualTimeScheduler scheduler = VirtualTimeScheduler.create();

	/** Later than every job's creation (jobs are created at the real now), so queued jobs are due at once. */
	private final Instant start = Instant.now().plus(Duration.ofDays(2)).truncatedTo(ChronoUnit.SECONDS);

	@BeforeEach
	void freshProvidersOnVirtualTime() {
		for (String sql : List.of("DELETE FROM job_events WHERE job_id IN (SELECT id FROM jobs WHERE provider IN ('paced', 'backoff'))",
				"DELETE FROM jobs WHERE provider IN ('paced', 'backoff')",
				"DELETE FROM provider_calls WHERE scope IN ('paced', 'backoff')",
				"DELETE FROM provider_pauses WHERE provider IN ('paced', 'backoff')")) {
			this.db.sql(sql).fetch().rowsUpdated().block();
		}
		this.clock = ((VirtualTimeClock) this.dispatchClock.clock()).follow(this.scheduler, this.start);
		this.provider.clock = this.clock;
		this.provider.calls.clear();
		this.provider.script();
		this.provider.offersThumbnail = false;
	}

	@Test
	void noSlidingWindowEverHoldsMoreCreatesThanTheLimit() {
		List<UUID> queued = queue("paced", 12);
		int rounds = (int) (Duration.ofSeconds(80).toMillis() / TICK.toMillis());
		StepVerifier.Step<Instant> script = StepVerifier
			.withVirtualTime(() -> rounds("paced", Flux.interval(TICK)), () -> this.scheduler, Long.MAX_VALUE)
			.expectSubscription();
		for (int i = 1; i <= rounds; i++) {
			Instant expected = this.start.plus(TICK.multipliedBy(i));
			script = script.thenAwait(TICK).assertNext((at) -> assertThat(at).isEqualTo(expected));
		}
		script.thenCancel().verify(Duration.ofMinutes(2));

		List<Instant> creates = submitTimes();
		assertThat(creates).as("every queued job was sent once").hasSize(12);
		Duration window = Duration.ofSeconds(10);
		for (Instant from : creates) {
			long inWindow = creates.stream().filter((at) -> !at.isBefore(from) && at.isBefore(from.plus(window))).count();
			assertThat(inWindow).as("creates in the 10 s window from %s", from).isLessThanOrEqualTo(3);
		}
		// The limit is used, not just respected: three per (window + margin), so twelve take just over 33 s.
		assertThat(Duration.between(creates.get(0), creates.get(11))).isBetween(Duration.ofSeconds(33),
				Duration.ofSeconds(34));
		assertThat(queued).allSatisfy((id) -> assertThat(this.jobs.find(id).block().status())
			.isEqualTo(JobStatus.COMPLETED));
	}

	@Test
	void aRetryAfterIsHonouredToTheMillisecond() {
		Duration retryAfter = Duration.ofMillis(12_345);
		this.provider.retryAfter = retryAfter;
		this.provider.script(ScriptedProvider.Outcome.RATE_LIMIT);
		UUID id = queue("paced", 1).get(0);
		Instant until = this.start.plus(retryAfter);
		Sinks.Many<Long> wakeUps = Sinks.many().unicast().onBackpressureBuffer();

		// Each round answers with the job as it stands afterwards (read in the pipeline: no blocking on its threads).
		StepVerifier.withVirtualTime(() -> rounds("paced", wakeUps.asFlux())
			.concatMap((at) -> this.jobs.find(id).map((job) -> Tuples.of(at, job)), 1), () -> this.scheduler,
				Long.MAX_VALUE)
			.expectSubscription()
			.then(() -> wakeUps.tryEmitNext(0L))
			.assertNext((round) -> {
				assertThat(this.provider.calls).extracting(ScriptedProvider.Call::outcome)
					.containsExactly(ScriptedProvider.Outcome.RATE_LIMIT);
				assertThat(round.getT2().status()).isEqualTo(JobStatus.QUEUED);
				assertThat(round.getT2().nextAttemptAt()).isEqualTo(until);
			})
			.thenAwait(retryAfter.minusMillis(1))
			.then(() -> wakeUps.tryEmitNext(1L))
			.assertNext((round) -> {
				assertThat(round.getT1()).isEqualTo(until.minusMillis(1));
				assertThat(this.provider.calls).as("no call of any kind 1 ms before the pause ends").hasSize(1);
				assertThat(round.getT2().status()).isEqualTo(JobStatus.QUEUED);
			})
			.thenAwait(Duration.ofMillis(1))
			.then(() -> wakeUps.tryEmitNext(2L))
			.assertNext((round) -> {
				assertThat(round.getT1()).isEqualTo(until);
				assertThat(submitTimes()).containsExactly(this.start, until);
				assertThat(round.getT2().status()).isEqualTo(JobStatus.SUBMITTED);
			})
			.thenCancel()
			.verify(Duration.ofSeconds(30));
	}

	@Test
	void backoffBetweenRetriedCreatesDoublesUpToItsCap() {
		this.provider.script(ScriptedProvider.Outcome.FAIL_BEFORE, ScriptedProvider.Outcome.FAIL_BEFORE,
				ScriptedProvider.Outcome.FAIL_BEFORE, ScriptedProvider.Outcome.FAIL_BEFORE,
				ScriptedProvider.Outcome.FAIL_BEFORE, ScriptedProvider.Outcome.FAIL_BEFORE,
				ScriptedProvider.Outcome.FAIL_BEFORE, ScriptedProvider.Outcome.ACCEPT);
		UUID id = queue("backoff", 1).get(0);
		int rounds = (int) (Duration.ofSeconds(75).toMillis() / TICK.toMillis());
		StepVerifier.Step<Instant> script = StepVerifier
			.withVirtualTime(() -> rounds("backoff", Flux.interval(TICK)), () -> this.scheduler, Long.MAX_VALUE)
			.expectSubscription();
		for (int i = 1; i <= rounds; i++) {
			script = script.thenAwait(TICK).expectNextCount(1);
		}
		script.thenCancel().verify(Duration.ofMinutes(2));

		List<Instant> sends = submitTimes();
		assertThat(sends).as("seven 503s, then accepted").hasSize(8);
		Duration base = this.settings.retryBase();
		Duration cap = this.settings.retryMax();
		for (int attempt = 1; attempt < sends.size(); attempt++) {
			Duration gap = Duration.between(sends.get(attempt - 1), sends.get(attempt));
			Duration full = min(base.multipliedBy(1L << (attempt - 1)), cap);
			// Up to a quarter is taken off as jitter; the wait ends at the next wake-up after it is due.
			assertThat(gap).as("wait after attempt %d", attempt)
				.isGreaterThanOrEqualTo(Duration.ofMillis(full.toMillis() * 3 / 4))
				.isLessThanOrEqualTo(full.plus(TICK))
				.isLessThanOrEqualTo(cap.plus(TICK));
		}
		assertThat(this.jobs.find(id).block().status()).isEqualTo(JobStatus.COMPLETED);
	}

	/**
	 * One round per wake-up, as the dispatcher's loop runs them: jobs already at the provider first, then queued
	 * ones, every decision at the clock's (virtual) now. Emits that instant once every claimed job has moved.
	 */
	private Flux<Instant> rounds(String provider, Flux<Long> wakeUps) {
		Limits limits = this.settings.limitsFor(provider);
		// Prefetch 1: the verifier may advance time while a round's answer is still on its way out; the next
		// wake-up then waits its turn instead of overflowing the interval.
		return wakeUps.concatMap((wakeUp) -> Mono.defer(() -> {
			Instant now = this.clock.instant();
			return this.gate.claimRunning(provider, limits, 100, "virtual", now, LEASE)
				.collectList()
				.flatMapMany((claimed) -> Flux.fromIterable(claimed).concatMap(this.worker::run))
				.thenMany(this.gate.claimSubmissions(provider, limits, 100, "virtual", now, LEASE).collectList()
					.flatMapMany((claimed) -> Flux.fromIterable(claimed).concatMap(this.worker::run)))
				.then(Mono.just(now));
		}), 1);
	}

	private List<Instant> submitTimes() {
		return this.provider.calls.stream()
			.filter((call) -> call.operation().equals("submit"))
			.map(ScriptedProvider.Call::at)
			.toList();
	}

	private List<UUID> queue(String provider, int count) {
		return Flux.range(0, count)
			.concatMap((i) -> this.jobs.create(new NewJob("scripted-model", provider, provider + " job " + i + " "
					+ UUID.randomUUID(), PARAMETERS)))
			.map(Job::id)
			.collectList()
			.block();
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

	@TestConfiguration
	static class OnVirtualTime {

		@Bean
		ScriptedProvider scriptedProvider() {
			return new ScriptedProvider();
		}

		// Not a Clock bean: the dispatcher reads only its own DispatchClock, as the simulator its SimulatorClock.
		@Bean
		@Primary
		DispatchClock virtualDispatchClock() {
			return new DispatchClock(new VirtualTimeClock());
		}

	}

}
