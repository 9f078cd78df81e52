package dev.reelay.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

import dev.reelay.catalog.ModelCatalog;
import dev.reelay.job.Job;
import dev.reelay.job.JobError;
import dev.reelay.job.JobNotFoundException;
import dev.reelay.job.JobParameters;
import dev.reelay.job.JobStatus;
import dev.reelay.job.JobStore;
import dev.reelay.job.StoredContent;
import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.ImageInput;
import dev.reelay.provider.ProviderException;
import dev.reelay.provider.ProviderRegistry;
import dev.reelay.provider.ProviderUsage;
import dev.reelay.provider.RemoteJob;
import dev.reelay.provider.RemoteStatus;
import dev.reelay.provider.VideoProvider;
import dev.reelay.storage.StoredFile;
import dev.reelay.storage.VideoStorage;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.R2dbcTransientException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.stereotype.Component;

/**
 * Moves one claimed job one step forward. Every outcome is written before the lease is let go, so a crash at any
 * point leaves a job that the next claim can pick up where it stood. A create is never retried blindly: when its
 * outcome is unknown the job is reconciled (looked for at the provider) before anything is sent again.
 */
@Component
class JobWorker {

	private static final Logger log = LoggerFactory.getLogger(JobWorker.class);

	private final JobStore jobs;

	private final ProviderRegistry providers;

	private final ModelCatalog catalog;

	private final VideoStorage storage;

	private final ProviderGate gate;

	private final DispatchSettings settings;

	private final Clock clock;

	private final Backoff backoff;

	private final MeterRegistry meters;

	private final ThumbnailDownload thumbnails;

	private final LeaseKeeper leases;

	/**
	 * Tries of the write that puts a job back after an unexpected error. That error is often the database's, and
	 * the first try fails with it; without more tries the job would wait for its lease to run out.
	 */
	private static final int RECOVERY_RETRIES = 4;

	private static final Duration RECOVERY_BACKOFF = Duration.ofMillis(250);

	private final GiveUpSettings giveUp;

	private final LostCreateSearch lostCreates;

	private final AcceptedCreates acceptedCreates;

	JobWorker(JobStore jobs, ProviderRegistry providers, ModelCatalog catalog, VideoStorage storage,
			ProviderGate gate, DispatchSettings settings, DispatchClock clock, MeterRegistry meters,
			ThumbnailDownload thumbnails, GiveUpSettings giveUp, LostCreateSearch lostCreates,
			AcceptedCreates acceptedCreates, LeaseKeeper leases) {
		this.jobs = jobs;
		this.providers = providers;
		this.catalog = catalog;
		this.storage = storage;
		this.gate = gate;
		this.settings = settings;
		this.clock = clock.clock();
		this.backoff = new Backoff(settings.retryBase(), settings.retryMax());
		this.meters = meters;
		this.thumbnails = thumbnails;
		this.leases = leases;
		this.giveUp = giveUp;
		this.lostCreates = lostCreates;
		this.acceptedCreates = acceptedCreates;
	}

	/** Runs one step of the claimed {@code job} under its lease, renewed while the step runs (see {@link LeaseKeeper}). */
	Mono<Void> run(Job job) {
		return this.leases.keep(job, () -> Mono.defer(() -> step(job))
			.then()
			.onErrorResume(OptimisticLockingFailureException.class, (moved) -> afterConcurrentChange(job))
			.onErrorResume((unexpected) -> recover(job, unexpected))
			.contextWrite((context) -> context.put(ProviderCalls.class, new ProviderCalls())));
	}

