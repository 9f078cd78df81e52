package dev.reelay.budget;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import dev.reelay.support.BadRequestException;
import dev.reelay.support.Money;
import dev.reelay.tenant.CallerTenant;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/usage}: the caller's spend per UTC day and model (settled costs, and estimates still reserved
 * for running jobs) between {@code from} and {@code to} (dates, both included; this month so far by default), and
 * where this month's budget stands.
 */
@RestController
class UsageController {

	private static final int MAX_DAYS = 366;

	private final BudgetRepository budgets;

	private final BudgetAdmission admission;

	private final BudgetSettings settings;

	UsageController(BudgetRepository budgets, BudgetAdmission admission, BudgetSettings settings) {
		this.budgets = budgets;
		this.admission = admission;
		this.settings = settings;
	}

	@GetMapping("/api/v1/usage")
	Mono<Usage> usage(@RequestParam(required = false) @Nullable String from,
			@RequestParam(required = false) @Nullable String to) {
		LocalDate today = LocalDate.now(ZoneOffset.UTC);
		LocalDate start = date("from", from, today.withDayOfMonth(1));
		LocalDate end = date("to", to, today);
		if (end.isBefore(start)) {
			return Mono.error(new BadRequestException("to", "to (" + end + ") is before from (" + start + ")"));
		}
		if (ChronoUnit.DAYS.between(start, end) >= MAX_DAYS) {
			return Mono.error(new BadRequestException("to", "a usage report spans at most " + MAX_DAYS + " days"));
		}
		String currency = this.settings.currency();
		return CallerTenant.current().flatMap((tenant) -> this.budgets
			.daily(tenant, start.atStartOfDay(ZoneOffset.UTC).toInstant(),
					end.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant())
			.map((day) -> new DayUsage(day.day(), day.model(), Money.of(day.settled(), currency),
					Money.of(day.reserved(), currency), day.jobs()))
			.collectList()
			.zipWith(month(tenant, currency))
			.map((both) -> new Usage(start, end, both.getT2(), both.getT1())));
	}

	/** This month's budget, what ended jobs spent, what running ones hold, and what is left (none: no limit). */
	Mono<MonthUsage> month(UUID tenant, String currency) {
		YearMonth month = BudgetAdmission.currentMonth();
		return this.admission.limitOf(tenant)
			.zipWith(this.budgets.spend(tenant, month.atDay(1)))
			.map((both) -> {
				BigDecimal limit = both.getT1().monthlyLimit();
				BudgetRepository.Spend spend = both.getT2();
				Money remaining = (limit != null) ? Money.of(
						limit.subtract(spend.settled()).subtract(spend.reserved()).max(BigDecimal.ZERO), currency) : null;
				return new MonthUsage(month.toString(), (limit != null) ? Money.of(limit, currency) : null,
						Money.of(spend.settled(), currency), Money.of(spend.reserved(), currency), remaining);
			});
	}

	private static LocalDate date(String field, @Nullable String value, LocalDate fallback) {
		if (value == null || value.isBlank()) {
			return fallback;
		}
		try {
			return LocalDate.parse(value.strip());
		}
		catch (DateTimeParseException ex) {
			throw new BadRequestException(field, field + " must be a date such as 2026-11-01; got '" + value + "'");
		}
	}

	record Usage(LocalDate from, LocalDate to, MonthUsage month, List<DayUsage> days) {
	}

	record MonthUsage(String month, @Nullable Money budget, Money spent, Money reserved, @Nullable Money remaining) {
	}

	record DayUsage(LocalDate day, String model, Money spent, Money reserved, long jobs) {
	}

}
