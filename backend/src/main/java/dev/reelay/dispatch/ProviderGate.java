package dev.reelay.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import dev.reelay.job.Job;
import dev.reelay.job.JobQueue;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Claims work for one provider only as far as its limits allow. The decision (count, claim, record) happens in one
 * transaction under an advisory lock per provider, so limits hold across every instance on the database.
 */
@Component
class ProviderGate {

	private static final Duration DAY = Duration.ofDays(1);

	private final JobQueue jobs;

	private final CallLedger ledger;

	private final TransactionalOperator tx;

	private final Duration margin;

	ProviderGate(JobQueue jobs, CallLedger ledger, TransactionalOperator tx, DispatchSettings settings) {
		this.jobs = jobs;
		this.ledger = ledger;
		this.tx = tx;
		this.margin = settings.callMargin();
	}

	/** Jobs to submit, at most {@code free}, within in-flight and submission limits. */
	Flux<Job> claimSubmissions(String provider, Limits limits, int free, String owner, Instant now, Duration lease) {
		if (free <= 0) {
			return Flux.empty();
		}
		if (!limits.limitsSubmissions()) {
			return this.jobs.claimQueuedUnlessPaused(provider, owner, now, lease, free);
		}
		Mono<List<Job>> decision = this.ledger.lock(provider, CallLedger.SUBMIT)
			.then(this.ledger.pausedUntil(provider, now).map((until) -> 0).switchIfEmpty(Mono.defer(
					() -> providerAllowance(provider, limits, now))))
			.flatMapMany((allowed) -> claimWithinModelLimits(provider, limits, Math.min(allowed, free), owner, now,
					lease))
			.collectList()
			.flatMap((claimed) -> this.ledger.record(provider, CallLedger.SUBMIT, now, claimed.size()).thenReturn(claimed));
		return decision.as(this.tx::transactional).flatMapIterable((claimed) -> claimed);
	}

	/**
	 * Queued jobs of other routes moved to this one, at most {@code free}, within its in-flight and submission
	 * limits: for each model in {@code sourcesByModel}, jobs waiting on the routes listed there (which could not
	 * take them in this cycle: full window, paused, breaker open). Models with limits of their own on this provider
	 * are left out, so that no per-model window is ever exceeded by a job that moved in.
	 */
	Flux<Job> claimFromOtherRoutes(String provider, Limits limits, Map<String, JobQueue.Move> sourcesByModel, int free,
			String owner, Instant now, Duration lease) {
		if (free <= 0 || sourcesByModel.isEmpty()) {
			return Flux.empty();
		}
		if (!limits.limitsSubmissions()) {
			return moving(provider, limits, sourcesByModel, free, owner, now, lease);
		}
		Mono<List<Job>> decision = this.ledger.lock(provider, CallLedger.SUBMIT)
			.then(this.ledger.pausedUntil(provider, now).map((until) -> 0).switchIfEmpty(Mono.defer(
					() -> providerAllowance(provider, limits, now))))
			.flatMapMany((allowed) -> moving(provider, limits, sourcesByModel, Math.min(allowed, free), owner, now,
					lease))
			.collectList()
			.flatMap((claimed) -> this.ledger.record(provider, CallLedger.SUBMIT, now, claimed.size()).thenReturn(claimed));
		return decision.as(this.tx::transactional).flatMapIterable((claimed) -> claimed);
	}

	private Flux<Job> moving(String provider, Limits limits, Map<String, JobQueue.Move> sourcesByModel, int allowed,
			String owner, Instant now, Duration lease) {
		int[] left = { allowed };
		return Flux.fromIterable(sourcesByModel.entrySet())
			.filter((entry) -> !limits.models().containsKey(entry.getKey()))
			.concatMap((entry) -> (left[0] <= 0) ? Flux.<Job>empty()
					: this.jobs.claimQueuedMoving(entry.getKey(), entry.getValue(), provider, owner, now, lease, left[0])
						.doOnNext((moved) -> left[0]--));
	}

	/** Submitted jobs due for a poll, reconcile or download, at most {@code free}, within the poll budget. */
	Flux<Job> claimRunning(String provider, Limits limits, int free, String owner, Instant now, Duration lease) {
		return claimRunning(provider, limits, free, owner, now, lease, 1);
	}

