package dev.reelay.budget;

import java.math.BigDecimal;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Budgets.
 * <ul>
 * <li>{@code overBudget}: a job that would take its tenant over this month's budget is rejected (402), or held
 * queued until the budget has room.</li>
 * <li>{@code currency}: the currency budgets are kept in; every priced model of the catalog must use it.</li>
 * <li>{@code localMonthlyLimit}: the local tenant's monthly budget until one is set through the admin API; none
 * is no limit.</li>
 * <li>{@code releaseInterval} / {@code releaseBatch}: how often held jobs are looked at, and how many at a time.</li>
 * </ul>
 */
@ConfigurationProperties("reelay.budget")
record BudgetSettings(@DefaultValue("reject") OverBudget overBudget, @DefaultValue("USD") String currency,
		@Nullable BigDecimal localMonthlyLimit, @DefaultValue("10s") Duration releaseInterval,
		@DefaultValue("50") int releaseBatch) {

	enum OverBudget {

		REJECT, HOLD

	}

}
