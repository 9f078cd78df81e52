package dev.reelay.simulator;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * What the simulated provider would have billed: one row per accepted create or remix, kept even after the
 * video is deleted. Tests use it to prove Reelay never submits a job twice (the real API has no idempotency
 * key, so a duplicate create is a duplicate bill).
 */
public final class SimulatorLedger {

	private final SimulatorVideos videos;

	SimulatorLedger(SimulatorVideos videos) {
		this.videos = videos;
	}

	/** Creates and remixes accepted in this project (the {@code OpenAI-Project} header; null: Reelay's own). */
	public Mono<Long> createsIn(@Nullable String project) {
		return this.videos.countByProject(Projects.of(project));
	}

	/** Creates and remixes accepted with exactly this prompt, under any key. */
	public Mono<Long> createsWithPrompt(String prompt) {
		return this.videos.countByPrompt(prompt);
	}

}
