package dev.reelay.job;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
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
		@Nullable JobCost cost, int stepRetries, Map<String, Integer> routeAttempts, @Nullable BigDecimal routeCost) {

	/** A job as stored before it had routes: no create sent through any route yet, no route priced. */
	public Job(UUID id, UUID tenantId, JobStatus status, int progress, String model, String provider, String prompt,
			JobParameters parameters, int priority, @Nullable Instant notBefore, @Nullable String remoteId,
			@Nullable String statusReason, @Nullable JobError error, @Nullable StoredContent content,
			@Nullable ProviderUsage providerUsage, int attempts, Instant nextAttemptAt, @Nullable String leaseOwner,
			@Nullable Instant leaseUntil, @Nullable Instant submitStartedAt, Instant createdAt, Instant updatedAt,
			@Nullable Instant completedAt, long version, @Nullable String providerRequestId, int providerCalls,
			@Nullable JobCost cost, int stepRetries) {
		this(id, tenantId, status, progress, model, provider, prompt, parameters, priority, notBefore, remoteId,
				statusReason, error, content, providerUsage, attempts, nextAttemptAt, leaseOwner, leaseUntil,
				submitStartedAt, createdAt, updatedAt, completedAt, version, providerRequestId, providerCalls, cost,
				stepRetries, Map.of(), null);
	}

	/**
	 * When a job is due that never is: held over budget, or ended with nothing left to do. The same literal as the
	 * partial indexes that leave such jobs out of every claim (V115, V160).
	 */
	public static final Instant NEVER_DUE = Instant.parse("9999-01-01T00:00:00Z");

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
				this.providerRequestId, this.providerCalls, newCost, this.stepRetries, this.routeAttempts, this.routeCost);
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
	public Job storedAt(Instant at) {
		return new Job(this.id, this.tenantId, this.status, this.progress, this.model, this.provider, this.prompt,
				this.parameters, this.priority, this.notBefore, this.remoteId, this.statusReason, this.error, this.content,
				this.providerUsage, this.attempts, this.nextAttemptAt, this.leaseOwner, this.leaseUntil,
				this.submitStartedAt, this.createdAt, at, this.status.isTerminal() ? at : this.completedAt,
				this.version + 1, this.providerRequestId, this.providerCalls, this.cost, this.stepRetries,
				this.routeAttempts, this.routeCost);
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

		/** The route: the provider instance the job is sent to (and, once accepted, the one serving it). */
		public String provider;

		/** Creates sent through each route so far. */
		public Map<String, Integer> routeAttempts;

		/** What the job costs on its route (the budget reserved the dearest route's estimate). */
		public @Nullable BigDecimal routeCost;

		private Changes(Job from) {
			this.from = from;
			this.provider = from.provider;
			this.routeAttempts = new LinkedHashMap<>(from.routeAttempts);
			this.routeCost = from.routeCost;
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

		/*
		 * The named transitions. Each says what one step of a job's life writes; those that change the status check
		 * the move against JobStatus's table at once (and JobStore.change checks it again where it is written), so a
		 * step that would make a forbidden move fails before anything is sent or stored.
		 */

		/**
		 * The create is about to be sent: one more attempt, started {@code at}, and not due again (to be reconciled)
		 * before {@code reconcileAfter}, when the create could no longer be answering.
		 */
		public Changes submitting(Instant at, Instant reconcileAfter, String reason) {
			to(JobStatus.SUBMITTING);
			this.submitStartedAt = at;
			this.attempts = this.from.attempts + 1;
			this.routeAttempts.merge(this.provider, 1, Integer::sum);
			this.statusReason = reason;
			this.nextAttemptAt = reconcileAfter;
			return this;
		}

		/**
		 * The create was not sent, or refused before the provider created anything: back in the queue, due
		 * {@code due}, its attempt not counted, with {@code submitStartedAt} as the last create that was sent.
		 */
		public Changes unsent(String reason, Instant due, @Nullable Instant submitStartedAt) {
			to(JobStatus.QUEUED);
			this.attempts = this.from.attempts - 1;
			this.submitStartedAt = submitStartedAt;
			this.statusReason = reason;
			this.nextAttemptAt = due;
			return this;
		}

		/**
		 * The provider took the create (or a reconcile found it) as {@code remoteId}: followed from now on, first
		 * polled at {@code nextPoll}.
		 */
		public Changes accepted(String remoteId, boolean running, int progress, @Nullable ProviderUsage reported,
				Instant nextPoll) {
			to(running ? JobStatus.IN_PROGRESS : JobStatus.SUBMITTED);
			this.remoteId = remoteId;
			this.progress = Math.max(this.from.progress, progress);
			this.statusReason = null;
			this.providerUsage = ProviderUsage.merge(this.from.providerUsage, reported);
			this.nextAttemptAt = nextPoll;
			this.stepRetries = 0;
			return this;
		}

		/** The create's outcome is unknown: the job is looked for at the provider from {@code due} on. */
		public Changes reconciling(String reason, Instant due) {
			to(JobStatus.RECONCILING);
			this.statusReason = reason;
			this.nextAttemptAt = due;
			return this;
		}

		/** The provider never received the job: queued again, due {@code due}. */
		public Changes requeued(String reason, Instant due) {
			to(JobStatus.QUEUED);
			this.statusReason = reason;
			this.nextAttemptAt = due;
			this.stepRetries = 0;
			return this;
		}

		/**
		 * The provider answered a poll: running (or still as it was), at {@code progress} or more (never less), next
		 * polled at {@code nextPoll}.
		 */
		public Changes progressed(boolean running, int progress, @Nullable ProviderUsage reported,
				@Nullable String reason, Instant nextPoll) {
			if (running) {
				to(JobStatus.IN_PROGRESS);
			}
			this.progress = Math.max(this.from.progress, progress);
			this.providerUsage = ProviderUsage.merge(this.from.providerUsage, reported);
			this.statusReason = reason;
			this.nextAttemptAt = nextPoll;
			this.stepRetries = 0;
			return this;
		}

		/**
		 * What the job costs on its route, set as its create is about to go (the route may have changed since it was
		 * queued: see {@link #movedTo}, and the dispatcher's moves of waiting jobs).
		 */
		public Changes priced(@Nullable BigDecimal cost) {
			this.routeCost = cost;
			return this;
		}

		/**
		 * The route certainly did not accept the create (refused it, or the request never left): the job goes back
		 * to the queue on another route, {@code route}, due {@code due}. {@code counted}: whether the refused create
		 * counts as an attempt (a rate limit does not, as in {@link #unsent}).
		 */
		public Changes movedTo(String route, @Nullable BigDecimal cost, String reason, Instant due, boolean counted) {
			to(JobStatus.QUEUED);
			if (!counted) {
				this.attempts = this.from.attempts - 1;
			}
			this.provider = route;
			this.routeCost = cost;
			this.statusReason = reason;
			this.nextAttemptAt = due;
			this.stepRetries = 0;
			return this;
		}

		/** The generation finished at the provider; its video is being saved (downloads count their own retries). */
		public Changes downloading(@Nullable ProviderUsage reported) {
			to(JobStatus.DOWNLOADING);
			this.progress = 100;
			this.statusReason = "saving the video";
			this.providerUsage = ProviderUsage.merge(this.from.providerUsage, reported);
			this.stepRetries = 0;
			return this;
		}

		/** The video (and thumbnail, if any) is in Reelay's storage. */
		public Changes completed(StoredContent saved) {
			to(JobStatus.COMPLETED);
			this.progress = 100;
			this.statusReason = null;
			this.content = saved;
			return this;
		}

		/** The job ended with {@code failure}; {@code reported} is what the provider said of its cost last, if any. */
		public Changes failed(JobError failure, @Nullable ProviderUsage reported) {
			to(JobStatus.FAILED);
			this.error = failure;
			this.statusReason = null;
			this.providerUsage = ProviderUsage.merge(this.from.providerUsage, reported);
			return this;
		}

		/**
		 * The job ended canceled (by request, or at the provider). Canceled while its create was out unanswered, it
		 * stays due (when that create could no longer be answering, as its submitting or reconciling write said) for
		 * one look at the provider: a generation the create started is then recorded on the job, stopped where the
		 * family can, and billed as its rule says. Otherwise nothing is left to do.
		 */
		public Changes canceled(String reason, @Nullable ProviderUsage reported) {
			boolean createInDoubt = this.from.remoteId == null
					&& (this.from.status == JobStatus.SUBMITTING || this.from.status == JobStatus.RECONCILING);
			to(JobStatus.CANCELED);
			this.statusReason = reason;
			this.providerUsage = ProviderUsage.merge(this.from.providerUsage, reported);
			if (!createInDoubt) {
				this.nextAttemptAt = NEVER_DUE;
			}
			return this;
		}

		/** Due again at {@code due}, as it stands; {@code reason}, when given, replaces the one shown. */
		public Changes postponed(Instant due, @Nullable String reason) {
			if (reason != null) {
				this.statusReason = reason;
			}
			this.nextAttemptAt = due;
			return this;
		}

		/**
		 * A poll, reconcile or download failed: tried again at {@code due}, the {@code retries}-th in a row;
		 * {@code reason}, when given, replaces the one shown.
		 */
		public Changes retrying(Instant due, int retries, @Nullable String reason) {
			postponed(due, reason);
			this.stepRetries = retries;
			return this;
		}

		/** Due at {@code due} with exactly {@code reason} (none clears it): a hold lifted, a schedule set. */
		public Changes scheduled(Instant due, @Nullable String reason) {
			this.nextAttemptAt = due;
			this.statusReason = reason;
			return this;
		}

		/** {@code calls} more provider calls made for this job, the last one's request id if the provider gave one. */
		public Changes called(int calls, @Nullable String requestId) {
			this.providerCalls += calls;
			if (requestId != null) {
				this.providerRequestId = requestId;
			}
			return this;
		}

		private void to(JobStatus next) {
			if (!this.from.status.canTransitionTo(next)) {
				throw new IllegalStateException(
						"Job " + this.from.id + " cannot go from " + this.from.status + " to " + next);
			}
			this.status = next;
		}

		private Job apply() {
			return new Job(this.from.id, this.from.tenantId, this.status, this.progress, this.from.model, this.provider,
					this.from.prompt, this.from.parameters, this.from.priority, this.from.notBefore, this.remoteId, this.statusReason, this.error, this.content,
					this.providerUsage, this.attempts, this.nextAttemptAt, this.from.leaseOwner, this.from.leaseUntil,
					this.submitStartedAt, this.from.createdAt, this.from.updatedAt, this.from.completedAt, this.from.version,
					this.providerRequestId, this.providerCalls, this.from.cost, this.stepRetries,
					Map.copyOf(this.routeAttempts), this.routeCost);
		}

	}

}
