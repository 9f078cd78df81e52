package dev.reelay.job;

import org.jspecify.annotations.Nullable;

/** Reelay's normalized generation parameters; each provider family translates them. */
public record JobParameters(int durationSeconds, String aspectRatio, String resolution,
		@Nullable String negativePrompt, @Nullable Long seed) {
}