	/**
	 * After an unexpected error, puts the job back to be tried later and lets go of its lease, but only while the row
	 * is still leased to this step: a row another claim took (or this step's own write already released) is not
	 * this step's to write, and writing it would steal the other holder's lease. The write is tried a few times;
	 * if it never lands, the job waits for its lease to run out (short, as it is no longer renewed). The job is
	 * never made due earlier than it was: a create's job stays away from reconciliation while it may be answering.
	 */
	private Mono<Void> recover(Job job, Throwable unexpected) {
		log.error("job {} step failed unexpectedly", job.id(), unexpected);
		return Mono.deferContextual((context) -> {
			Lease lease = context.getOrDefault(Lease.class, null);
			Lease held = (lease != null) ? lease : Lease.of(job);
			return Mono.defer(() -> this.jobs.find(job.id()))
				.flatMap((current) -> (current.status().isTerminal() || !held.heldOn(current)) ? Mono.<Job>empty()
						: afterUnexpected(current, unexpected))
				.retryWhen(Retry.backoff(RECOVERY_RETRIES, RECOVERY_BACKOFF)
					.filter((error) -> !(error instanceof JobNotFoundException)))
				.onErrorResume((error) -> {
					log.warn("job {}: could not put it back after an unexpected error ({}); it resumes once its "
							+ "lease runs out", job.id(), Exceptions.unwrap(error).toString());
					return Mono.empty();
				})
				.then();
		});
	}

	private static Instant latest(Instant one, Instant other) {
		return one.isAfter(other) ? one : other;
	}

	private Mono<Job> step(Job job) {
		if (!this.providers.isAvailable(job.provider())) {
			return fail(job, new JobError("provider_unavailable", "The provider '" + job.provider()
					+ "' this job was sent to is no longer configured or enabled.", false));
		}
		if (job.remoteId() == null && (job.status() == JobStatus.SUBMITTED || job.status() == JobStatus.IN_PROGRESS
				|| job.status() == JobStatus.DOWNLOADING)) {
			return fail(job, new JobError("remote_id_missing",
					"Reelay lost track of this job at " + job.provider() + " and cannot follow it.", false));
		}
		VideoProvider provider = provider(job.provider());
		if (job.status() != JobStatus.QUEUED && permitLapsed(job, this.settings.limitsFor(job.provider()).polls() != null)) {
			return retryAt(job, now(), null);
		}
		return switch (job.status()) {
			case QUEUED -> submit(job, provider);
			// SUBMITTING found by a claim: the instance that wrote it died before the provider's answer was saved.
			case SUBMITTING, RECONCILING -> reconcile(job, provider);
			case SUBMITTED, IN_PROGRESS -> poll(job, provider);
			case DOWNLOADING -> download(job, provider);
			case COMPLETED, FAILED, CANCELED -> Mono.just(job);
		};
	}

	/** Persists the intent to submit before calling the provider, then the remote id the moment it returns. */
	private Mono<Job> submit(Job job, VideoProvider provider) {
		if (job.attempts() >= this.settings.maxSubmitAttempts()) {
			return fail(job, new JobError("submit_attempts_exhausted",
					"Gave up after " + job.attempts() + " attempts to submit the job to " + job.provider() + ".", true));
		}
		return change(job, (c) -> {
			c.status = JobStatus.SUBMITTING;
			c.submitStartedAt = now();
			c.attempts = job.attempts() + 1;
			c.statusReason = "submitting to " + job.provider();
			// Should this instance stop or die with the create on the wire, the job is not due for reconciliation
			// before the create could have been answered and listed: looking earlier finds nothing and sends it again.
			c.nextAttemptAt = now().plus(this.providers.settings(job.provider()).timeout()).plus(submitGrace(job));
		}, false).flatMap((submitting) -> request(submitting).flatMap((request) -> {
			// The claimed job's lease tells when the permit was counted; a renewed lease would not.
			if (permitLapsed(job, this.settings.limitsFor(job.provider()).limitsSubmissions())) {
				return change(submitting, (c) -> {
					c.status = JobStatus.QUEUED;
					c.attempts = job.attempts();
					c.submitStartedAt = job.submitStartedAt();
					c.statusReason = "waiting for rate limit at " + job.provider();
					c.nextAttemptAt = now();
				}, true);
			}
			return provider.submit(request)
				.flatMap((remote) -> accepted(submitting, remote, provider))
				.onErrorResume(ProviderException.class, (error) -> submitFailed(submitting, error));
		}));
	}

