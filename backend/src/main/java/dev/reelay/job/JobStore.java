package dev.reelay.job;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;

import dev.reelay.job.internal.JobChange;
import dev.reelay.job.internal.JobCursor;
import dev.reelay.job.internal.JobMetrics;
import dev.reelay.job.internal.JobRepository;
import dev.reelay.job.internal.JobRows;
import dev.reelay.job.internal.JobWrites.Written;
import dev.reelay.job.internal.JobWrites;
import dev.reelay.job.internal.RequestHash;
import dev.reelay.storage.VideoStorage;
import dev.reelay.support.BadRequestException;
import dev.reelay.tenant.CallerTenant;
import dev.reelay.tenant.QuotaExceededException;
import dev.reelay.tenant.TenantQuotas;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.NoTransactionException;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * The only writer of jobs: each change is checked against {@link JobStatus}, written with its event in one
 * transaction (shared with other changes by {@link JobWrites}), and announced after commit. A {@link JobAdmission}
 * prices new jobs and settles ending ones in the same transactions.
 */
@Service
public class JobStore {

	private static final Logger log = LoggerFactory.getLogger(JobStore.class);

	private final JobRepository jobs;

	private final TransactionalOperator tx;

	private final JsonMapper json;

	private final JobMetrics metrics;

	private final JobWrites writes;

	private final JobRows rows;

	private final JobAdmission admission;

	private final TenantQuotas quotas;

	private final VideoStorage storage;

	private final JobEventLog events;

	JobStore(JobRepository jobs, TransactionalOperator tx, JsonMapper json, JobMetrics metrics, JobWrites writes,
			JobRows rows, ObjectProvider<JobAdmission> admission, TenantQuotas quotas, VideoStorage storage,
			JobEventLog events) {
		this.jobs = jobs;
		this.writes = writes;
		this.rows = rows;
		this.tx = tx;
		this.json = json;
		this.metrics = metrics;
		this.admission = admission.getIfAvailable(() -> JobAdmission.NONE);
		this.quotas = quotas;
		this.storage = storage;
		this.events = events;
	}

	public Mono<Job> create(NewJob request) {
		return create(request, null).map((submission) -> submission.jobs().get(0));
	}

	/**
	 * Queues one job. With an idempotency key, a repeat of the same request returns the job it created; the same
	 * key with a different request is an {@link IdempotencyConflictException}.
	 */
	public Mono<Submission> create(NewJob request, @Nullable String idempotencyKey) {
		return submit(List.of(request), idempotencyKey, false);
	}

	/** Queues all of {@code requests} or none of them, under one optional idempotency key. */
	public Mono<Submission> createBatch(List<NewJob> requests, @Nullable String idempotencyKey) {
		return submit(requests, idempotencyKey, true);
	}

	/**
	 * Queues one job for a client's automatic retry of a create it sent without an idempotency key: when the
	 * tenant made a job from the very same request (same validated fields, same uploaded bytes) within
	 * {@code window}, that job is answered as a replay instead, because the first attempt was handled and only its
	 * answer was lost. The look-up runs under the tenant's submission lock, so an attempt still being stored is
	 * waited for, not raced.
	 */
	public Mono<Submission> createRetried(NewJob request, Duration window) {
		return submit(List.of(request), null, false, window);
	}

	private Mono<Submission> submit(List<NewJob> requests, @Nullable String key, boolean batch) {
		return submit(requests, key, batch, null);
	}

