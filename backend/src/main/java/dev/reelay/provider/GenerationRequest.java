package dev.reelay.provider;

import org.jspecify.annotations.Nullable;

/**
 * A generation in Reelay's normalized terms, with the model already translated to the provider's name. Each family
 * maps these onto its own wire fields; {@code remixOf} is the provider's id of the video to remix.
 */
public record GenerationRequest(String remoteModel, String prompt, int durationSeconds, String aspectRatio,
		String resolution, @Nullable String negativePrompt, @Nullable Long seed, @Nullable ImageInput image,
		@Nullable String remixOf) {

	public GenerationRequest(String remoteModel, String prompt, int durationSeconds, String aspectRatio,
			String resolution, @Nullable String negativePrompt, @Nullable Long seed) {
		this(remoteModel, prompt, durationSeconds, aspectRatio, resolution, negativePrompt, seed, null, null);
	}

}
