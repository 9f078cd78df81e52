package dev.reelay.simulator;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One stored simulator video. Everything the API reports about it is a pure function of this row and the
 * current instant, which is why the simulator needs no background worker and survives restarts.
 */
record SimulatedVideo(String id, String model, String prompt, String size, String seconds, boolean inputReference,
		@Nullable String remixedFrom, Instant createdAt, Duration generation, Outcome outcome) {

	/** Real jobs sit in the queue for a moment before any progress is reported. */
	static final int QUEUED_PERCENT = 5;

	/** Internal failures happen well into the render, so clients see progress before the failure. */
	static final int FAILURE_PERCENT = 60;

	/** How long the assets of a completed video stay downloadable. */
	static final Duration RETENTION = Duration.ofDays(1);

	static final String MODERATION_MESSAGE = "Your request was blocked by our moderation system.";

	static final String FAILURE_MESSAGE = "Video generation failed due to an internal error. Please try again.";

	Status statusAt(Instant now) {
		long total = this.generation.toMillis();
		long elapsed = Math.max(0, Duration.between(this.createdAt, now).toMillis());
		long queuedFor = total * QUEUED_PERCENT / 100;
		if (this.outcome == Outcome.MODERATION_BLOCKED && elapsed >= queuedFor) {
			// Moderation rejects before rendering starts, so the job never reports any progress.
			return Status.failed(0, at(queuedFor), new JobError("moderation_blocked", MODERATION_MESSAGE));
		}
		long failAt = total * FAILURE_PERCENT / 100;
		if (this.outcome == Outcome.FAILED && elapsed >= failAt) {
			return Status.failed(FAILURE_PERCENT, at(failAt), new JobError("internal_error", FAILURE_MESSAGE));
		}
		if (elapsed >= total) {
			Instant completedAt = at(total);
			return new Status(VideoStatus.COMPLETED, 100, completedAt, completedAt.plus(RETENTION), null);
		}
		if (elapsed < queuedFor) {
			return new Status(VideoStatus.QUEUED, 0, null, null, null);
		}
		// Never 100 before the status says completed: clients treat 100 as done.
		int progress = (int) Math.min(99, elapsed * 100 / total);
		return new Status(VideoStatus.IN_PROGRESS, progress, null, null, null);
	}

	private Instant at(long millisAfterCreate) {
		return this.createdAt.plusMillis(millisAfterCreate);
	}

	enum VideoStatus {

		QUEUED("queued"), IN_PROGRESS("in_progress"), COMPLETED("completed"), FAILED("failed");

		private final String wire;

		VideoStatus(String wire) {
			this.wire = wire;
		}

		String wire() {
			return this.wire;
		}

		boolean terminal() {
			return this == COMPLETED || this == FAILED;
		}

	}

	record JobError(String code, String message) {
	}

	/** What the API reports at one instant; completedAt is also set for failed jobs, as upstream does. */
	record Status(VideoStatus status, int progress, @Nullable Instant completedAt, @Nullable Instant expiresAt,
			@Nullable JobError error) {

		static Status failed(int progress, Instant at, JobError error) {
			return new Status(VideoStatus.FAILED, progress, at, null, error);
		}

		boolean expiredAt(Instant now) {
			return this.expiresAt != null && !now.isBefore(this.expiresAt);
		}

	}

}
