package dev.reelay.job;

import java.time.Instant;
import java.util.UUID;

import dev.reelay.tenant.CallerTenant;
import org.jspecify.annotations.Nullable;

/**
 * A validated job request of one tenant, routed to a provider instance, with the uploaded image if there is one.
 * Higher {@code priority} runs first; a job is not submitted before {@code notBefore}.
 */
public record NewJob(UUID tenantId, String model, String provider, String prompt, JobParameters parameters,
		int priority, @Nullable Instant notBefore, @Nullable ImageUpload upload) {

	public NewJob(String model, String provider, String prompt, JobParameters parameters) {
		this(model, provider, prompt, parameters, 0, null);
	}

	public NewJob(String model, String provider, String prompt, JobParameters parameters, int priority,
			@Nullable Instant notBefore) {
		this(CallerTenant.LOCAL, model, provider, prompt, parameters, priority, notBefore, null);
	}

	/** The same request, sent to provider instance {@code route} (another route of its model). */
	public NewJob onRoute(String route) {
		return new NewJob(this.tenantId, this.model, route, this.prompt, this.parameters, this.priority,
				this.notBefore, this.upload);
	}

	/** The same request, made by {@code tenant}. */
	public NewJob forTenant(UUID tenant) {
		return new NewJob(tenant, this.model, this.provider, this.prompt, this.parameters, this.priority,
				this.notBefore, this.upload);
	}

}