	/**
	 * A rate permit is counted when the job is claimed; a call sent much later (a stalled instance) would land in a
	 * window the permit was not counted in. Such a call is not sent: the job goes back to wait for a fresh permit.
	 */
	private boolean permitLapsed(Job job, boolean limited) {
		Instant leaseUntil = job.leaseUntil();
		if (!limited || leaseUntil == null) {
			return false;
		}
		Instant claimedAt = leaseUntil.minus(this.settings.lease());
		return now().isAfter(claimedAt.plus(this.settings.callMargin()));
	}

	/** Records the provider's id; {@link AcceptedCreates} sees that it is never dropped (retries, a lost race). */
	private Mono<Job> accepted(Job submitting, RemoteJob remote, VideoProvider provider) {
		return this.acceptedCreates.record(submitting, remote, provider, (row) -> change(row, (c) -> {
			c.remoteId = remote.remoteId();
			c.status = (remote.status() == RemoteStatus.IN_PROGRESS) ? JobStatus.IN_PROGRESS : JobStatus.SUBMITTED;
			c.progress = remote.progress();
			c.statusReason = null;
			c.providerUsage = ProviderUsage.merge(row.providerUsage(), remote.usage());
			c.nextAttemptAt = now().plus(pollDelay(row, remote));
			c.stepRetries = 0;
		}, true));
	}

	private Mono<Job> submitFailed(Job submitting, ProviderException error) {
		return switch (error.kind()) {
			case RATE_LIMITED -> pauseProvider(submitting, error).flatMap((until) -> change(submitting, (c) -> {
				c.status = JobStatus.QUEUED;
				// Refused before anything was created: waiting for a limit is not a failed attempt.
				c.attempts = submitting.attempts() - 1;
				c.statusReason = "waiting for rate limit at " + submitting.provider();
				c.nextAttemptAt = until;
			}, true));
			case PERMANENT -> fail(submitting, new JobError(error.code(), error.getMessage(), false));
			// No answer: the provider may have created (and billed) the job. Look for it before submitting again, but
			// only once the provider has had time to finish the create and list it: "not found" is final only then.
			case RETRYABLE -> change(submitting, (c) -> {
				c.status = JobStatus.RECONCILING;
				c.statusReason = "checking whether " + submitting.provider() + " received the job";
				c.nextAttemptAt = now().plus(longest(waitAfter(error, submitting.attempts()), submitGrace(submitting)));
			}, true);
		};
	}

	/**
	 * Looks for the generation an unanswered create may have started. Found: adopt it. Not found: queue the job
	 * again, where it waits for a submission permit like any other. A job is due for this only once its create
	 * could no longer be answering or unlisted ({@link #submitDeadline}); "not found" before that is not final.
	 */
	private Mono<Job> reconcile(Job job, VideoProvider provider) {
		if (!provider.canFindSubmitted()) {
			return fail(job, new JobError("submit_outcome_unknown", job.provider() + " did not confirm the job and "
					+ "offers no way to check whether it started it. Reelay did not send it again, so it cannot be "
					+ "paid for twice; retry the job if it does not appear in your " + job.provider() + " account.",
					true));
		}
		Instant since = Objects.requireNonNullElse(job.submitStartedAt(), job.createdAt());
		return request(job).flatMap((request) -> this.lostCreates.find(job, provider, request, since))
			.flatMap((found) -> {
				log.info("job {} found at {} as {} after an unknown submit outcome", job.id(), job.provider(),
						found.remoteId());
				return accepted(job, found, provider)
					// Another job took that generation meanwhile (the unique remote id): as unclear as two matches.
					.onErrorMap(DataIntegrityViolationException.class,
							(taken) -> new LostCreateSearch.Ambiguous(List.of(found.remoteId()), 1));
			})
			.switchIfEmpty(Mono.defer(() -> {
				Instant deadline = submitDeadline(job);
				if (deadline != null && now().isBefore(deadline)) {
					log.info("job {} not found at {} yet; its create may still be answering, looking again at {}",
							job.id(), job.provider(), deadline);
					return retryAt(job, deadline, null);
				}
				log.info("job {} not found at {}; queueing it again", job.id(), job.provider());
				return change(job, (c) -> {
					c.status = JobStatus.QUEUED;
					c.statusReason = job.provider() + " never received the job; sending it again";
					c.nextAttemptAt = now();
					c.stepRetries = 0;
				}, true);
			}))
			.onErrorResume(MeteredProvider.BudgetSpent.class,
					(spent) -> waitForBudget(job, "checking whether " + job.provider() + " received the job"))
			.onErrorResume(LostCreateSearch.Ambiguous.class, (ambiguous) -> {
				log.warn("job {}: {} shows generations {} that could be this job's and {} other job(s) of the same "
						+ "request with a create out; adopting none", job.id(), job.provider(), ambiguous.candidates(),
						ambiguous.otherCreates());
				return fail(job, new JobError("submit_outcome_unknown", job.provider() + " did not confirm the job, "
						+ "and what it lists cannot tell it apart from other jobs with the same prompt and settings, so "
						+ "Reelay took none of those videos and did not send the job again (it cannot be paid for "
						+ "twice); retry the job if you need it.", true));
			})
			.onErrorResume(ProviderException.class, (error) -> switch (error.kind()) {
				case RATE_LIMITED -> pauseProvider(job, error).flatMap((until) -> retryAt(job, until, null));
				case RETRYABLE -> retryLater(job, error, "checking whether " + job.provider() + " received the job");
				case PERMANENT -> fail(job, new JobError("submit_outcome_unknown", "Could not confirm whether "
						+ job.provider() + " received the job, so it was not sent again: " + error.getMessage(), false));
			});
	}