	private Mono<Submission> submit(List<NewJob> requests, @Nullable String key, boolean batch,
			@Nullable Duration twinWindow) {
		String hash = RequestHash.of(this.json, requests, batch);
		Mono<Submission> insert = Mono.defer(() -> insertQueued(requests, key, batch, hash, twinWindow))
			.as(this.tx::transactional)
			.doOnNext((inserted) -> inserted.written().forEach(this::announce))
			.map((inserted) -> new Submission(inserted.written().stream().map(Written::job).toList(), inserted.twin()))
			.doOnNext((submission) -> submission.jobs().stream().filter((created) -> !submission.replayed())
				.forEach((created) -> {
					this.metrics.created(created);
					log.info("job {} queued model={} provider={}", created.id(), created.model(), created.provider());
				}));
		if (key == null) {
			return insert;
		}
		// Keys are per tenant; every job of one submission belongs to the same tenant.
		UUID tenant = requests.get(0).tenantId();
		Mono<Submission> replay = this.jobs.findByIdempotencyKey(tenant, key).collectList().flatMap((existing) -> {
			if (existing.isEmpty()) {
				return Mono.empty();
			}
			if (!existing.stream().allMatch((keyed) -> hash.equals(keyed.requestHash()))) {
				return Mono.error(new IdempotencyConflictException(key));
			}
			return Mono.just(new Submission(existing.stream().map(JobRepository.KeyedJob::job).toList(), true));
		});
		// Two requests racing with one key: the unique index lets one insert win; the other replays it. The loser may
		// instead find the winner's jobs filling the queued quota (it counts after the winner committed): a replay too.
		return replay.switchIfEmpty(insert.onErrorResume(DuplicateKeyException.class, (raced) -> replay)
			.onErrorResume(QuotaExceededException.class, (full) -> replay.switchIfEmpty(Mono.error(full))));
	}

	/**
	 * What creating {@code request} would give, stored nowhere: the job as admitted (priced, maybe held), or the
	 * admission's refusal. The admission runs in a transaction that is always rolled back.
	 */
	public Mono<Job> preview(NewJob request) {
		return this.tx.execute((status) -> {
			status.setRollbackOnly();
			return this.admission.admit(queued(request, Instant.now()));
		}).single();
	}

	private static Job queued(NewJob request, Instant now) {
		Instant due = (request.notBefore() != null && request.notBefore().isAfter(now)) ? request.notBefore() : now;
		return new Job(UUID.randomUUID(), request.tenantId(), JobStatus.QUEUED, 0, request.model(), request.provider(),
				request.prompt(), request.parameters(), request.priority(), request.notBefore(), null,
				(due == now) ? null : "scheduled for " + due, null, null, null, 0, due, null, null, null, now, now, null, 0,
				null, 0);
	}

	/**
	 * The tenant's queued quota checked, each job admitted (priced, reserved), then every job in one statement, the
	 * uploaded images, the events.
	 */
	private Mono<Inserted> insertQueued(List<NewJob> requests, @Nullable String key, boolean batch, String hash,
			@Nullable Duration twinWindow) {
		Instant now = Instant.now();
		Mono<Inserted> twin = (twinWindow == null) ? Mono.empty()
				: this.jobs.findNewestWithHash(requests.get(0).tenantId(), hash, now.minus(twinWindow))
					.map((earlier) -> new Inserted(List.of(new Written(earlier, null)), true));
		return withinQueuedQuota(requests, twin).switchIfEmpty(Mono.defer(() -> insertNew(requests, key, batch, hash,
				now).map((written) -> new Inserted(written, false))));
	}

	/** What one submission's transaction wrote, or the earlier job it found ({@code twin}) and wrote nothing. */
	private record Inserted(List<Written> written, boolean twin) {
	}

	private Mono<List<Written>> insertNew(List<NewJob> requests, @Nullable String key, boolean batch, String hash,
			Instant now) {
		return Mono.<Void>empty()
			.thenMany(Flux.defer(() -> this.admission.admitAll(requests.stream().map((request) -> queued(request, now))
				.toList())))
			.collectList()
			.flatMap((admitted) -> insertAdmitted(requests, admitted, key, batch, hash));
	}

	/**
	 * Refuses the whole submission when it would take the tenant over its queued quota. Runs first in the
	 * submission's transaction and holds the tenant's submission lock to its end, so two concurrent submissions of
	 * one tenant cannot both take the last free place (see {@link JobRepository#lockAndCountQueued}).
	 */
	private Mono<Inserted> withinQueuedQuota(List<NewJob> requests, Mono<Inserted> twin) {
		UUID tenant = requests.get(0).tenantId();
		int max = this.quotas.maxQueuedJobs();
		// A retry's twin, found under the lock, is an answer already given: no quota to check for it.
		return this.jobs.lockAndCountQueued(tenant, max)
			.flatMap((queued) -> twin.switchIfEmpty(Mono.defer(() -> (queued + requests.size() > max)
					? Mono.error(QuotaExceededException.queuedJobs(this.quotas, queued, requests.size()))
					: Mono.empty())));
	}

