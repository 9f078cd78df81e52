package dev.reelay.job;

/** A validated job request, routed to a provider instance and its remote model name. */
public record NewJob(String model, String provider, String prompt, JobParameters parameters) {
}
