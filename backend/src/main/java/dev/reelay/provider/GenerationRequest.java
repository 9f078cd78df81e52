package dev.reelay.provider;

import org.jspecify.annotations.Nullable;

/** A generation in Reelay's normalized terms, with the model already translated to the provider's name. */
public record GenerationRequest(String remoteModel, String prompt, int durationSeconds, String aspectRatio,
		String resolution, @Nullable String negativePrompt, @Nullable Long seed) {
}