	private Mono<Job> poll(Job job, VideoProvider provider) {
		String remoteId = Objects.requireNonNull(job.remoteId());
		return provider.status(remoteId)
			.flatMap((remote) -> followed(job, provider, remote))
			.onErrorResume(ProviderException.class, (error) -> switch (error.kind()) {
				case RATE_LIMITED -> pauseProvider(job, error).flatMap((until) -> retryAt(job, until, null));
				case RETRYABLE -> retryLater(job, error, null);
				case PERMANENT -> fail(job, new JobError(error.code(), error.getMessage(), false));
			});
	}

	/** Moves the job to where the provider says it is, keeping what the provider said about its cost. */
	private Mono<Job> followed(Job job, VideoProvider provider, RemoteJob remote) {
		ProviderUsage usage = ProviderUsage.merge(job.providerUsage(), remote.usage());
		return switch (remote.status()) {
			case QUEUED, IN_PROGRESS, UNKNOWN -> change(job, (c) -> {
				if (remote.status() == RemoteStatus.IN_PROGRESS) {
					c.status = JobStatus.IN_PROGRESS;
				}
				c.providerUsage = usage;
				c.progress = remote.progress();
				c.statusReason = (remote.status() == RemoteStatus.UNKNOWN)
						? job.provider() + " reported a state Reelay does not know yet" : null;
				c.nextAttemptAt = now().plus(pollDelay(job, remote));
				c.stepRetries = 0;
			}, true);
			case COMPLETED -> change(job, (c) -> {
				c.status = JobStatus.DOWNLOADING;
				c.progress = 100;
				c.statusReason = "saving the video";
				c.providerUsage = usage;
				// Downloads count their own retries.
				c.stepRetries = 0;
			}, false).flatMap((downloading) -> download(downloading, provider));
			case FAILED -> {
				RemoteJob.RemoteError error = Objects.requireNonNull(remote.error());
				yield fail(job, new JobError(error.code(), error.message(), false), usage);
			}
			case CANCELED -> change(job, (c) -> {
				c.status = JobStatus.CANCELED;
				c.statusReason = "canceled at " + job.provider();
				c.providerUsage = usage;
			}, true);
		};
	}