	private Mono<List<Written>> insertAdmitted(List<NewJob> requests, List<Job> admitted, @Nullable String key,
			boolean batch, String hash) {
		List<JobRepository.NewRow> rows = new ArrayList<>(admitted.size());
		for (int index = 0; index < admitted.size(); index++) {
			rows.add(new JobRepository.NewRow(admitted.get(index),
					(key == null) ? null : (batch ? key + "#" + index : key), hash));
		}
		return this.jobs.insertAll(rows).collectMap(Job::id).flatMap((inserted) -> {
			List<Job> inOrder = rows.stream().map((row) -> inserted.get(row.job().id())).toList();
			Mono<Void> uploads = Flux.range(0, requests.size())
				.filter((index) -> requests.get(index).upload() != null)
				.concatMap((index) -> this.jobs.insertInput(inOrder.get(index).id(),
						Objects.requireNonNull(requests.get(index).upload())))
				.then();
			List<JobEventLog.NewEvent> events = inOrder.stream()
				.map((job) -> this.rows.event(job, JobEventType.QUEUED))
				.toList();
			return uploads.then(this.events.append(events))
				.map((eventIds) -> inOrder.stream()
					.map((job) -> JobWrites.Written.of(job, JobEventType.QUEUED, eventIds))
					.toList());
		});
	}

	/**
	 * {@code tenant}'s jobs after {@code after} (exclusive; from the start when null), newest first or, ascending,
	 * oldest first.
	 */
	public Flux<Job> page(UUID tenant, @Nullable Job after, boolean ascending, int limit) {
		return this.jobs.page(tenant, new JobQuery(null, null, null, ascending),
				(after != null) ? JobCursor.of(after, ascending) : null, limit);
	}

	/** The jobs a submission created, and whether they were created earlier under the same idempotency key. */
	public record Submission(List<Job> jobs, boolean replayed) {
	}

	public Mono<Job> find(UUID id) {
		return this.jobs.findById(id).switchIfEmpty(Mono.error(() -> new JobNotFoundException(id)));
	}

	/** The job if it belongs to the tenant of the request being answered (see {@link CallerTenant}). */
	public Mono<Job> findForCaller(UUID id) {
		return CallerTenant.current().flatMap((tenant) -> find(tenant, id));
	}

	/** The job if it belongs to {@code tenant}; another tenant's job is as missing as one that never existed. */
	public Mono<Job> find(UUID tenant, UUID id) {
		return this.jobs.findLive(tenant, id).switchIfEmpty(Mono.error(() -> new JobNotFoundException(id)));
	}

	/**
	 * Deletes {@code tenant}'s finished job: the row becomes a tombstone the API no longer finds (its prompt and
	 * stored files gone), a {@code job.deleted} event tells the streams, and the stored video and thumbnail are
	 * removed once that has committed. A job that has not ended is refused ({@link JobNotFinishedException}): cancel
	 * it first. Answers the job as it was.
	 */
	public Mono<Job> delete(UUID tenant, UUID id) {
		return Mono.defer(() -> find(tenant, id).flatMap((job) -> {
			if (!job.status().isTerminal()) {
				return Mono.error(new JobNotFinishedException(job));
			}
			// This instance's clock, as JobWrites stamps rows with.
			Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
			// A finished job is leased only briefly (a late remote id being recorded); the retry below waits it out.
			return this.jobs.delete(job, at, deletedPayload(job))
				.switchIfEmpty(Mono.error(() -> new OptimisticLockingFailureException(
						"Job " + id + " changed or is held while being deleted")))
				.doOnNext((eventId) -> this.events.announce(new JobEventNotice(eventId, id, JobEventType.DELETED)))
				.thenReturn(job);
		}))
			.retryWhen(Retry.backoff(5, Duration.ofMillis(50))
				.filter(OptimisticLockingFailureException.class::isInstance)
				.onRetryExhaustedThrow((spec, signal) -> signal.failure()))
			.flatMap((deleted) -> removeStoredFiles(deleted).thenReturn(deleted))
			.doOnNext((deleted) -> log.info("job {} {} deleted", deleted.id(), deleted.status().value()));
	}

