package dev.reelay.job;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/** The body of {@code POST /api/v1/jobs}; everything optional but the prompt, checked against the catalog. */
record CreateJobRequest(@Nullable String model, @Nullable String prompt, @Nullable Integer durationSeconds,
		@Nullable String aspectRatio, @Nullable String resolution, @Nullable String negativePrompt,
		@Nullable Long seed, @Nullable Integer priority, @Nullable Instant notBefore) {
}
