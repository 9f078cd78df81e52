package dev.reelay.job;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A validated job request, routed to a provider instance, with the uploaded image if there is one. Higher
 * {@code priority} runs first; a job is not submitted before {@code notBefore}.
 */
public record NewJob(String model, String provider, String prompt, JobParameters parameters, int priority,
		@Nullable Instant notBefore, @Nullable ImageUpload upload) {

	public NewJob(String model, String provider, String prompt, JobParameters parameters) {
		this(model, provider, prompt, parameters, 0, null, null);
	}

	public NewJob(String model, String provider, String prompt, JobParameters parameters, int priority,
			@Nullable Instant notBefore) {
		this(model, provider, prompt, parameters, priority, notBefore, null);
	}

}
