package dev.reelay.dispatch;

import dev.reelay.job.Job;
import dev.reelay.job.JobStatus;
import dev.reelay.provider.VideoProvider;

/**
 * How many poll permits a running job's next step needs: one for a poll or a download's first request, all the list
 * pages of a search for a job whose create is being looked for. A claim takes a job's whole cost or leaves the job,
 * so a search never starts short of permits that claims of other jobs keep taking first (the fault campaign found
 * reconciling jobs claimed, refused their four extra pages, and claimed again, forever, under a full poll budget).
 */
final class PollCost {

	private PollCost() {
	}

	/** The permits a claim of {@code job} takes: its search's requests when it reconciles, else one. */
	static int of(Job job, int searchRequests) {
		return (job.status() == JobStatus.RECONCILING) ? Math.max(1, searchRequests) : 1;
	}

	/** The requests a search at {@code provider} makes; one where it cannot search (the step makes no call then). */
	static int searchRequests(VideoProvider provider) {
		return provider.canFindSubmitted() ? Math.max(1, provider.findRequests()) : 1;
	}

}