	/**
	 * A job is completed only once its video is in Reelay's storage; downloads retry apart from generation. The
	 * thumbnail, where offered, is saved in the same step but never holds the job back: without one it completes
	 * all the same.
	 */
	private Mono<Job> download(Job job, VideoProvider provider) {
		String remoteId = Objects.requireNonNull(job.remoteId());
		return provider.content(remoteId)
			.flatMap((content) -> this.storage.store(job.id().toString(), content.contentType(),
					DownloadCheck.verified(content.body(), content.length())))
			.timeout(this.settings.downloadTimeout())
			.zipWhen((video) -> thumbnail(job, remoteId, provider))
			.flatMap((stored) -> change(job, (c) -> {
				StoredFile video = stored.getT1();
				StoredContent.Thumbnail thumbnail = stored.getT2()
					.map((still) -> new StoredContent.Thumbnail(still.location(), still.contentType(), still.length(),
							still.sha256()))
					.orElse(null);
				c.status = JobStatus.COMPLETED;
				c.progress = 100;
				c.statusReason = null;
				c.content = new StoredContent(video.location(), video.contentType(), video.length(), video.sha256(),
						thumbnail);
			}, true))
			.onErrorResume(MeteredProvider.BudgetSpent.class, (spent) -> waitForBudget(job, "saving the video"))
			.onErrorResume((error) -> {
				ProviderException classified = (error instanceof ProviderException provided) ? provided
						: new ProviderException(ProviderException.Kind.RETRYABLE, "download_failed",
								"Saving the video failed: " + error, 0, null, null, error);
				return switch (classified.kind()) {
					case RATE_LIMITED -> pauseProvider(job, classified).flatMap((until) -> retryAt(job, until, null));
					case RETRYABLE -> retryLater(job, classified, "saving the video (retrying)");
					case PERMANENT -> fail(job, new JobError("content_unavailable",
							"The video finished but could not be downloaded: " + classified.getMessage(), false));
				};
			});
	}

	/** The saved thumbnail, or none; a 429 on it still pauses the provider for everyone. Never fails. */
	private Mono<Optional<StoredFile>> thumbnail(Job job, String remoteId, VideoProvider provider) {
		return this.thumbnails.fetch(job.id(), remoteId, provider)
			.map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.onErrorResume((error) -> {
				log.info("job {}: completing without a thumbnail: {}", job.id(), error.toString());
				return (error instanceof ProviderException refused
						&& refused.kind() == ProviderException.Kind.RATE_LIMITED)
								? pauseProvider(job, refused).thenReturn(Optional.<StoredFile>empty())
								: Mono.just(Optional.<StoredFile>empty());
			})
			.onErrorResume((ignored) -> Mono.just(Optional.empty()));
	}

	/** A 429 stops every instance from calling the provider until it says; returns when calls may resume. */
	private Mono<Instant> pauseProvider(Job job, ProviderException error) {
		Instant until = now().plus(waitAfter(error, job.attempts()));
		log.info("{} answered 429 ({}); pausing it until {}", job.provider(), error.code(), until);
		return this.gate.pause(job.provider(), until, error.getMessage()).thenReturn(until);
	}

	/**
	 * Retries a poll, reconcile or download after a backoff that grows with the failures in a row (not with the
	 * submissions: a job submitted once would otherwise be retried every {@code retry-base} forever); at the
	 * give-up point the job fails instead.
	 */
	private Mono<Job> retryLater(Job job, ProviderException error, @Nullable String reason) {
		int retries = job.stepRetries() + 1;
		if (retries > this.giveUp.retries()) {
			log.warn("job {} at {}: {} ({}); giving up after {} tries", job.id(), job.provider(), error.code(),
					error.getMessage(), retries);
			return fail(job, gaveUp(job, retries, error.getMessage()));
		}
		log.info("job {} at {}: {} ({}), retry {} of {}", job.id(), job.provider(), error.code(), error.getMessage(),
				retries, this.giveUp.retries());
		Instant at = now().plus(waitAfter(error, retries));
		return change(job, (c) -> {
			if (reason != null) {
				c.statusReason = reason;
			}
			c.nextAttemptAt = at;
			c.stepRetries = retries;
		}, true);
	}

