package dev.reelay.dispatch;

import java.util.Objects;

import dev.reelay.job.Job;
import dev.reelay.job.JobError;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.RemoteJob;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.VideoProvider;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Follows a job the provider accepted: asks for its status and moves the job to where the provider says it is,
 * keeping what the provider said about its cost. A finished generation goes straight on to its download.
 */
@Component
class PollStep {

	private final StepOutcomes outcomes;

	private final PollSchedule schedule;

	private final DownloadStep download;

	PollStep(StepOutcomes outcomes, PollSchedule schedule, DownloadStep download) {
		this.outcomes = outcomes;
		this.schedule = schedule;
		this.download = download;
	}

	Mono<Job> run(Job job, VideoProvider provider) {
		String remoteId = Objects.requireNonNull(job.remoteId());
		return provider.status(remoteId)
			.flatMap((remote) -> followed(job, provider, remote))
			.onErrorResume(ProviderException.class, (error) -> switch (error.kind()) {
				case RATE_LIMITED -> this.outcomes.afterRateLimit(job, error);
				case RETRYABLE -> this.outcomes.retryLater(job, error, null);
				case PERMANENT -> this.outcomes.fail(job, new JobError(error.code(), error.getMessage(), false));
			});
	}

	private Mono<Job> followed(Job job, VideoProvider provider, RemoteJob remote) {
		return switch (remote.status()) {
			case QUEUED, IN_PROGRESS, UNKNOWN -> this.outcomes.change(job,
					(c) -> c.progressed(remote.status() == RemoteStatus.IN_PROGRESS, remote.progress(), remote.usage(),
							(remote.status() == RemoteStatus.UNKNOWN)
									? job.provider() + " reported a state Reelay does not know yet" : null,
							this.schedule.next(job, remote)),
					true);
			case COMPLETED -> this.outcomes.change(job, (c) -> c.downloading(remote.usage()), false)
				.flatMap((downloading) -> this.download.run(downloading, provider));
			case FAILED -> {
				RemoteJob.RemoteError error = Objects.requireNonNull(remote.error());
				yield this.outcomes.fail(job, new JobError(error.code(), error.message(), false), remote.usage());
			}
			case CANCELED -> this.outcomes.change(job, (c) -> c.canceled("canceled at " + job.provider(),
					remote.usage()), true);
		};
	}

}
