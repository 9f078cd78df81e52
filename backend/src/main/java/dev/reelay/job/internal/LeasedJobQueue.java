package dev.reelay.job.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Set;
import java.util.UUID;

import dev.reelay.job.Job;
import dev.reelay.job.JobQueue;
import dev.reelay.tenant.TenantQuotas;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.stereotype.Service;

/**
 * The queue as leases on job rows: the claims (SQL in {@link JobRepository}), with the tenants' in-flight quota, and
 * the lease and look-up statements dispatch needs.
 */
@Service
class LeasedJobQueue implements JobQueue {

	private final JobRepository jobs;

	private final TenantQuotas quotas;

	LeasedJobQueue(JobRepository jobs, TenantQuotas quotas) {
		this.jobs = jobs;
		this.quotas = quotas;
	}

	@Override
	public Flux<Job> claimQueued(String provider, @Nullable String model, Collection<String> exceptModels,
			String owner, Instant now, Duration lease, int limit) {
		return this.jobs.claimQueued(provider, model, exceptModels, owner, now, lease, limit,
				this.quotas.maxInFlightJobs());
	}

	@Override
	public Flux<Job> claimRunning(String provider, String owner, Instant now, Duration lease, int limit) {
		return withCanceledInDoubt(this.jobs.claimRunning(provider, owner, now, lease, limit, false), provider, owner,
				now, lease, limit, false);
	}

	@Override
	public Flux<Job> claimQueuedUnlessPaused(String provider, String owner, Instant now, Duration lease, int limit) {
		return this.jobs.claimQueued(provider, null, Set.of(), owner, now, lease, limit, this.quotas.maxInFlightJobs(),
				true);
	}

	@Override
	public Flux<Job> claimQueuedMoving(String model, JobQueue.Move move, String to, String owner, Instant now, Duration lease,
			int limit) {
		return this.jobs.claimQueuedMoving(model, move, to, owner, now, lease, limit, this.quotas.maxInFlightJobs());
	}

	@Override
	public Flux<Job> claimRunningUnlessPaused(String provider, String owner, Instant now, Duration lease, int limit) {
		return withCanceledInDoubt(this.jobs.claimRunning(provider, owner, now, lease, limit, true), provider, owner,
				now, lease, limit, true);
	}

	/**
	 * {@code running}, then as many due jobs canceled with their create in doubt as {@code limit} leaves room for: a
	 * second statement on a partial index that holds only those (nearly always empty), so the claim of running jobs
	 * stays as it was.
	 */
	private Flux<Job> withCanceledInDoubt(Flux<Job> running, String provider, String owner, Instant now,
			Duration lease, int limit, boolean unlessPaused) {
		return running.collectList()
			.flatMapMany((claimed) -> (claimed.size() >= limit) ? Flux.fromIterable(claimed)
					: Flux.fromIterable(claimed).concatWith(this.jobs.claimCanceledInDoubt(provider, owner, now, lease,
							limit - claimed.size(), unlessPaused)));
	}

	@Override
	public Mono<Job> rescheduleCanceled(Job canceled, Instant due, int stepRetries) {
		return this.jobs.rescheduleCanceled(canceled, due, stepRetries)
			.switchIfEmpty(Mono.error(() -> new OptimisticLockingFailureException(
					"Job " + canceled.id() + " changed since version " + canceled.version())));
	}

	@Override
	public Mono<Long> countInFlight(String provider, @Nullable String model, Instant now) {
		return this.jobs.countInFlight(provider, model, now);
	}

	@Override
	public Flux<String> remoteIdsHeldByOthers(String provider, Collection<String> remoteIds, UUID except) {
		return remoteIds.isEmpty() ? Flux.empty() : this.jobs.remoteIdsHeldByOthers(provider, remoteIds, except);
	}

	@Override
	public Flux<Instant> createsWithoutRemoteIdLike(Job job, Instant from, Instant until) {
		return this.jobs.createsWithoutRemoteId(job.provider(), job.model(), job.prompt(), job.id(), from, until);
	}

	@Override
	public Mono<Long> pollSoon(String provider, String remoteId) {
		return this.jobs.makeDue(provider, remoteId);
	}

	@Override
	public Mono<Long> releaseLeases(String owner) {
		return this.jobs.releaseLeases(owner);
	}

	@Override
	public Mono<Instant> renewLease(UUID id, String owner, Instant current, Instant until) {
		return this.jobs.renewLease(id, owner, current, until);
	}

	@Override
	public Mono<Boolean> releaseLease(UUID id, String owner, Instant current) {
		return this.jobs.releaseLease(id, owner, current);
	}

}
