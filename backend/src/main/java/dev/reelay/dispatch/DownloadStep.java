package dev.reelay.dispatch;

import java.util.Objects;
import java.util.Optional;

import dev.reelay.job.Job;
import dev.reelay.job.JobError;
import dev.reelay.job.StoredContent;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.VideoProvider;
import dev.reelay.storage.StoredFile;
import dev.reelay.storage.VideoStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Saves a finished generation's video, checked ({@link DownloadCheck}), and completes the job: a job is completed
 * only once its video is in Reelay's storage; downloads retry apart from generation. The thumbnail, where offered,
 * is saved in the same step but never holds the job back: without one it completes all the same.
 */
@Component
class DownloadStep {

	private static final Logger log = LoggerFactory.getLogger(DownloadStep.class);

	private static final String SAVING = "saving the video";

	private final StepOutcomes outcomes;

	private final VideoStorage storage;

	private final DispatchSettings settings;

	private final ThumbnailDownload thumbnails;

	DownloadStep(StepOutcomes outcomes, VideoStorage storage, DispatchSettings settings,
			ThumbnailDownload thumbnails) {
		this.outcomes = outcomes;
		this.storage = storage;
		this.settings = settings;
		this.thumbnails = thumbnails;
	}

	Mono<Job> run(Job job, VideoProvider provider) {
		String remoteId = Objects.requireNonNull(job.remoteId());
		return provider.content(remoteId)
			.flatMap((content) -> this.storage.store(job.id().toString(), content.contentType(),
					DownloadCheck.verified(content.body(), content.length())))
			.timeout(this.settings.downloadTimeout())
			.zipWhen((video) -> thumbnail(job, remoteId, provider))
			.flatMap((stored) -> this.outcomes.change(job, (c) -> c.completed(saved(stored.getT1(), stored.getT2())),
					true))
			.onErrorResume(MeteredProvider.BudgetSpent.class, (spent) -> this.outcomes.waitForBudget(job, SAVING))
			.onErrorResume((error) -> {
				ProviderException classified = (error instanceof ProviderException provided) ? provided
						: new ProviderException(ProviderException.Kind.RETRYABLE, "download_failed",
								"Saving the video failed: " + error, 0, null, null, error);
				return switch (classified.kind()) {
					case RATE_LIMITED -> this.outcomes.afterRateLimit(job, classified);
					case RETRYABLE -> this.outcomes.retryLater(job, classified, SAVING + " (retrying)");
					case PERMANENT -> this.outcomes.fail(job, new JobError("content_unavailable",
							"The video finished but could not be downloaded: " + classified.getMessage(), false));
				};
			});
	}

	private static StoredContent saved(StoredFile video, Optional<StoredFile> still) {
		StoredContent.Thumbnail thumbnail = still
			.map((image) -> new StoredContent.Thumbnail(image.location(), image.contentType(), image.length(),
					image.sha256()))
			.orElse(null);
		return new StoredContent(video.location(), video.contentType(), video.length(), video.sha256(), thumbnail);
	}

	/** The saved thumbnail, or none; a 429 on it still pauses the provider for everyone. Never fails. */
	private Mono<Optional<StoredFile>> thumbnail(Job job, String remoteId, VideoProvider provider) {
		return this.thumbnails.fetch(job.id(), remoteId, provider)
			.map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.onErrorResume((error) -> {
				log.info("job {}: completing without a thumbnail: {}", job.id(), error.toString());
				return (error instanceof ProviderException refused
						&& refused.kind() == ProviderException.Kind.RATE_LIMITED)
								? this.outcomes.pauseProvider(job, refused).thenReturn(Optional.<StoredFile>empty())
								: Mono.just(Optional.<StoredFile>empty());
			})
			.onErrorResume((ignored) -> Mono.just(Optional.empty()));
	}

}
