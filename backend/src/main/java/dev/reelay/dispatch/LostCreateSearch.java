package dev.reelay.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import dev.reelay.job.Job;
import dev.reelay.job.JobQueue;
import dev.reelay.provider.GenerationRequest;
import dev.reelay.provider.RemoteJob;
import dev.reelay.provider.SubmittedGeneration;
import dev.reelay.provider.VideoProvider;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Decides which generation at the provider a job whose create went unanswered may take as its own. A provider's
 * list only shows what a create carried (prompt, model, size, length), so identical requests (a batch of one
 * prompt, a retry, two tenants on one key) look alike there. A generation is adopted only when nothing else could
 * own it: it is the one match that no other job holds, and no other job of the same request had a create out when
 * it was made. Anything else is ambiguous ({@link Ambiguous}): adopting a guess could hand one tenant another's
 * video, and sending again could pay twice, so the job's outcome is unknown.
 */
@Component
class LostCreateSearch {

	/** Provider timestamps are whole seconds, and clocks differ a little: a create's window opens this early. */
	static final Duration CLOCK_TOLERANCE = Duration.ofSeconds(1);

	/**
	 * How long after its create was sent a generation can still be that create's: far beyond any provider's answer
	 * time, so that another job's create counts as a possible owner rather than be missed.
	 */
	static final Duration CREATE_HORIZON = Duration.ofHours(1);

	private final JobQueue jobs;

	LostCreateSearch(JobQueue jobs) {
		this.jobs = jobs;
	}

	/** The job's generation; empty when the provider shows none that could be; {@link Ambiguous} when it cannot tell. */
	Mono<RemoteJob> find(Job job, VideoProvider provider, GenerationRequest request, Instant since) {
		return provider.findSubmitted(request, since).collectList().flatMap((found) -> {
			if (found.isEmpty()) {
				return Mono.empty();
			}
			List<String> ids = found.stream().map((match) -> match.remote().remoteId()).toList();
			return this.jobs.remoteIdsHeldByOthers(job.provider(), ids, job.id())
				.collect(Collectors.toSet())
				.flatMap((held) -> choose(job, found, held));
		});
	}

	private Mono<RemoteJob> choose(Job job, List<SubmittedGeneration> found, Set<String> held) {
		// A generation another job holds is that job's, whatever it looks like.
		List<SubmittedGeneration> free = found.stream()
			.filter((match) -> !held.contains(match.remote().remoteId()))
			.toList();
		if (free.isEmpty()) {
			return Mono.empty();
		}
		Instant earliest = free.stream().map(SubmittedGeneration::createdAt).min(Comparator.naturalOrder()).orElseThrow();
		Instant latest = free.stream().map(SubmittedGeneration::createdAt).max(Comparator.naturalOrder()).orElseThrow();
		return this.jobs.createsWithoutRemoteIdLike(job, earliest.minus(CREATE_HORIZON), latest.plus(CLOCK_TOLERANCE))
			.collectList()
			.flatMap((others) -> {
				long contested = free.stream().filter((match) -> others.stream()
					.anyMatch((sent) -> couldHaveMade(sent, match.createdAt()))).count();
				if (free.size() == 1 && contested == 0) {
					return Mono.just(free.get(0).remote());
				}
				return Mono.error(new Ambiguous(free.stream().map((match) -> match.remote().remoteId()).toList(),
						others.size()));
			});
	}

	private static boolean couldHaveMade(Instant sent, Instant created) {
		return !sent.minus(CLOCK_TOLERANCE).isAfter(created) && !sent.plus(CREATE_HORIZON).isBefore(created);
	}

	/** More than one generation could be the job's, or one another job's create could have made. */
	static final class Ambiguous extends RuntimeException {

		private final List<String> candidates;

		private final int otherCreates;

		Ambiguous(List<String> candidates, int otherCreates) {
			super(candidates.size() + " unclaimed generation(s) match and " + otherCreates
					+ " other job(s) of the same request sent a create then", null, false, false);
			this.candidates = candidates;
			this.otherCreates = otherCreates;
		}

		List<String> candidates() {
			return this.candidates;
		}

		int otherCreates() {
			return this.otherCreates;
		}

	}

}