	/**
	 * As above, each job taking the permits its step needs ({@link PollCost}: a reconciling job's search takes
	 * {@code searchRequests}), in due order: the first job that does not fit ends the claim and goes back with the
	 * rest, so it is first again as soon as the window has room (never passed over by cheaper jobs for ever).
	 */
	Flux<Job> claimRunning(String provider, Limits limits, int free, String owner, Instant now, Duration lease,
			int searchRequests) {
		if (free <= 0) {
			return Flux.empty();
		}
		if (limits.polls() == null) {
			return this.jobs.claimRunningUnlessPaused(provider, owner, now, lease, free);
		}
		// A search larger than the whole budget could never be claimed; it takes the whole budget instead.
		int search = Math.min(searchRequests, limits.polls().count());
		Mono<List<Job>> decision = this.ledger.lock(provider, CallLedger.POLL)
			.then(this.ledger.pausedUntil(provider, now).map((until) -> 0).switchIfEmpty(Mono.defer(
					() -> this.ledger.countSince(provider, CallLedger.POLL, now, limits.polls().per().plus(this.margin))
						.map((used) -> Permits.left(limits.polls().count(), used)))))
			.flatMap((allowed) -> this.jobs.claimRunning(provider, owner, now, lease, Math.min(allowed, free))
				.collectList()
				.flatMap((claimed) -> {
					List<Job> kept = new java.util.ArrayList<>();
					int cost = 0;
					for (Job job : claimed) {
						int next = PollCost.of(job, search);
						if (cost + next > allowed) {
							break;
						}
						cost += next;
						kept.add(job);
					}
					List<Job> back = claimed.subList(kept.size(), claimed.size());
					return Flux.fromIterable(back)
						.concatMap((job) -> this.jobs.releaseLease(job.id(), owner, job.leaseUntil()))
						.then(this.ledger.record(provider, CallLedger.POLL, now, cost))
						.thenReturn(kept);
				}));
		return decision.as(this.tx::transactional).flatMapIterable((claimed) -> claimed);
	}

	/**
	 * Takes {@code count} permits of the poll budget for calls a step makes beyond the one its claim counted (the
	 * download after a poll, a thumbnail, more list pages, a cancel), all or none: true when they may be sent.
	 * Unlimited without a poll budget, and then free of any database work.
	 */
	Mono<Boolean> takePollPermits(String provider, Limits limits, int count, Instant now) {
		Limits.Rate polls = limits.polls();
		if (polls == null || count <= 0) {
			return Mono.just(true);
		}
		Mono<Boolean> decision = this.ledger.lock(provider, CallLedger.POLL)
			.then(this.ledger.pausedUntil(provider, now).map((until) -> false).switchIfEmpty(Mono.defer(
					() -> this.ledger.countSince(provider, CallLedger.POLL, now, polls.per().plus(this.margin))
						.map((used) -> Permits.left(polls.count(), used) >= count))))
			.flatMap((allowed) -> allowed
					? this.ledger.record(provider, CallLedger.POLL, now, count).thenReturn(true) : Mono.just(false));
		return decision.as(this.tx::transactional);
	}

	/**
	 * Takes again, for a call about to be sent, the permit a claim counted at {@code claimedAt} that has since lapsed
	 * (the step's first write landed late, a loaded machine): the old permit is given back and a new one counted at
	 * the moment of the decision, read from {@code clock} once the scope's lock is held, within the same windows and
	 * limits as a claim's (a job being submitted already holds its in-flight place). Answers that moment, or nothing
	 * when the provider is paused or a window is full: then the call must not be sent.
	 */
	Mono<Instant> retake(Job job, Limits limits, String kind, Instant claimedAt, Supplier<Instant> clock) {
		String provider = job.provider();
		boolean submit = CallLedger.SUBMIT.equals(kind);
		String modelScope = provider + "/" + job.model();
		Limits.ModelLimits model = submit ? limits.models().get(job.model()) : null;
		Mono<Instant> decision = this.ledger.lock(provider, kind).then(Mono.defer(() -> {
			Instant now = clock.get();
			Mono<Void> givenBack = this.ledger.giveBack(provider, kind, claimedAt)
				.then((model != null) ? this.ledger.giveBack(modelScope, kind, claimedAt) : Mono.empty());
			Mono<Boolean> fits = this.ledger.pausedUntil(provider, now)
				.map((until) -> false)
				.switchIfEmpty(Mono.defer(() -> submit ? submissionFits(provider, limits, model, modelScope, now)
						: within(provider, kind, limits.polls(), now)));
			return givenBack.then(fits)
				.filter(Boolean::booleanValue)
				.flatMap((granted) -> this.ledger.record(provider, kind, now, 1)
					.then((model != null) ? this.ledger.record(modelScope, kind, now, 1) : Mono.empty())
					.thenReturn(now));
		}));
		return decision.as(this.tx::transactional);
	}

