package dev.reelay.job.web;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.modulith.NamedInterface;

/**
 * The body of {@code POST /api/v1/jobs}; everything optional but the prompt, checked against the catalog. As JSON,
 * {@code image} is a URL; as multipart, it may also be an uploaded file (see {@link JobForm}).
 * {@code callbackUrl} receives the job's state changes as signed webhooks.
 */
@NamedInterface("web")
public record CreateJobRequest(@Nullable String model, @Nullable String prompt, @Nullable Integer durationSeconds,
		@Nullable String aspectRatio, @Nullable String resolution, @Nullable String negativePrompt,
		@Nullable Long seed, @Nullable String image, @Nullable UUID remixOf, @Nullable Integer priority,
		@Nullable Instant notBefore, @Nullable String callbackUrl) {
}
