package dev.reelay.budget;

import java.math.BigDecimal;
import java.util.UUID;

import dev.reelay.support.BadRequestException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code PUT /api/v1/admin/tenants/{id}/budget}: sets a tenant's monthly budget ({@code monthly_limit}, in the budget
 * currency; null lifts it), and {@code GET} the same path shows it with this month's spend.
 */
@RestController
class BudgetAdminController {

	/** What {@code numeric(14, 6)} holds. */
	private static final BigDecimal MAX_LIMIT = new BigDecimal("99999999");

	private final BudgetRepository budgets;

	private final UsageController usage;

	private final BudgetSettings settings;

	BudgetAdminController(BudgetRepository budgets, UsageController usage, BudgetSettings settings) {
		this.budgets = budgets;
		this.usage = usage;
		this.settings = settings;
	}

	@PutMapping("/api/v1/admin/tenants/{id}/budget")
	Mono<UsageController.MonthUsage> set(@PathVariable UUID id, @RequestBody BudgetRequest request) {
		BigDecimal limit = request.monthlyLimit();
		if (limit != null && (limit.signum() < 0 || limit.compareTo(MAX_LIMIT) > 0 || limit.scale() > 6)) {
			return Mono.error(new BadRequestException("monthly_limit", "monthly_limit must be between 0 and "
					+ MAX_LIMIT + " with at most 6 decimals (or null for no limit); got " + limit.toPlainString()));
		}
		return this.budgets.setLimit(id, limit)
			.flatMap((found) -> found ? this.usage.month(id, this.settings.currency()) : Mono.error(unknown(id)));
	}

	@GetMapping("/api/v1/admin/tenants/{id}/budget")
	Mono<UsageController.MonthUsage> get(@PathVariable UUID id) {
		return this.budgets.tenantExists(id)
			.flatMap((found) -> found ? this.usage.month(id, this.settings.currency()) : Mono.error(unknown(id)));
	}

	private static ResponseStatusException unknown(UUID id) {
		return new ResponseStatusException(HttpStatus.NOT_FOUND, "No tenant with id " + id);
	}

	record BudgetRequest(@Nullable BigDecimal monthlyLimit) {
	}

}
