package dev.reelay.openai;

import dev.reelay.job.Job;
import dev.reelay.job.JobError;
import dev.reelay.job.JobStatus;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * OpenAI's Video object, every key present as the spec requires. Reelay's states are folded into OpenAI's four:
 * submitting and reconciling are still queued, downloading is still in progress, a canceled job is failed with the
 * code {@code canceled}. Reelay's own status, aspect ratio and resolution ride along as extra fields (the spec
 * allows them). Reelay keeps finished videos until they are deleted, so {@code expires_at} is null.
 */
@Schema(name = "OpenAiVideo", description = "OpenAI's Video object (VideoResource), with Reelay's extra fields")
record VideoObject(String id, String object, String model, String status, int progress, long createdAt,
		@Nullable Long completedAt, @Nullable Long expiresAt, @Nullable String prompt, String size, String seconds,
		@Nullable String remixedFromVideoId, @Nullable VideoError error, String reelayStatus, String aspectRatio,
		String resolution) {

	/** Why a video failed: {@code code} for programs, {@code message} for people. */
	@Schema(name = "OpenAiVideoError")
	record VideoError(String code, String message) {
	}

	static VideoObject of(Job job) {
		return new VideoObject(VideoIds.of(job.id()), "video", job.model(), status(job.status()),
				(job.status() == JobStatus.COMPLETED) ? 100 : job.progress(), job.createdAt().getEpochSecond(),
				(job.status().isTerminal() && job.completedAt() != null) ? job.completedAt().getEpochSecond() : null,
				null, job.prompt(), VideoSizes.of(job.parameters().aspectRatio(), job.parameters().resolution()),
				Integer.toString(job.parameters().durationSeconds()), VideoIds.ofNullable(job.parameters().remixOf()),
				error(job), job.status().value(), job.parameters().aspectRatio(), job.parameters().resolution());
	}

	static String status(JobStatus status) {
		return switch (status) {
			case QUEUED, SUBMITTING, RECONCILING -> "queued";
			case SUBMITTED, IN_PROGRESS, DOWNLOADING -> "in_progress";
			case COMPLETED -> "completed";
			case FAILED, CANCELED -> "failed";
		};
	}

	private static @Nullable VideoError error(Job job) {
		if (job.status() == JobStatus.CANCELED) {
			return new VideoError("canceled",
					(job.statusReason() != null) ? job.statusReason() : "The video was canceled");
		}
		if (job.status() != JobStatus.FAILED) {
			return null;
		}
		JobError error = job.error();
		return (error != null) ? new VideoError(error.code(), error.message())
				: new VideoError("failed", (job.statusReason() != null) ? job.statusReason() : "The video failed");
	}

}