	/**
	 * An error nobody expected (a bug, a row Reelay cannot read) is retried with the backoff, counted like a failed
	 * try, and ends the job at {@code give-up.unexpected-errors} rather than looping forever.
	 */
	private Mono<Job> afterUnexpected(Job current, Throwable unexpected) {
		if (notTheJobsFault(unexpected)) {
			// The database is busy or unreachable: every job suffers alike, and none should fail for it.
			return change(current, (c) -> c.nextAttemptAt = latest(current.nextAttemptAt(),
					later(Math.max(current.stepRetries(), 1))), true);
		}
		int retries = current.stepRetries() + 1;
		if (retries >= this.giveUp.unexpectedErrors() || retries > this.giveUp.retries()) {
			// The exception itself goes to the log (above), not to the tenant: its text is Reelay's internals.
			return fail(current, new JobError("internal_error", "Reelay gave up on this job after " + retries
					+ " failed tries, the last one an internal error (the server log has it under job " + current.id()
					+ ").", true));
		}
		return change(current, (c) -> {
			// Never earlier than it was due: a create's job stays away from reconciliation while it may answer.
			c.nextAttemptAt = latest(current.nextAttemptAt(), later(retries));
			c.stepRetries = retries;
		}, true);
	}

	private static boolean notTheJobsFault(Throwable error) {
		return error instanceof TransientDataAccessException || error instanceof DataAccessResourceFailureException
				|| error instanceof R2dbcTransientException;
	}

	/**
	 * Why a job that failed too often ended, with the code its billing rule reads: a video that finished at the
	 * provider but could not be saved ({@code content_unavailable}) was generated and billed all the same.
	 */
	private static JobError gaveUp(Job job, int tries, String last) {
		return switch (job.status()) {
			case DOWNLOADING -> new JobError("content_unavailable", "The video finished at " + job.provider()
					+ " but could not be saved after " + tries + " tries: " + last, true);
			case SUBMITTING, RECONCILING -> new JobError("submit_outcome_unknown", "Could not confirm whether "
					+ job.provider() + " received the job after " + tries + " tries, so it was not sent again: " + last,
					true);
			default -> new JobError("provider_unreachable", "Gave up following the job at " + job.provider()
					+ " after " + tries + " failed tries; it may still have run there (and been billed): " + last,
					true);
		};
	}

	/**
	 * The poll budget had no permit for a call this step still had to make (the download after a poll, more list
	 * pages): the job is due again at once, and its next claim, which counts a permit, makes that call. Not a
	 * failed try.
	 */
	private Mono<Job> waitForBudget(Job job, String reason) {
		log.debug("job {}: the poll budget of {} is spent for now; {} waits for the next claim", job.id(),
				job.provider(), reason);
		return retryAt(job, now(), reason);
	}

	private Mono<Job> retryAt(Job job, Instant at, @Nullable String reason) {
		return change(job, (c) -> {
			if (reason != null) {
				c.statusReason = reason;
			}
			c.nextAttemptAt = at;
		}, true);
	}

	private Mono<Job> fail(Job job, JobError error) {
		return fail(job, error, job.providerUsage());
	}

	private Mono<Job> fail(Job job, JobError error, @Nullable ProviderUsage usage) {
		return change(job, (c) -> {
			c.status = JobStatus.FAILED;
			c.error = error;
			c.statusReason = null;
			c.providerUsage = usage;
		}, true);
	}

	/** The row moved on under us, most often a cancel: nothing to undo unless a remote job is left running. */
	private Mono<Void> afterConcurrentChange(Job job) {
		return this.jobs.find(job.id()).flatMap((current) -> {
			if (current.status() == JobStatus.CANCELED && current.remoteId() != null) {
				return provider(current.provider()).cancel(current.remoteId())
					.doOnNext((outcome) -> log.info("job {} canceled; remote {} cancel: {}", job.id(),
							current.remoteId(), outcome))
					.onErrorResume((ignored) -> Mono.empty())
					.then();
			}
			return Mono.empty();
		});
	}

	/**
	 * Writes a change to {@code from}, adding what this step's provider calls left for the job (their number and
	 * the provider's last request id).
	 */
	private Mono<Job> change(Job from, Consumer<Job.Changes> edit, boolean releaseLease) {
		return Mono.deferContextual((context) -> {
			ProviderCalls calls = context.getOrDefault(ProviderCalls.class, null);
			return this.jobs.change(from, (changes) -> {
				edit.accept(changes);
				if (calls != null) {
					calls.recordOn(changes);
				}
			}, releaseLease);
		});
	}

