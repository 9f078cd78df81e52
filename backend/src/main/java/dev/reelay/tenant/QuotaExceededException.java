package dev.reelay.tenant;

import java.net.URI;
import java.time.Duration;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A request that would take its tenant over one of its {@link TenantQuotas}: a 429 problem that names the quota
 * ({@code quota}, the setting's name) and its number ({@code limit}), and stores nothing.
 */
public final class QuotaExceededException extends ErrorResponseException {

	private static final URI TYPE = URI.create("https://reelay.dev/problems/quota-exceeded");

	private QuotaExceededException(String quota, int limit, String detail) {
		super(HttpStatus.TOO_MANY_REQUESTS, problem(quota, limit, detail), null);
	}

	/** A submission of {@code adding} jobs while {@code queued} wait already. */
	public static QuotaExceededException queuedJobs(TenantQuotas quotas, long queued, int adding) {
		int limit = quotas.maxQueuedJobs();
		String detail = "Too many queued jobs: this tenant may have at most " + limit + " jobs queued at once "
				+ "(quota max-queued-jobs) and has " + queued + ", so " + ((adding == 1) ? "this job was"
						: "these " + adding + " jobs were")
				+ " not accepted and nothing was stored. Try again once some have started, or cancel some.";
		QuotaExceededException refused = new QuotaExceededException("max-queued-jobs", limit, detail);
		refused.getHeaders().set(HttpHeaders.RETRY_AFTER, retryAfter(quotas.queuedRetryAfter()));
		return refused;
	}

	/** One event stream more than the tenant may have open on this instance. */
	public static QuotaExceededException streams(TenantQuotas quotas) {
		int limit = quotas.maxStreams();
		return new QuotaExceededException("max-streams", limit, "Too many open event streams: this tenant may have at "
				+ "most " + limit + " open at once (quota max-streams). Close one, or watch several jobs on one "
				+ "stream (/api/v1/events with job_id filters), and try again.");
	}

	private static String retryAfter(Duration wait) {
		return Long.toString(Math.max(1, (wait.toMillis() + 999) / 1000));
	}

	private static ProblemDetail problem(String quota, int limit, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS, detail);
		problem.setTitle("Quota exceeded");
		problem.setType(TYPE);
		problem.setProperty("quota", quota);
		problem.setProperty("limit", limit);
		return problem;
	}

}
