package dev.reelay.dispatch;

import dev.reelay.job.Job;
import dev.reelay.job.JobError;
import dev.reelay.job.JobStatus;
import dev.reelay.provider.ProviderRegistry;
import dev.reelay.provider.VideoProvider;
import reactor.core.publisher.Mono;

import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.stereotype.Component;

/**
 * Moves one claimed job one step forward: submit ({@link SubmitStep}), reconcile ({@link ReconcileStep}), poll
 * ({@link PollStep}) or download ({@link DownloadStep}), as its status says. Every outcome is written before the
 * lease is let go, so a crash at any point leaves a job that the next claim can pick up where it stood; what goes
 * wrong on the way is {@link StepRecovery}'s.
 */
@Component
class JobWorker {

	private final ProviderRegistry providers;

	private final MeteredProviders metered;

	private final DispatchSettings settings;

	private final FreshPermits permits;

	private final StepOutcomes outcomes;

	private final SubmitStep submit;

	private final ReconcileStep reconcile;

	private final PollStep poll;

	private final DownloadStep download;

	private final StepRecovery recovery;

	private final LeaseKeeper leases;

	private final CanceledCreateCheck canceledCreates;

	JobWorker(ProviderRegistry providers, MeteredProviders metered, DispatchSettings settings, FreshPermits permits,
			StepOutcomes outcomes, SubmitStep submit, ReconcileStep reconcile, PollStep poll, DownloadStep download,
			StepRecovery recovery, LeaseKeeper leases, CanceledCreateCheck canceledCreates) {
		this.providers = providers;
		this.metered = metered;
		this.settings = settings;
		this.permits = permits;
		this.outcomes = outcomes;
		this.submit = submit;
		this.reconcile = reconcile;
		this.poll = poll;
		this.download = download;
		this.recovery = recovery;
		this.leases = leases;
		this.canceledCreates = canceledCreates;
	}

	/** Runs one step of the claimed {@code job} under its lease, renewed while the step runs (see {@link LeaseKeeper}). */
	Mono<Void> run(Job job) {
		return this.leases.keep(job, () -> Mono.defer(() -> step(job))
			.then()
			.onErrorResume(OptimisticLockingFailureException.class, (moved) -> this.recovery.afterConcurrentChange(job))
			.onErrorResume((unexpected) -> this.recovery.recover(job, unexpected))
			.contextWrite((context) -> context.put(ProviderCalls.class, new ProviderCalls())));
	}

	private Mono<Job> step(Job job) {
		if (job.status() == JobStatus.CANCELED) {
			// Only a job canceled with its create out is claimed: its one look at the provider.
			return afterCancel(job);
		}
		if (!this.providers.isAvailable(job.provider())) {
			return this.outcomes.fail(job, new JobError("provider_unavailable", "The provider '" + job.provider()
					+ "' this job was sent to is no longer configured or enabled.", false));
		}
		if (job.remoteId() == null && (job.status() == JobStatus.SUBMITTED || job.status() == JobStatus.IN_PROGRESS
				|| job.status() == JobStatus.DOWNLOADING)) {
			return this.outcomes.fail(job, new JobError("remote_id_missing",
					"Reelay lost track of this job at " + job.provider() + " and cannot follow it.", false));
		}
		VideoProvider provider = this.metered.get(job.provider());
		if (job.status() == JobStatus.QUEUED) {
			// A create's permit is looked at just before the call, after the submitting write (see SubmitStep).
			return this.submit.run(job, provider);
		}
		return this.permits.mayCall(job, CallLedger.POLL, this.settings.limitsFor(job.provider()).polls() != null)
			.flatMap((may) -> may ? follow(job, provider) : this.outcomes.retryAt(job, this.outcomes.now(), null));
	}

	private Mono<Job> afterCancel(Job job) {
		if (!this.providers.isAvailable(job.provider())) {
			return this.canceledCreates.providerGone(job);
		}
		VideoProvider provider = this.metered.get(job.provider());
		return this.permits.mayCall(job, CallLedger.POLL, this.settings.limitsFor(job.provider()).polls() != null)
			.flatMap((may) -> may ? this.canceledCreates.run(job, provider)
					: this.canceledCreates.later(job, this.outcomes.now(), job.stepRetries()));
	}

	private Mono<Job> follow(Job job, VideoProvider provider) {
		return switch (job.status()) {
			case QUEUED -> this.submit.run(job, provider);
			// SUBMITTING found by a claim: the instance that wrote it died before the provider's answer was saved.
			case SUBMITTING, RECONCILING -> this.reconcile.run(job, provider);
			case SUBMITTED, IN_PROGRESS -> this.poll.run(job, provider);
			case DOWNLOADING -> this.download.run(job, provider);
			case COMPLETED, FAILED, CANCELED -> Mono.just(job);
		};
	}

}
