package dev.reelay.job.internal;

import java.time.Duration;
import java.time.Instant;

import dev.reelay.catalog.ModelCatalog;
import dev.reelay.catalog.ModelSpec;
import dev.reelay.job.Job;
import dev.reelay.job.JobError;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStore;
import dev.reelay.provider.ErrorClass;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * Job counters and the generation-time histogram, recorded by {@link JobStore} after each commit: every job
 * passes through it, so nothing is counted twice or missed.
 */
@Component
public class JobMetrics {

	// Generations take seconds to many minutes: fixed buckets an operator can read, not a percentile histogram.
	private static final Duration[] GENERATION_BUCKETS = { Duration.ofSeconds(5), Duration.ofSeconds(10),
			Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(45), Duration.ofMinutes(1),
			Duration.ofSeconds(90), Duration.ofMinutes(2), Duration.ofMinutes(3), Duration.ofMinutes(5),
			Duration.ofMinutes(8), Duration.ofMinutes(12), Duration.ofMinutes(20), Duration.ofMinutes(30),
			Duration.ofHours(1) };

	private final MeterRegistry registry;

	private final ModelCatalog catalog;

	JobMetrics(MeterRegistry registry, ModelCatalog catalog) {
		this.registry = registry;
		this.catalog = catalog;
	}

	public void created(Job job) {
		Counter.builder("reelay.jobs.submitted")
			.description("Jobs accepted from clients")
			.tag("model", job.model())
			.tag("provider", job.provider())
			.register(this.registry)
			.increment();
	}

	public void changed(Job from, Job to) {
		if (from.status() == to.status() || !to.status().isTerminal()) {
			return;
		}
		switch (to.status()) {
			case COMPLETED -> completed(to);
			case FAILED -> failed(to);
			case CANCELED -> Counter.builder("reelay.jobs.canceled")
				.description("Jobs canceled before they finished")
				.tag("model", to.model())
				.tag("provider", to.provider())
				.register(this.registry)
				.increment();
			default -> {
			}
		}
		DistributionSummary.builder("reelay.jobs.provider.calls")
			.description("Provider calls a job took from submit to its end (submits, polls, downloads)")
			.tag("model", to.model())
			.tag("provider", to.provider())
			.tag("status", to.status().value())
			.register(this.registry)
			.record(to.providerCalls());
	}

	private void completed(Job job) {
		Counter.builder("reelay.jobs.completed")
			.description("Jobs whose video is in storage")
			.tag("model", job.model())
			.tag("provider", job.provider())
			.register(this.registry)
			.increment();
		Instant started = job.submitStartedAt();
		Instant ended = job.completedAt();
		if (started != null && ended != null && !ended.isBefore(started)) {
			Timer.builder("reelay.jobs.generation.duration")
				.description("From the (last) submit to the provider until the video is stored")
				.tag("model", job.model())
				.tag("provider", job.provider())
				.serviceLevelObjectives(GENERATION_BUCKETS)
				.register(this.registry)
				.record(Duration.between(started, ended));
		}
		this.catalog.find(job.model()).map(ModelSpec::price).ifPresent((price) -> {
			Double amount = listPrice(price, job.parameters());
			if (amount != null) {
				Counter.builder("reelay.jobs.spend")
					.description("List-price estimate of completed jobs (the provider's bill is the truth)")
					.tag("model", job.model())
					.tag("provider", job.provider())
					.tag("currency", price.currency())
					.register(this.registry)
					.increment(amount);
			}
		});
	}

	/** What the catalog says a clip like this costs: per clip, or per second at its resolution; null if unknown. */
	static @Nullable Double listPrice(ModelSpec.Price price, JobParameters parameters) {
		if (price.perClip() != null) {
			return price.perClip();
		}
		Double perSecond = price.perSecond().getOrDefault(parameters.resolution(), price.perSecond().get("default"));
		return (perSecond != null) ? perSecond * parameters.durationSeconds() : null;
	}

	private void failed(Job job) {
		JobError error = job.error();
		Counter.builder("reelay.jobs.failed")
			.description("Jobs that ended failed, by error class")
			.tag("model", job.model())
			.tag("provider", job.provider())
			.tag("error", (error != null) ? ErrorClass.ofCode(error.code()).tag() : ErrorClass.OTHER.tag())
			.register(this.registry)
			.increment();
	}

}
