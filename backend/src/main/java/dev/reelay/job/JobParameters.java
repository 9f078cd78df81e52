package dev.reelay.job;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * Reelay's normalized generation parameters; each provider family translates them. {@code image} describes the
 * starting image (its bytes, when uploaded, are kept apart); {@code remixOf} is the job whose video is remixed.
 * {@code callbackUrl} is where the job's state changes are sent as signed webhooks (providers never see it); it
 * rides here so that it is stored with the job in the job's own insert.
 */
public record JobParameters(int durationSeconds, String aspectRatio, String resolution,
		@Nullable String negativePrompt, @Nullable Long seed, @Nullable ImageRef image, @Nullable UUID remixOf,
		@Nullable String callbackUrl) {

	public JobParameters(int durationSeconds, String aspectRatio, String resolution, @Nullable String negativePrompt,
			@Nullable Long seed) {
		this(durationSeconds, aspectRatio, resolution, negativePrompt, seed, null, null, null);
	}

	/** A URL the provider fetches, or an upload (its type and size; the bytes are in {@code job_inputs}). */
	public record ImageRef(@Nullable String url, @Nullable String contentType, @Nullable Long length) {
	}

}