	/** The provider instance, with every call timed and tallied for the job. */
	private VideoProvider provider(String instance) {
		return new MeteredProvider(this.providers.get(instance), instance, this.meters,
				(count) -> this.gate.takePollPermits(instance, this.settings.limitsFor(instance), count, now()));
	}

	/** The request in the provider's terms: remote model name, uploaded image bytes, the remix source's remote id. */
	private Mono<GenerationRequest> request(Job job) {
		JobParameters parameters = job.parameters();
		JobParameters.ImageRef image = parameters.image();
		String remoteModel = this.catalog.find(job.model())
			.map((model) -> model.remoteModelFor(image != null))
			.orElse(job.model());
		Mono<Optional<ImageInput>> imageInput = (image == null) ? Mono.just(Optional.empty())
				: (image.url() != null) ? Mono.just(Optional.of(new ImageInput.Url(image.url())))
						: this.jobs.uploadedImage(job.id())
							.map((upload) -> Optional.<ImageInput>of(new ImageInput.Upload(upload.bytes(),
									upload.contentType())))
							.switchIfEmpty(Mono.error(() -> inputLost(job, "its uploaded image is missing")));
		UUID remixOf = parameters.remixOf();
		Mono<Optional<String>> remixSource = (remixOf == null) ? Mono.just(Optional.empty())
				: this.jobs.find(remixOf)
					.flatMap((source) -> Mono.justOrEmpty(source.remoteId()))
					.map(Optional::of)
					.switchIfEmpty(Mono.error(() -> inputLost(job, "the video it remixes has no remote id")));
		return Mono.zip(imageInput, remixSource)
			.map((inputs) -> new GenerationRequest(remoteModel, job.prompt(), parameters.durationSeconds(),
					parameters.aspectRatio(), parameters.resolution(), parameters.negativePrompt(), parameters.seed(),
					inputs.getT1().orElse(null), inputs.getT2().orElse(null)));
	}

	private static ProviderException inputLost(Job job, String what) {
		return new ProviderException(ProviderException.Kind.PERMANENT, "input_missing",
				"Job " + job.id() + " cannot be sent: " + what + ".", 0, null, null, null);
	}

	/**
	 * Polls often while a generation is young (progress is most interesting then) and less as it ages, never
	 * faster than the instance's poll interval nor than the provider asks.
	 */
	private Duration pollDelay(Job job, RemoteJob remote) {
		Duration floor = this.providers.settings(job.provider()).pollInterval();
		Duration ceiling = this.settings.limitsFor(job.provider()).maxPollInterval();
		Instant started = Objects.requireNonNullElse(job.submitStartedAt(), job.createdAt());
		Duration age = Duration.between(started, now());
		Duration adaptive = age.dividedBy(10);
		Duration delay = (adaptive.compareTo(floor) < 0) ? floor : (adaptive.compareTo(ceiling) > 0 ? ceiling : adaptive);
		Duration hinted = remote.pollAfter();
		return (hinted != null && hinted.compareTo(delay) > 0) ? hinted : delay;
	}

	/**
	 * For a job found still SUBMITTING (its instance stopped or died mid-create): when the create could no longer be
	 * answering nor unlisted. A RECONCILING job is written due only after its create ended plus the grace.
	 */
	private @Nullable Instant submitDeadline(Job job) {
		Instant started = job.submitStartedAt();
		if (job.status() != JobStatus.SUBMITTING || started == null) {
			return null;
		}
		return started.plus(this.providers.settings(job.provider()).timeout()).plus(submitGrace(job));
	}

	private Duration submitGrace(Job job) {
		return this.settings.limitsFor(job.provider()).submitGrace();
	}

	private static Duration longest(Duration one, Duration other) {
		return (one.compareTo(other) >= 0) ? one : other;
	}

	private Duration waitAfter(ProviderException error, int attempt) {
		Duration computed = this.backoff.after(attempt);
		Duration asked = error.retryAfter();
		return (asked != null && asked.compareTo(computed) > 0) ? asked : computed;
	}

	private Instant later(int attempt) {
		return now().plus(this.backoff.after(attempt));
	}

	private Instant now() {
		return this.clock.instant();
	}

}
