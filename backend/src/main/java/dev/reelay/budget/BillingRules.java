package dev.reelay.budget;

import java.math.BigDecimal;

import dev.reelay.job.Job;
import dev.reelay.job.JobCost;
import dev.reelay.job.JobError;
import dev.reelay.job.JobStatus;
import dev.reelay.provider.ErrorClass;
import dev.reelay.provider.ProviderUsage;
import org.jspecify.annotations.Nullable;

/**
 * The actual cost of an ended job, by its provider family's documented billing rule (README "Cost and budgets"
 * lists the sources). Where a family documents nothing for a case, the job costs its full estimate: the budget
 * should stop spending too early rather than too late.
 */
final class BillingRules {

	/** The error of a job whose create may or may not have reached the provider (see the dispatcher). */
	static final String OUTCOME_UNKNOWN = "submit_outcome_unknown";

	private BillingRules() {
	}

	static BigDecimal actualCost(Job ended, JobCost cost, String family) {
		BigDecimal estimate = cost.estimated();
		if (ended.status() == JobStatus.COMPLETED) {
			ProviderUsage usage = ended.providerUsage();
			// EvoLink may say what it charged in dollars; its own figure beats the list price.
			return (usage != null && usage.costUsd() != null && "USD".equals(cost.currency())) ? usage.costUsd()
					: estimate;
		}
		if (ended.remoteId() == null) {
			// A create whose outcome is unknown (unanswered, or accepted without an id) may have been accepted and
			// billed, and no family documents otherwise: the conservative reading counts it.
			if (ended.error() != null && OUTCOME_UNKNOWN.equals(ended.error().code())) {
				return estimate;
			}
			// The provider never accepted the job (it ended queued, or its create was refused): nothing to pay.
			return BigDecimal.ZERO;
		}
		if (ended.status() == JobStatus.CANCELED) {
			// No family documents refunds for a generation canceled after it was accepted.
			return estimate;
		}
		boolean moderated = isModeration(ended.error());
		return switch (family) {
			// EvoLink: failed tasks are not charged, the credits held at create are released.
			// Kie: a failed task reports consumeCredits 0.
			case "evolink", "kie" -> BigDecimal.ZERO;
			// Veo 3.1: a generation blocked by the safety filters is not charged; other failures are not documented.
			case "google-veo" -> moderated ? BigDecimal.ZERO : estimate;
			// fal: only successful outputs are billed, but an input error (422, such as a content check) may be
			// charged once a runner has spent GPU time on it.
			case "fal" -> (moderated || isValidation(ended.error())) ? estimate : BigDecimal.ZERO;
			// Runway: moderated generations cost as much as successful ones. OpenAI documents nothing either way.
			default -> estimate;
		};
	}

	private static boolean isModeration(@Nullable JobError error) {
		if (error == null) {
			return false;
		}
		String code = error.code();
		return ErrorClass.ofCode(code) == ErrorClass.MODERATION || code.equals("safety_filtered")
				|| code.contains("content_policy") || code.contains("moderation");
	}

	private static boolean isValidation(@Nullable JobError error) {
		return error != null && (ErrorClass.ofCode(error.code()) == ErrorClass.VALIDATION
				|| error.code().contains("validation") || error.code().contains("invalid"));
	}

}
