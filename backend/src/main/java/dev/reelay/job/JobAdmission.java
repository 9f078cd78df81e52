package dev.reelay.job;

import java.util.List;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A hook into the transactions that create and end jobs, so that another module (the budget) can price, reserve
 * and settle a job atomically with its row without {@code job} knowing about it. Both methods run inside the
 * transaction that writes the job: whatever they write commits or rolls back with it.
 */
public interface JobAdmission {

	/** Admits every job as it is and settles nothing: for a run without a budget module. */
	JobAdmission NONE = new JobAdmission() {

		@Override
		public Mono<Job> admit(Job queued) {
			return Mono.just(queued);
		}

		@Override
		public Mono<Job> settle(Job ending) {
			return Mono.just(ending);
		}

	};

	/**
	 * Called before a new job's row is written: answers the job to write (priced, maybe held back) or fails to
	 * refuse it, and then nothing of the submission is stored.
	 */
	Mono<Job> admit(Job queued);

	/** Admits the jobs of one submission in order, as {@link #admit} each; an implementation may share lookups. */
	default Flux<Job> admitAll(List<Job> queued) {
		return Flux.fromIterable(queued).concatMap(this::admit);
	}

	/**
	 * Admits the jobs of one submission as {@link #admitAll} does, except that what would make one tenant's
	 * submissions wait for each other (a budget's reservation on the tenant's spend row) may be left to
	 * {@link Admitted#reserveLast}, which the caller runs as the last step of the same transaction, after the job rows
	 * are written, so that only the end of each transaction waits. Refusals that need no such wait (an unpriced model
	 * under a budget) still come from here.
	 */
	default Mono<Admitted> admitSubmission(List<Job> queued) {
		return admitAll(queued).collectList().map((jobs) -> new Admitted(jobs, Mono.empty()));
	}

	/**
	 * A submission's jobs as admitted, and what is left of their admission: it reserves what they need or fails to
	 * refuse them all (the transaction then rolls back and nothing of the submission is stored).
	 */
	record Admitted(List<Job> jobs, Mono<Void> reserveLast) {
	}

	/** Called as a job reaches its terminal status, before that change is written: answers the job to write. */
	Mono<Job> settle(Job ending);

	/**
	 * Called when an ended job learns its remote id after it was settled (a create answered after the job was
	 * canceled), in the transaction that records the id: answers the job with its actual cost as its billing rule
	 * now gives it, the difference booked.
	 */
	default Mono<Job> resettle(Job ended) {
		return Mono.just(ended);
	}

}