	private String deletedPayload(Job job) {
		ObjectNode view = this.json.valueToTree(JobView.of(job.with((c) -> c.content = null)));
		view.put("prompt", "");
		view.put("deleted", true);
		return this.json.writeValueAsString(view);
	}

	/**
	 * The row no longer points at the files, so a failure here leaves an orphaned file (logged), never a job whose
	 * video is half gone.
	 */
	private Mono<Void> removeStoredFiles(Job deleted) {
		StoredContent content = deleted.content();
		if (content == null) {
			return Mono.empty();
		}
		Flux<String> locations = (content.thumbnail() != null)
				? Flux.just(content.location(), content.thumbnail().location()) : Flux.just(content.location());
		return locations.concatMap((location) -> this.storage.delete(location)
			.onErrorResume((error) -> {
				log.warn("job {} deleted but its stored file {} could not be removed: {}", deleted.id(), location,
						error.toString());
				return Mono.empty();
			})).then();
	}

	/** {@code tenant}'s jobs, newest first. */
	public Mono<JobPage> list(UUID tenant, @Nullable Collection<JobStatus> statuses, @Nullable String cursor,
			int limit) {
		return search(tenant, JobQuery.of(statuses), cursor, limit);
	}

	/** {@code tenant}'s jobs that match {@code query}, in its order. */
	public Mono<JobPage> search(UUID tenant, JobQuery query, @Nullable String cursor, int limit) {
		JobCursor after = (cursor != null) ? JobCursor.decode(cursor) : null;
		if (after != null && after.oldestFirst() != query.oldestFirst()) {
			return Mono.error(new BadRequestException("cursor",
					"cursor was returned for the other sort order; list again without it"));
		}
		return this.jobs.page(tenant, query, after, limit + 1).collectList().map((rows) -> {
			boolean more = rows.size() > limit;
			List<Job> page = more ? rows.subList(0, limit) : rows;
			String next = more ? JobCursor.of(page.get(page.size() - 1), query.oldestFirst()).encode() : null;
			return new JobPage(page.stream().map(JobView::of).toList(), next);
		});
	}

	/**
	 * Applies {@code change} to {@code from}. Fails with {@link OptimisticLockingFailureException} when the row
	 * moved on (another writer, or a cancel) and with {@link IllegalStateException} on a transition the state
	 * machine forbids.
	 */
	public Mono<Job> change(Job from, Consumer<Job.Changes> change, boolean releaseLease) {
		// Deferred: a named transition refuses a forbidden move by throwing while the change is applied.
		return Mono.defer(() -> changeNow(from, from.with(change), releaseLease));
	}

	private Mono<Job> changeNow(Job from, Job changed, boolean releaseLease) {
		if (!from.status().canTransitionTo(changed.status())) {
			return Mono.error(new IllegalStateException(
					"Job " + from.id() + " cannot go from " + from.status() + " to " + changed.status()));
		}
		Job monotonic = (changed.progress() < from.progress()) ? changed.with((c) -> c.progress = from.progress())
				: changed;
		boolean visible = monotonic.status() != from.status() || monotonic.progress() != from.progress()
				|| !Objects.equals(monotonic.statusReason(), from.statusReason());
		boolean ending = monotonic.status().isTerminal() && !from.status().isTerminal();
		@Nullable JobEventType event = visible ? eventType(from, monotonic) : null;
		// An ending priced job is settled and written alone in one transaction (not group-committed), so the budget's
		// settlement commits or rolls back with the terminal status. A job without a price has nothing to settle.
		// The write that records a provider's id is never refused for a full queue: losing it loses the generation.
		boolean recordsRemoteId = from.remoteId() == null && monotonic.remoteId() != null;
		Mono<Written> written = (ending && monotonic.cost() != null) ? this.admission.settle(monotonic)
			.flatMap((settled) -> write(new JobChange(settled, releaseLease, true, event), recordsRemoteId))
			.as(this.tx::transactional) : write(new JobChange(monotonic, releaseLease, false, event), recordsRemoteId);
		return written
			.doOnNext(this::announce)
			.map(Written::job)
			.doOnNext((updated) -> {
				this.metrics.changed(from, updated);
				if (updated.status() != from.status()) {
					log.info("job {} {} -> {} provider={} remote_id={} request_id={}", updated.id(),
							from.status().value(), updated.status().value(), updated.provider(), updated.remoteId(),
							updated.providerRequestId());
				}
			});
	}

