package dev.reelay.budget;

import java.net.URI;
import java.time.YearMonth;

import dev.reelay.support.Money;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A job that would take its tenant over this month's budget: a 402 problem that says what the job would cost and
 * what is left, so a client can pick a cheaper job or wait for the next month.
 */
class OverBudgetException extends ErrorResponseException {

	private static final URI TYPE = URI.create("https://reelay.dev/problems/over-budget");

	OverBudgetException(YearMonth month, Money estimate, Money budget, Money remaining) {
		super(HttpStatus.PAYMENT_REQUIRED, problem(month, estimate, budget, remaining), null);
	}

	private static ProblemDetail problem(YearMonth month, Money estimate, Money budget, Money remaining) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.PAYMENT_REQUIRED,
				"This job is estimated at " + estimate.amount() + " " + estimate.currency() + " but only "
						+ remaining.amount() + " " + remaining.currency() + " of the " + budget.amount() + " "
						+ budget.currency() + " budget for " + month + " (UTC) is left");
		problem.setTitle("Over budget");
		problem.setType(TYPE);
		problem.setProperty("field", "estimated_cost");
		problem.setProperty("estimated_cost", estimate);
		problem.setProperty("remaining_budget", remaining);
		problem.setProperty("monthly_budget", budget);
		problem.setProperty("month", month.toString());
		return problem;
	}

}
