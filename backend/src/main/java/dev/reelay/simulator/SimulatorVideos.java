package dev.reelay.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;

/** The {@code simulator_videos} table. Every read is scoped to a project (the hash of the caller's key). */
final class SimulatorVideos {

	private static final String COLUMNS = "id, model, prompt, size, seconds, input_reference, remixed_from, "
			+ "created_at, generation_ms, outcome";

	// Paging walks seq (insertion order) from a cursor; the cursor defaults to either end of the range.
	private static final String PAGE_ASC = "SELECT " + COLUMNS + " FROM simulator_videos WHERE project = :project "
			+ "AND NOT deleted AND seq > :cursor ORDER BY seq ASC LIMIT :limit";

	private static final String PAGE_DESC = "SELECT " + COLUMNS + " FROM simulator_videos WHERE project = :project "
			+ "AND NOT deleted AND seq < :cursor ORDER BY seq DESC LIMIT :limit";

	private final DatabaseClient db;

	SimulatorVideos(DatabaseClient db) {
		this.db = db;
	}

	Mono<Void> insert(String project, SimulatedVideo video) {
		DatabaseClient.GenericExecuteSpec insert = this.db.sql("INSERT INTO simulator_videos (id, project, model, "
				+ "prompt, size, seconds, input_reference, remixed_from, created_at, generation_ms, outcome) VALUES "
				+ "(:id, :project, :model, :prompt, :size, :seconds, :inputReference, :remixedFrom, :createdAt, "
				+ ":generationMs, :outcome)")
			.bind("id", video.id())
			.bind("project", project)
			.bind("model", video.model())
			.bind("prompt", video.prompt())
			.bind("size", video.size())
			.bind("seconds", video.seconds())
			.bind("inputReference", video.inputReference())
			.bind("createdAt", video.createdAt())
			.bind("generationMs", video.generation().toMillis())
			.bind("outcome", video.outcome().column());
		insert = (video.remixedFrom() != null) ? insert.bind("remixedFrom", video.remixedFrom())
				: insert.bindNull("remixedFrom", String.class);
		return insert.then();
	}

	Mono<SimulatedVideo> find(String project, String id) {
		return this.db.sql("SELECT " + COLUMNS + " FROM simulator_videos WHERE id = :id AND project = :project "
				+ "AND NOT deleted")
			.bind("id", id)
			.bind("project", project)
			.map(SimulatorVideos::video)
			.one();
	}

	/**
	 * Up to {@code limit} videos past the cursor, the {@code seq} of the last video of the previous page (see
	 * {@link #seq}) or {@link #start} for the first page.
	 */
	Flux<SimulatedVideo> page(String project, boolean ascending, long cursor, int limit) {
		return this.db.sql(ascending ? PAGE_ASC : PAGE_DESC)
			.bind("project", project)
			.bind("cursor", cursor)
			.bind("limit", limit)
			.map(SimulatorVideos::video)
			.all();
	}

	static long start(boolean ascending) {
		return ascending ? Long.MIN_VALUE : Long.MAX_VALUE;
	}

	/** The paging position of a video; deleted ones included, so paging while deleting keeps its place. */
	Mono<Long> seq(String project, String id) {
		return this.db.sql("SELECT seq FROM simulator_videos WHERE id = :id AND project = :project")
			.bind("id", id)
			.bind("project", project)
			.map((row) -> Objects.requireNonNull(row.get("seq", Long.class)))
			.one();
	}

	Mono<Void> markDeleted(String project, String id) {
		return this.db.sql("UPDATE simulator_videos SET deleted = true WHERE id = :id AND project = :project")
			.bind("id", id)
			.bind("project", project)
			.then();
	}

	/** Creates billed to a project, deleted videos and remixes included. */
	Mono<Long> countByProject(String project) {
		return count("SELECT count(*) FROM simulator_videos WHERE project = :value", project);
	}

	Mono<Long> countByPrompt(String prompt) {
		return count("SELECT count(*) FROM simulator_videos WHERE prompt = :value", prompt);
	}

	private Mono<Long> count(String sql, String value) {
		return this.db.sql(sql)
			.bind("value", value)
			.map((row) -> Objects.requireNonNull(row.get(0, Long.class)))
			.one();
	}

	private static SimulatedVideo video(Readable row) {
		return new SimulatedVideo(required(row, "id", String.class), required(row, "model", String.class),
				required(row, "prompt", String.class), required(row, "size", String.class),
				required(row, "seconds", String.class), required(row, "input_reference", Boolean.class),
				row.get("remixed_from", String.class), required(row, "created_at", Instant.class),
				Duration.ofMillis(required(row, "generation_ms", Long.class)),
				Outcome.fromColumn(required(row, "outcome", String.class)));
	}

	private static <T> T required(Readable row, String column, Class<T> type) {
		return Objects.requireNonNull(row.get(column, type), column);
	}

}
