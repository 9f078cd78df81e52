package dev.reelay.simulator;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

import dev.reelay.simulator.SimulatedVideo.JobError;
import dev.reelay.simulator.SimulatedVideo.Status;

/**
 * The JSON bodies of the OpenAI Videos API. Naming and null inclusion are pinned here rather than left to
 * the application's Jackson settings: the simulator must keep the provider's shape whatever Reelay's own
 * API chooses.
 */
final class ApiObjects {

	private ApiObjects() {
	}

	@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
	@JsonInclude(JsonInclude.Include.ALWAYS)
	record Video(String id, String object, String model, String status, int progress, long createdAt,
			@Nullable Long completedAt, @Nullable Long expiresAt, @Nullable String prompt, String size,
			String seconds, @Nullable String remixedFromVideoId, @Nullable JobError error) {

		static Video of(SimulatedVideo video, Instant now) {
			Status status = video.statusAt(now);
			return new Video(video.id(), "video", video.model(), status.status().wire(), status.progress(),
					video.createdAt().getEpochSecond(), epochSecond(status.completedAt()),
					epochSecond(status.expiresAt()), video.prompt(), video.size(), video.seconds(),
					video.remixedFrom(), status.error());
		}

		private static @Nullable Long epochSecond(@Nullable Instant instant) {
			return (instant != null) ? instant.getEpochSecond() : null;
		}

	}

	@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
	@JsonInclude(JsonInclude.Include.ALWAYS)
	record VideoList(String object, List<Video> data, @Nullable String firstId, @Nullable String lastId,
			boolean hasMore) {

		static VideoList of(List<Video> data, boolean hasMore) {
			return new VideoList("list", data, data.isEmpty() ? null : data.get(0).id(),
					data.isEmpty() ? null : data.get(data.size() - 1).id(), hasMore);
		}

	}

	@JsonInclude(JsonInclude.Include.ALWAYS)
	record DeletedVideo(String id, String object, boolean deleted) {

		static DeletedVideo of(String id) {
			return new DeletedVideo(id, "video.deleted", true);
		}

	}

	@JsonInclude(JsonInclude.Include.ALWAYS)
	record ErrorEnvelope(ErrorBody error) {
	}

	@JsonInclude(JsonInclude.Include.ALWAYS)
	record ErrorBody(String message, String type, @Nullable String param, @Nullable String code) {
	}

}
