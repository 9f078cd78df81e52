package dev.reelay.dispatch;

import java.time.Duration;
import java.time.Instant;

import dev.reelay.job.Job;
import dev.reelay.job.JobStatus;
import dev.reelay.provider.ProviderRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * How long a create may still be answering or unlisted at its provider: its timeout plus the family's grace. A job
 * whose create is out is not reconciled before that, since looking earlier finds nothing and sends it again.
 */
@Component
class CreateWindow {

	private final ProviderRegistry providers;

	private final DispatchSettings settings;

	CreateWindow(ProviderRegistry providers, DispatchSettings settings) {
		this.providers = providers;
		this.settings = settings;
	}

	/** When a create of {@code job} sent at {@code sent} could no longer be answering nor unlisted. */
	Instant closesAfter(Job job, Instant sent) {
		return sent.plus(this.providers.settings(job.provider()).timeout()).plus(grace(job));
	}

	/** The time a provider may take to list a create it answered. */
	Duration grace(Job job) {
		return this.settings.limitsFor(job.provider()).submitGrace();
	}

	/**
	 * For a job found still SUBMITTING (its instance stopped or died mid-create): when its create's window closes. A
	 * RECONCILING job is written due only after its create ended plus the grace, so it has none.
	 */
	@Nullable Instant deadline(Job job) {
		Instant started = job.submitStartedAt();
		if (job.status() != JobStatus.SUBMITTING || started == null) {
			return null;
		}
		return closesAfter(job, started);
	}

}