	private Mono<Boolean> submissionFits(String provider, Limits limits, Limits.@Nullable ModelLimits model,
			String modelScope, Instant now) {
		Mono<Boolean> perDay = (limits.submitsPerDay() == null) ? Mono.just(true)
				: this.ledger.countSince(provider, CallLedger.SUBMIT, now, DAY)
					.map((used) -> Permits.left(limits.submitsPerDay(), used) > 0);
		Mono<Boolean> modelRate = (model == null) ? Mono.just(true)
				: within(modelScope, CallLedger.SUBMIT, model.submits(), now);
		return Mono.zip(within(provider, CallLedger.SUBMIT, limits.submits(), now), perDay, modelRate)
			.map((all) -> all.getT1() && all.getT2() && all.getT3());
	}

	/** Whether one more call of {@code kind} fits {@code rate}'s window ending at {@code now}. */
	private Mono<Boolean> within(String scope, String kind, Limits.@Nullable Rate rate, Instant now) {
		return (rate == null) ? Mono.just(true)
				: this.ledger.countSince(scope, kind, now, rate.per().plus(this.margin))
					.map((used) -> Permits.left(rate.count(), used) > 0);
	}

	/** Pauses every call to the provider, e.g. after a 429 with Retry-After. */
	Mono<Void> pause(String provider, Instant until, String reason) {
		return this.ledger.pause(provider, until, reason);
	}

	private Mono<Integer> providerAllowance(String provider, Limits limits, Instant now) {
		Mono<Long> inFlight = (limits.maxInFlight() == null) ? Mono.just(0L)
				: this.jobs.countInFlight(provider, null, now);
		Limits.Rate rate = limits.submits();
		Mono<Long> inWindow = (rate == null) ? Mono.just(0L)
				: this.ledger.countSince(provider, CallLedger.SUBMIT, now, rate.per().plus(this.margin));
		Mono<Long> lastDay = (limits.submitsPerDay() == null) ? Mono.just(0L)
				: this.ledger.countSince(provider, CallLedger.SUBMIT, now, DAY);
		return Mono.zip(inFlight, inWindow, lastDay)
			.map((used) -> Permits.min(Permits.left(limits.maxInFlight(), used.getT1()),
					(rate != null) ? Permits.left(rate.count(), used.getT2()) : Permits.UNLIMITED,
					Permits.left(limits.submitsPerDay(), used.getT3())));
	}

	/** Models with limits of their own are claimed first within those; the rest share what is left. */
	private Flux<Job> claimWithinModelLimits(String provider, Limits limits, int allowed, String owner, Instant now,
			Duration lease) {
		if (allowed <= 0) {
			return Flux.empty();
		}
		if (limits.models().isEmpty()) {
			return this.jobs.claimQueued(provider, null, Set.of(), owner, now, lease, allowed);
		}
		int[] left = { allowed };
		Flux<Job> limitedModels = Flux.fromIterable(limits.models().entrySet())
			.filter((entry) -> left[0] > 0)
			.concatMap((entry) -> modelAllowance(provider, entry, now)
				.flatMapMany((modelAllowed) -> this.jobs.claimQueued(provider, entry.getKey(), Set.of(), owner, now,
						lease, Math.min(modelAllowed, left[0])))
				.collectList()
				.flatMapMany((claimed) -> {
					left[0] -= claimed.size();
					return this.ledger.record(provider + "/" + entry.getKey(), CallLedger.SUBMIT, now, claimed.size())
						.thenMany(Flux.fromIterable(claimed));
				}));
		return limitedModels.concatWith(Flux.defer(() -> (left[0] <= 0) ? Flux.empty()
				: this.jobs.claimQueued(provider, null, limits.models().keySet(), owner, now, lease, left[0])));
	}

	private Mono<Integer> modelAllowance(String provider, Map.Entry<String, Limits.ModelLimits> model, Instant now) {
		Limits.ModelLimits limits = model.getValue();
		Mono<Long> inFlight = (limits.maxInFlight() == null) ? Mono.just(0L)
				: this.jobs.countInFlight(provider, model.getKey(), now);
		Limits.Rate rate = limits.submits();
		Mono<Long> inWindow = (rate == null) ? Mono.just(0L)
				: this.ledger.countSince(provider + "/" + model.getKey(), CallLedger.SUBMIT, now, rate.per().plus(this.margin));
		return Mono.zip(inFlight, inWindow)
			.map((used) -> Permits.min(Permits.left(limits.maxInFlight(), used.getT1()),
					(rate != null) ? Permits.left(rate.count(), used.getT2()) : Permits.UNLIMITED));
	}

}
