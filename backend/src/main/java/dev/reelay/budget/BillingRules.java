package dev.reelay.budget;

import java.math.BigDecimal;

import dev.reelay.job.Job;
import dev.reelay.job.JobCost;
import dev.reelay.job.JobError;
import dev.reelay.job.JobStatus;
import dev.reelay.provider.ErrorClass;
import dev.reelay.provider.FamilyTraits;
import dev.reelay.provider.ProviderUsage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The actual cost of an ended job, by its provider family's documented billing rule ({@link FamilyTraits};
 * docs/api.md "Cost and budgets" lists the sources). Where a family documents nothing for a case, the job costs its full estimate: the budget
 * should stop spending too early rather than too late.
 */
final class BillingRules {

	/** The error code of a job whose video finished at the provider but never reached storage. */
	static final String GENERATED_NOT_SAVED = "content_unavailable";

	/** The ledger keeps amounts as numeric(14, 6): anything from 10^8 on cannot be written. */
	private static final BigDecimal LEDGER_LIMIT = new BigDecimal("99999999.999999");

	/** A reported cost this many times the list price is a unit or parsing mistake, not a bill. */
	private static final BigDecimal MOST_TIMES_ESTIMATE = BigDecimal.valueOf(100);

	private static final Logger log = LoggerFactory.getLogger(BillingRules.class);

	/** The error of a job whose create may or may not have reached the provider (see the dispatcher). */
	static final String OUTCOME_UNKNOWN = "submit_outcome_unknown";

	private BillingRules() {
	}

	/**
	 * Whether a provider's own figure can stand as the cost: not negative, writable to the ledger and not absurd
	 * next to the estimate. A figure that is not would fail the job's final write on every try (the ledger's
	 * constraints refuse it), so it is set aside, with a warning, and the estimate counts instead.
	 */
	static boolean plausible(BigDecimal reported, BigDecimal estimate, Job job) {
		boolean plausible = reported.signum() >= 0 && reported.compareTo(LEDGER_LIMIT) <= 0
				&& (estimate.signum() <= 0 || reported.compareTo(estimate.multiply(MOST_TIMES_ESTIMATE)) <= 0);
		if (!plausible) {
			log.warn("job {}: {} reported a cost of {} USD, which cannot be right (estimate {}); counting the estimate",
					job.id(), job.provider(), reported.toPlainString(), estimate.toPlainString());
		}
		return plausible;
	}

	static BigDecimal actualCost(Job ended, JobCost cost, FamilyTraits.FailedBilling failedBilling) {
		BigDecimal estimate = cost.estimated();
		// A video that finished at the provider but could not be saved was generated, and so billed, all the same.
		if (ended.status() == JobStatus.COMPLETED || (ended.remoteId() != null && ended.error() != null
				&& ended.error().code().equals(GENERATED_NOT_SAVED))) {
			ProviderUsage usage = ended.providerUsage();
			// EvoLink may say what it charged in dollars; its own figure beats the list price when it is plausible.
			BigDecimal reported = (usage != null && "USD".equals(cost.currency())) ? usage.costUsd() : null;
			return (reported != null && plausible(reported, estimate, ended)) ? reported : estimate;
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
		// Each family's rule and its source are in FamilyTraits.FailedBilling.
		return switch (failedBilling) {
			case FREE -> BigDecimal.ZERO;
			case FREE_WHEN_MODERATED -> moderated ? BigDecimal.ZERO : estimate;
			case ONLY_REFUSED_INPUT -> (moderated || isValidation(ended.error())) ? estimate : BigDecimal.ZERO;
			case FULL -> estimate;
		};
	}

	private static boolean isModeration(@Nullable JobError error) {
		if (error == null) {
			return false;
		}
		return ErrorClass.ofCode(error.code()) == ErrorClass.MODERATION;
	}

	private static boolean isValidation(@Nullable JobError error) {
		return error != null && (ErrorClass.ofCode(error.code()) == ErrorClass.VALIDATION
				|| error.code().contains("validation") || error.code().contains("invalid"));
	}

}
