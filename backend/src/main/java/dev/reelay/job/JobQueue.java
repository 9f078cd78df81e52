package dev.reelay.job;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The queue as dispatch and webhooks see it: leases on due jobs (claim, renew, release), counts of what a provider
 * has in flight, the look-ups a lost create needs, and a nudge to poll a job soon. Jobs change only through
 * {@link JobStore}; a claim only takes a lease (and bumps the version), so a stale holder's later change fails.
 */
public interface JobQueue {

	/**
	 * Leases queued jobs of one provider (and model), taking turns across tenants and in priority order within each,
	 * never taking a tenant past its in-flight quota ({@code TenantQuotas#maxInFlightJobs}); the caller enforces the
	 * provider's limits.
	 */
	Flux<Job> claimQueued(String provider, @Nullable String model, Collection<String> exceptModels,
			String owner, Instant now, Duration lease, int limit);

	/**
	 * Leases submitted jobs of one provider that are due to be polled, reconciled or downloaded, and, within the
	 * same {@code limit}, jobs canceled while their create was out that are due for a look at the provider.
	 */
	Flux<Job> claimRunning(String provider, String owner, Instant now, Duration lease, int limit);

	/** {@link #claimQueued} of every model, unless the provider is paused, in one statement. */
	Flux<Job> claimQueuedUnlessPaused(String provider, String owner, Instant now, Duration lease, int limit);

	/**
	 * Leases queued jobs of {@code model} waiting on other routes ({@code from}) that could not take them now, and
	 * moves them to route {@code to} (see {@code JobRepository.claimQueuedMoving}); nothing while {@code to} is paused.
	 */
	Flux<Job> claimQueuedMoving(String model, Move move, String to, String owner, Instant now, Duration lease,
			int limit);

	/** {@link #claimRunning} unless the provider is paused, in one statement. */
	Flux<Job> claimRunningUnlessPaused(String provider, String owner, Instant now, Duration lease, int limit);

	/**
	 * Writes when a job canceled with its create in doubt is due for another look at its provider
	 * ({@link Job#NEVER_DUE}: never, the look is over) and its retries so far, letting go of its lease. Fails with
	 * {@code OptimisticLockingFailureException} when the row moved on.
	 */
	Mono<Job> rescheduleCanceled(Job canceled, Instant due, int stepRetries);

	/** Jobs the provider is working on for us (or that are leased to be submitted right now). */
	Mono<Long> countInFlight(String provider, @Nullable String model, Instant now);

	/** Which of {@code remoteIds} at {@code provider} already belong to a job other than {@code except}. */
	Flux<String> remoteIdsHeldByOthers(String provider, Collection<String> remoteIds, UUID except);

	/**
	 * When other jobs of {@code job}'s request (provider, model, prompt) that hold no remote id sent their latest
	 * create, if that was between {@code from} and {@code until}.
	 */
	Flux<Instant> createsWithoutRemoteIdLike(Job job, Instant from, Instant until);

	/**
	 * Asks for a prompt look at the job with this remote id (a webhook said it changed): it becomes due, and the
	 * dispatcher fetches its status from the provider as on any poll. Returns how many jobs matched.
	 */
	Mono<Long> pollSoon(String provider, String remoteId);

	/** Lets go of every lease {@code owner} holds, so a restarted instance resumes its jobs at once. */
	Mono<Long> releaseLeases(String owner);

	/**
	 * Extends the lease {@code owner} holds on a job to {@code until}, if it is still the one that ends at
	 * {@code current}; answers its new end, or nothing when the lease is no longer the caller's.
	 */
	Mono<Instant> renewLease(UUID id, String owner, Instant current, Instant until);

	/** Lets go of one lease if it is still the one {@code owner} holds until {@code current}. */
	Mono<Boolean> releaseLease(UUID id, String owner, Instant current);

	/**
	 * Which waiting jobs of a model a route may take over: those on the routes {@code from}, of a shape it makes
	 * ({@code resolution/seconds}, see {@link #shape}), from an image only of a kind it takes, and due since before
	 * {@code dueBefore} (so their own route had its turn at them first).
	 */
	public record Move(List<String> from, List<String> shapes, boolean takesImageUrls, boolean takesImageUploads,
			Instant dueBefore) {

		public static String shape(String resolution, int seconds) {
			return resolution + "/" + seconds;
		}

		/** The same, for jobs due since before {@code instant}. */
		public Move dueBefore(Instant instant) {
			return new Move(this.from, this.shapes, this.takesImageUrls, this.takesImageUploads, instant);
		}

	}

}