	/**
	 * Group-commits {@code change}, unless the caller runs it in a transaction of its own: then it is written there,
	 * so that it commits or rolls back with the rest of the caller's work, as a change always did.
	 */
	private Mono<Written> write(JobChange change, boolean beyondCapacity) {
		return TransactionSynchronizationManager.forCurrentTransaction()
			.map(TransactionSynchronizationManager::isActualTransactionActive)
			.onErrorReturn(NoTransactionException.class, false)
			.flatMap((inTransaction) -> inTransaction ? this.writes.writeAlone(change)
					: this.writes.write(change, beyondCapacity));
	}

	/**
	 * Records the remote id of a job that ended without one: the answer to a create that lost the race to a cancel.
	 * The job stays as it ended (no event: its status does not change), with the id, so the generation is known and
	 * can be stopped, and its cost as its billing rule gives it with the id, the difference booked
	 * ({@link JobAdmission#resettle}). Fails with {@link OptimisticLockingFailureException} when the row moved on.
	 */
	public Mono<Job> recordRemoteIdAfterEnd(Job ended, String remoteId) {
		if (!ended.status().isTerminal() || ended.remoteId() != null) {
			return Mono.error(new IllegalStateException("Job " + ended.id() + " is " + ended.status().value()
					+ " with remote id " + ended.remoteId() + "; only an ended job without one takes a late id"));
		}
		return Mono.defer(() -> this.admission.resettle(ended.with((c) -> c.remoteId = remoteId)))
			.flatMap((resettled) -> this.jobs.recordRemoteIdAfterEnd(resettled))
			.switchIfEmpty(Mono.error(() -> new OptimisticLockingFailureException(
					"Job " + ended.id() + " changed since version " + ended.version())))
			.as(this.tx::transactional)
			.doOnNext((recorded) -> log.info("job {} {} provider={} remote_id={} recorded after it ended", recorded.id(),
					recorded.status().value(), recorded.provider(), recorded.remoteId()));
	}

	/** Cancels a job that has not finished; a finished job is left as it is. */
	public Mono<Job> cancel(UUID id) {
		return cancel(find(id));
	}

	/** Cancels {@code tenant}'s job; another tenant's job is not found. */
	public Mono<Job> cancel(UUID tenant, UUID id) {
		return cancel(find(tenant, id));
	}

	private Mono<Job> cancel(Mono<Job> lookup) {
		return Mono.defer(() -> lookup.flatMap((job) -> job.status().isTerminal() ? Mono.just(job)
				: change(job, (c) -> c.canceled("canceled by request", null), true)))
			.retryWhen(Retry.max(5).filter(OptimisticLockingFailureException.class::isInstance));
	}

	/** The image uploaded with a job; empty when it had none. */
	public Mono<ImageUpload> uploadedImage(UUID id) {
		return this.jobs.findInput(id);
	}

	private static JobEventType eventType(Job from, Job to) {
		return (to.status() == from.status()) ? JobEventType.PROGRESS : JobEventType.forStatus(to.status());
	}

	private void announce(Written written) {
		if (written.notice() != null) {
			this.events.announce(written.notice());
		}
	}

}
