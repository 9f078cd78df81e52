package dev.reelay.budget;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.reelay.job.Job;
import dev.reelay.job.JobAdmission;
import dev.reelay.job.JobCost;
import dev.reelay.provider.FamilyTraits;
import dev.reelay.provider.ProviderInstances;
import dev.reelay.support.Money;
import dev.reelay.tenant.CallerTenant;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Prices each new job and reserves its estimate against the tenant's budget for the current month (calendar month
 * in UTC); a job that does not fit is refused or held, per {@code reelay.budget.over-budget}. Settles each job
 * once as it ends: the reservation is released and the actual cost (by {@link BillingRules}, from the price of the
 * route the job took; the reservation was at its model's dearest route) counts instead.
 * Both run inside the job's own transaction, so a budget change and the job change commit together or not at all.
 */
@Component
class BudgetAdmission implements JobAdmission {

	static final String WAITING = "waiting for budget";

	/** When a held job would be due: never, until it is released (it is then made due at once). */
	static final Instant HELD = Instant.parse("9999-01-01T00:00:00Z");

	private final Pricing pricing;

	private final BudgetRepository budgets;

	private final BudgetSettings settings;

	private final ProviderInstances providers;

	BudgetAdmission(Pricing pricing, BudgetRepository budgets, BudgetSettings settings, ProviderInstances providers) {
		this.pricing = pricing;
		this.budgets = budgets;
		this.settings = settings;
		this.providers = providers;
	}

	static YearMonth currentMonth() {
		return YearMonth.now(ZoneOffset.UTC);
	}

	@Override
	public Mono<Job> admit(Job queued) {
		return limitOf(queued.tenantId()).flatMap((limit) -> admit(queued, limit));
	}

	/** A batch reads each tenant's budget once, not once a job. */
	@Override
	public Flux<Job> admitAll(List<Job> queued) {
		Map<UUID, Mono<BudgetRepository.Limit>> limits = new HashMap<>();
		return Flux.fromIterable(queued)
			.concatMap((job) -> limits.computeIfAbsent(job.tenantId(), (tenant) -> limitOf(tenant).cache())
				.flatMap((limit) -> admit(job, limit)));
	}

	private Mono<Job> admit(Job queued, BudgetRepository.Limit limit) {
		JobCost cost = this.pricing.estimate(queued.model(), queued.parameters());
		if (cost == null) {
			return (limit.monthlyLimit() != null) ? Mono.error(new UnpricedModelException(queued.model()))
					: Mono.just(queued);
		}
		Job priced = queued.withCost(cost);
		YearMonth month = currentMonth();
		return reserve(priced, cost, month, limit).flatMap((reserved) -> reserved ? Mono.just(priced)
				: overBudget(priced, cost, month, limit.monthlyLimit()));
	}

	/** The tenant's budget: its row, else (for the local tenant) the configured one, else none. */
	Mono<BudgetRepository.Limit> limitOf(UUID tenant) {
		return this.budgets.limit(tenant)
			.defaultIfEmpty(new BudgetRepository.Limit(
					CallerTenant.LOCAL.equals(tenant) ? this.settings.localMonthlyLimit() : null));
	}

	/** Reserves the job's estimate in {@code month} if it fits; answers whether it did. */
	Mono<Boolean> reserve(Job job, JobCost cost, YearMonth month, BudgetRepository.Limit limit) {
		return this.budgets.reserve(job.tenantId(), month.atDay(1), cost.estimated(), limit.monthlyLimit())
			.flatMap((fits) -> fits ? this.budgets.record(entry(job, month, "reservation", cost.estimated(), cost))
				.then(this.budgets.open(job.id(), job.tenantId(), month.atDay(1), cost.estimated()))
				.thenReturn(true) : Mono.just(false));
	}

	private Mono<Job> overBudget(Job priced, JobCost cost, YearMonth month, BigDecimal limit) {
		// Held even when dearer than the whole budget: an operator may pause a tenant with a budget of 0 and raise it.
		if (this.settings.overBudget() == BudgetSettings.OverBudget.HOLD) {
			return this.budgets.hold(priced.id(), priced.tenantId()).thenReturn(priced.with((c) -> c.scheduled(HELD, WAITING)));
		}
		return this.budgets.spend(priced.tenantId(), month.atDay(1)).flatMap((spend) -> {
			BigDecimal remaining = limit.subtract(spend.reserved()).subtract(spend.settled()).max(BigDecimal.ZERO);
			return Mono.error(new OverBudgetException(month, Money.of(cost.estimated(), cost.currency()),
					Money.of(limit, cost.currency()), Money.of(remaining, cost.currency())));
		});
	}

	@Override
	public Mono<Job> settle(Job ending) {
		JobCost cost = ending.cost();
		if (cost == null) {
			return Mono.just(ending);
		}
		BigDecimal actual = BillingRules.actualCost(ending, onRoute(ending, cost), failedBilling(ending.provider()));
		return this.budgets.unhold(ending.id())
			.then(this.budgets.close(ending.id()))
			.flatMap((reservation) -> settle(ending, cost, reservation, actual).thenReturn(actual))
			// Never reserved (it was held until it ended), or settled already: nothing more to count.
			.defaultIfEmpty(BigDecimal.ZERO)
			.map((spent) -> ending.withCost(cost.settled(spent)));
	}

	/**
	 * Books the difference between what the job was settled at and what its billing rule gives now that it has a
	 * remote id, once (the ledger's unique key), in the month it was settled in. A job not settled yet (its
	 * reservation still open) is left to its settlement, which will read the id.
	 */
	@Override
	public Mono<Job> resettle(Job ended) {
		JobCost cost = ended.cost();
		if (cost == null) {
			return Mono.just(ended);
		}
		BigDecimal actual = BillingRules.actualCost(ended, onRoute(ended, cost), failedBilling(ended.provider()));
		return this.budgets.settlement(ended.id()).flatMap((settled) -> {
			BigDecimal difference = actual.subtract(settled.amount());
			if (difference.signum() == 0) {
				return Mono.just(ended.withCost(cost.settled(actual)));
			}
			YearMonth month = YearMonth.from(settled.month());
			return this.budgets.record(entry(ended, month, "adjustment", difference, cost))
				.flatMap((booked) -> booked ? this.budgets.adjust(ended.tenantId(), settled.month(), difference)
					.thenReturn(ended.withCost(cost.settled(actual))) : Mono.just(ended));
		}).defaultIfEmpty(ended);
	}

	/**
	 * Runs only for the transaction that closed the open reservation, so once per job; the ledger's unique key
	 * would refuse a second settlement row anyway.
	 */
	private Mono<Void> settle(Job job, JobCost cost, BudgetRepository.OpenReservation reservation,
			BigDecimal actual) {
		YearMonth month = YearMonth.from(reservation.month());
		return this.budgets.record(entry(job, month, "settlement", actual, cost))
			.then(this.budgets.record(entry(job, month, "release", reservation.amount(), cost)))
			.then(this.budgets.settle(job.tenantId(), reservation.month(), reservation.amount(), actual));
	}

	private static BudgetRepository.LedgerEntry entry(Job job, YearMonth month, String kind, BigDecimal amount,
			JobCost cost) {
		return new BudgetRepository.LedgerEntry(job.id(), job.tenantId(), month.atDay(1), job.model(), kind, amount,
				cost.currency());
	}

	/**
	 * The cost a billing rule starts from: the estimate on the route the job was sent to, once it was sent (the
	 * reservation was at the dearest route's).
	 */
	private static JobCost onRoute(Job job, JobCost cost) {
		BigDecimal routeCost = job.routeCost();
		return (routeCost != null) ? new JobCost(cost.currency(), routeCost, cost.actual()) : cost;
	}

	/** The rule of the job's instance's family; an instance no longer configured is billed in full. */
	private FamilyTraits.FailedBilling failedBilling(String provider) {
		return this.providers.traits(provider)
			.map(FamilyTraits::failedBilling)
			.orElse(FamilyTraits.FailedBilling.FULL);
	}

}
