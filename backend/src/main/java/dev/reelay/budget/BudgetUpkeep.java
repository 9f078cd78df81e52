package dev.reelay.budget;

import java.time.Instant;
import java.time.YearMonth;
import java.util.UUID;

import dev.reelay.job.Job;
import dev.reelay.job.JobCost;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.support.PeriodicTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Two chores every {@code reelay.budget.release-interval}. First, a set-based safety net for settlement: a job
 * that ended with its reservation still open (which only a write past {@link JobStore#change} could cause) is
 * settled now; the ledger's unique key keeps that exactly once. Then it starts held jobs once their tenant's budget has room (a job settled for less, the budget was raised, or a new
 * month began), longest waiting first. Each release takes the job off hold, reserves its estimate and makes it due
 * in one transaction; when the reservation does not fit, the transaction rolls back and the job stays held. Every
 * instance runs this; taking the hold row off is what makes only one of them release a job.
 */
@Component
class BudgetUpkeep extends PeriodicTask {

	private static final Logger log = LoggerFactory.getLogger(BudgetUpkeep.class);

	private final BudgetRepository budgets;

	private final BudgetAdmission admission;

	private final JobStore jobs;

	private final TransactionalOperator tx;

	private final BudgetSettings settings;

	BudgetUpkeep(BudgetRepository budgets, BudgetAdmission admission, JobStore jobs, TransactionalOperator tx,
			BudgetSettings settings) {
		super("budget-upkeep", settings.releaseInterval(), settings.releaseInterval(), log,
				"budget upkeep failed; will try again");
		this.budgets = budgets;
		this.admission = admission;
		this.jobs = jobs;
		this.tx = tx;
		this.settings = settings;
	}

	@Override
	protected Mono<?> runOnce() {
		return settleMissed().doOnNext((settled) -> {
			if (settled > 0) {
				log.warn("settled {} ended jobs whose settlement was missing", settled);
			}
		}).then(releaseHeld()).doOnNext((released) -> {
			if (released > 0) {
				log.info("released {} jobs held for budget", released);
			}
		});
	}

	/** Settles up to one batch of ended jobs whose reservation is still open; answers how many. */
	Mono<Long> settleMissed() {
		return this.budgets.endedButUnsettled(this.settings.releaseBatch())
			.concatMap((jobId) -> this.jobs.find(jobId)
				.flatMap((job) -> this.admission.settle(job).as(this.tx::transactional)))
			.count();
	}

	/** Looks at up to one batch of held jobs; answers how many were released. */
	Mono<Long> releaseHeld() {
		return this.budgets.held(this.settings.releaseBatch())
			.concatMap(this::release)
			.filter(Boolean::booleanValue)
			.count();
	}

	private Mono<Boolean> release(UUID jobId) {
		return this.jobs.find(jobId).flatMap((job) -> {
			JobCost cost = job.cost();
			if (job.status() != JobStatus.QUEUED || cost == null) {
				return this.budgets.unhold(jobId).thenReturn(false);
			}
			YearMonth month = BudgetAdmission.currentMonth();
			return this.admission.limitOf(job.tenantId())
				.flatMap((limit) -> this.budgets.unhold(jobId)
					.filter(Boolean::booleanValue)
					.flatMap((mine) -> this.admission.reserve(job, cost, month, limit))
					.flatMap((fits) -> fits ? this.jobs.change(job, (c) -> makeDue(c, job), false)
							: Mono.error(new StillOverBudget())))
				.as(this.tx::transactional)
				.map((released) -> true)
				.defaultIfEmpty(false)
				.onErrorResume(StillOverBudget.class, (full) -> Mono.just(false))
				// Changed meanwhile (canceled, say): looked at again next round.
				.onErrorResume(OptimisticLockingFailureException.class, (moved) -> Mono.just(false));
		});
	}

	private static void makeDue(Job.Changes changes, Job job) {
		Instant now = Instant.now();
		boolean later = job.notBefore() != null && job.notBefore().isAfter(now);
		changes.scheduled(later ? job.notBefore() : now, later ? "scheduled for " + job.notBefore() : null);
	}

	/** Rolls a release back: the budget still has no room for the job. */
	private static final class StillOverBudget extends RuntimeException {

		StillOverBudget() {
			super(null, null, false, false);
		}

	}

}
