package dev.reelay.job.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.reelay.job.Job;
import dev.reelay.job.JobError;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.job.NewJob;
import dev.reelay.job.StoredContent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Job counters, the generation-time histogram and the queue gauges, recorded from real writes to PostgreSQL. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "reelay.dispatch.enabled=false")
class JobMetricsTests {

	@Autowired
	private JobStore store;

	@Autowired
	private QueueGauges gauges;

	@Autowired
	private MeterRegistry registry;

	@Autowired
	private DatabaseClient db;

	// A provider name of its own, so jobs other tests leave behind do not count here.
	private final String provider = "metrics-" + UUID.randomUUID();

	@Test
	void countsJobsByOutcomeAndTimesTheGeneration() {
		Job completed = create();
		Job failed = create();
		assertThat(count("reelay.jobs.submitted")).isEqualTo(2);

		Job downloading = change(change(change(completed, (c) -> {
			c.status = JobStatus.SUBMITTING;
			c.submitStartedAt = Instant.now().minusSeconds(90);
			c.providerCalls = 1;
		}), (c) -> {
			c.status = JobStatus.SUBMITTED;
			c.providerCalls = 3;
		}), (c) -> c.status = JobStatus.DOWNLOADING);
		change(downloading, (c) -> {
			c.status = JobStatus.COMPLETED;
			c.content = new StoredContent("x.mp4", "video/mp4", 10, "00");
			c.providerCalls = 4;
		});
		change(failed, (c) -> {
			c.status = JobStatus.FAILED;
			c.error = new JobError("moderation_blocked", "blocked", false);
			c.providerCalls = 1;
		});

		assertThat(count("reelay.jobs.completed")).isEqualTo(1);
		// The simulator's catalog price is zero: spend is counted, and is nothing.
		assertThat(this.registry.get("reelay.jobs.spend").tag("provider", this.provider).tag("currency", "USD")
			.counter()
			.count()).isZero();
		assertThat(this.registry.get("reelay.jobs.failed").tag("provider", this.provider).tag("error", "moderation")
			.counter()
			.count()).isEqualTo(1);
		Timer generation = this.registry.get("reelay.jobs.generation.duration")
			.tag("provider", this.provider)
			.tag("model", "sim-video")
			.timer();
		assertThat(generation.count()).isEqualTo(1);
		assertThat(generation.totalTime(TimeUnit.SECONDS)).isCloseTo(90, within(10.0));
		assertThat(this.registry.get("reelay.jobs.provider.calls").tag("provider", this.provider)
			.tag("status", "completed")
			.summary()
			.totalAmount()).isEqualTo(4);
		assertThat(this.registry.get("reelay.jobs.provider.calls").tag("provider", this.provider)
			.tag("status", "failed")
			.summary()
			.totalAmount()).isEqualTo(1);
	}

	@Test
	void progressWithinAStateCountsNothing() {
		Job job = change(create(), (c) -> c.status = JobStatus.SUBMITTING);
		change(change(job, (c) -> c.progress = 10), (c) -> c.progress = 20);
		assertThat(this.registry.find("reelay.jobs.completed").tag("provider", this.provider).counter()).isNull();
		assertThat(this.registry.find("reelay.jobs.provider.calls").tag("provider", this.provider).summary()).isNull();
	}

	@Test
	void queueGaugesCountQueuedAndInFlightJobsPerProvider() {
		Job oldest = create();
		Job queued = create();
		Job inFlight = change(change(create(), (c) -> c.status = JobStatus.SUBMITTING),
				(c) -> c.status = JobStatus.SUBMITTED);
		this.db.sql("UPDATE jobs SET created_at = now() - interval '5 minutes' WHERE id = :id")
			.bind("id", oldest.id())
			.then()
			.block(Duration.ofSeconds(5));

		this.gauges.refresh().block(Duration.ofSeconds(5));
		assertThat(gauge("reelay.jobs.queue.depth")).isEqualTo(2);
		assertThat(gauge("reelay.jobs.in.flight")).isEqualTo(1);
		assertThat(gauge("reelay.jobs.queue.oldest.age")).isCloseTo(300, within(30.0));

		for (Job job : new Job[] { oldest, queued, inFlight }) {
			this.store.cancel(job.id()).block(Duration.ofSeconds(5));
		}
		this.gauges.refresh().block(Duration.ofSeconds(5));
		assertThat(gauge("reelay.jobs.queue.depth")).isZero();
		assertThat(gauge("reelay.jobs.in.flight")).isZero();
		assertThat(gauge("reelay.jobs.queue.oldest.age")).isZero();
	}

	private Job create() {
		return this.store
			.create(new NewJob("sim-video", this.provider, "metrics", new JobParameters(4, "16:9", "720p", null, null)))
			.block(Duration.ofSeconds(5));
	}

	private Job change(Job job, Consumer<Job.Changes> change) {
		return this.store.change(job, change, false).block(Duration.ofSeconds(5));
	}

	private double count(String name) {
		return this.registry.get(name).tag("provider", this.provider).counter().count();
	}

	private double gauge(String name) {
		return this.registry.get(name).tag("provider", this.provider).gauge().value();
	}

}
