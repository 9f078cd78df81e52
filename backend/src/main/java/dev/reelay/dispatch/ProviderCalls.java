package dev.reelay.dispatch;

import dev.reelay.job.Job;
import org.jspecify.annotations.Nullable;

/**
 * What one step's provider calls leave for the job's next write: how many calls were made and the provider's id
 * of the last request. It travels in the step's Reactor context, so every path that writes the job (success,
 * retry, failure) records it without being handed it.
 */
final class ProviderCalls {

	private int unrecorded;

	/** Calls this step made so far; the first one is what its claim counted a permit for. */
	private int made;

	private @Nullable String requestId;

	synchronized void started() {
		this.unrecorded++;
		this.made++;
	}

	/**
	 * How many permits a step's next call of {@code calls} requests needs beyond its claim's: the claim covers the
	 * step's first request only.
	 */
	synchronized int permitsNeeded(int calls) {
		return (this.made == 0) ? calls - 1 : calls;
	}

	synchronized void answered(@Nullable String requestId) {
		if (requestId != null) {
			this.requestId = requestId;
		}
	}

	/** Adds the calls made since the last write to {@code changes}, and the latest request id if there is one. */
	synchronized void recordOn(Job.Changes changes) {
		changes.called(this.unrecorded, this.requestId);
		this.unrecorded = 0;
	}

}
