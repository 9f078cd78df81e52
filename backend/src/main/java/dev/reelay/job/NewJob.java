package dev.reelay.job;

/** A validated job request, routed to a provider instance and its remote model name. */
public record NewJob(String model, String provider, String prompt, JobParameters parameters, JobPriority priority) {

	/** A job at normal priority. */
	public NewJob(String model, String provider, String prompt, JobParameters parameters) {
		this(model, provider, prompt, parameters, JobPriority.NORMAL);
	}

}
