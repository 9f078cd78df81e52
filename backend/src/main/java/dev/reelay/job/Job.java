package dev.reelay.job;

import java.time.Instant;
import java.util.UUID;
import java.util.function.Consumer;

import dev.reelay.provider.ProviderUsage;
import org.jspecify.annotations.Nullable;

/**
 * A video job as stored. Immutable; {@link #with(Consumer)} makes a changed copy so a change is always
 * compared against the row it started from (optimistic locking on {@code version}). {@code providerUsage} is what
 * the provider reported about the job's cost, as far as it did; {@code cost} is Reelay's
 * own estimate from the catalog price and, once the job ended, the actual cost its provider's billing rule gives. {@code tenantId} owns the job: only its callers see it.
 */
public record Job(UUID id, UUID tenantId, JobStatus status, int progress, String model, String provider, String prompt,
		JobParameters parameters, int priority, @Nullable Instant notBefore, @Nullable String remoteId, @Nullable String statusReason, @Nullable JobError error,
		@Nullable StoredContent content, @Nullable ProviderUsage providerUsage, int attempts, Instant nextAttemptAt,
		@Nullable String leaseOwner,
		@Nullable Instant leaseUntil, @Nullable Instant submitStartedAt, Instant createdAt, Instant updatedAt,
		@Nullable Instant completedAt, long version, @Nullable String providerRequestId, int providerCalls,
		@Nullable JobCost cost, int stepRetries) {

	/** A job as stored before step retries were counted apart: none so far. */
	public Job(UUID id, UUID tenantId, JobStatus status, int progress, String model, String provider, String prompt,
			JobParameters parameters, int priority, @Nullable Instant notBefore, @Nullable String remoteId,
			@Nullable String statusReason, @Nullable JobError error, @Nullable StoredContent content,
			@Nullable ProviderUsage providerUsage, int attempts, Instant nextAttemptAt, @Nullable String leaseOwner,
			@Nullable Instant leaseUntil, @Nullable Instant submitStartedAt, Instant createdAt, Instant updatedAt,
			@Nullable Instant completedAt, long version, @Nullable String providerRequestId, int providerCalls,
			@Nullable JobCost cost) {
		this(id, tenantId, status, progress, model, provider, prompt, parameters, priority, notBefore, remoteId,
				statusReason, error, content, providerUsage, attempts, nextAttemptAt, leaseOwner, leaseUntil,
				submitStartedAt, createdAt, updatedAt, completedAt, version, providerRequestId, providerCalls, cost, 0);
	}

	/** A job not priced (yet): the budget prices every job as it is created. */
	public Job(UUID id, UUID tenantId, JobStatus status, int progress, String model, String provider, String prompt,
			JobParameters parameters, int priority, @Nullable Instant notBefore, @Nullable String remoteId,
			@Nullable String statusReason, @Nullable JobError error, @Nullable StoredContent content,
			@Nullable ProviderUsage providerUsage, int attempts, Instant nextAttemptAt, @Nullable String leaseOwner,
			@Nullable Instant leaseUntil, @Nullable Instant submitStartedAt, Instant createdAt, Instant updatedAt,
			@Nullable Instant completedAt, long version, @Nullable String providerRequestId, int providerCalls) {
		this(id, tenantId, status, progress, model, provider, prompt, parameters, priority, notBefore, remoteId,
				statusReason, error, content, providerUsage, attempts, nextAttemptAt, leaseOwner, leaseUntil,
				submitStartedAt, createdAt, updatedAt, completedAt, version, providerRequestId, providerCalls, null);
	}

	/** The same job with its estimated (and, once it ended, actual) cost. */
	public Job withCost(@Nullable JobCost newCost) {
		return new Job(this.id, this.tenantId, this.status, this.progress, this.model, this.provider, this.prompt,
				this.parameters, this.priority, this.notBefore, this.remoteId, this.statusReason, this.error,
				this.content, this.providerUsage, this.attempts, this.nextAttemptAt, this.leaseOwner, this.leaseUntil,
				this.submitStartedAt, this.createdAt, this.updatedAt, this.completedAt, this.version,
				this.providerRequestId, this.providerCalls, newCost, this.stepRetries);
	}

	public Job with(Consumer<Changes> change) {
		Changes changes = new Changes(this);
		change.accept(changes);
		return changes.apply();
	}

	/**
	 * This job as a write at {@code at} stores it: the next version, updated (and, in a terminal status, completed)
	 * at {@code at}. What the write's event shows, known before the write so that row and event go in one statement.
	 */
	Job storedAt(Instant at) {
		return new Job(this.id, this.tenantId, this.status, this.progress, this.model, this.provider, this.prompt,
				this.parameters, this.priority, this.notBefore, this.remoteId, this.statusReason, this.error, this.content,
				this.providerUsage, this.attempts, this.nextAttemptAt, this.leaseOwner, this.leaseUntil,
				this.submitStartedAt, this.createdAt, at, this.status.isTerminal() ? at : this.completedAt,
				this.version + 1, this.providerRequestId, this.providerCalls, this.cost, this.stepRetries);
	}

	/** The fields a running job may change; identity, request and bookkeeping fields stay put. */
	public static final class Changes {

		private final Job from;

		public JobStatus status;

		public int progress;

		public @Nullable String remoteId;

		public @Nullable String statusReason;

		public @Nullable JobError error;

		public @Nullable StoredContent content;

		public @Nullable ProviderUsage providerUsage;

		public int attempts;

		public Instant nextAttemptAt;

		public @Nullable Instant submitStartedAt;

		/** The provider's id of the last request about this job (e.g. {@code x-request-id}), for its support. */
		public @Nullable String providerRequestId;

		/** Provider calls made for this job so far, across every instance that worked on it. */
		public int providerCalls;

		/**
		 * Polls, reconciles and downloads retried in a row since the provider last answered (submissions count in
		 * {@code attempts}).
		 */
		public int stepRetries;

		private Changes(Job from) {
			this.from = from;
			this.status = from.status;
			this.progress = from.progress;
			this.remoteId = from.remoteId;
			this.statusReason = from.statusReason;
			this.error = from.error;
			this.content = from.content;
			this.providerUsage = from.providerUsage;
			this.attempts = from.attempts;
			this.nextAttemptAt = from.nextAttemptAt;
			this.submitStartedAt = from.submitStartedAt;
			this.providerRequestId = from.providerRequestId;
			this.providerCalls = from.providerCalls;
			this.stepRetries = from.stepRetries;
		}

		private Job apply() {
			return new Job(this.from.id, this.from.tenantId, this.status, this.progress, this.from.model, this.from.provider,
					this.from.prompt, this.from.parameters, this.from.priority, this.from.notBefore, this.remoteId, this.statusReason, this.error, this.content,
					this.providerUsage, this.attempts, this.nextAttemptAt, this.from.leaseOwner, this.from.leaseUntil,
					this.submitStartedAt, this.from.createdAt, this.from.updatedAt, this.from.completedAt, this.from.version,
					this.providerRequestId, this.providerCalls, this.from.cost, this.stepRetries);
		}

	}

}
