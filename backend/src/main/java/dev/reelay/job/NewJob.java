package dev.reelay.job;

import org.jspecify.annotations.Nullable;

/** A validated job request, routed to a provider instance, with the uploaded image if there is one. */
public record NewJob(String model, String provider, String prompt, JobParameters parameters,
		@Nullable ImageUpload upload) {

	public NewJob(String model, String provider, String prompt, JobParameters parameters) {
		this(model, provider, prompt, parameters, null);
	}

}
