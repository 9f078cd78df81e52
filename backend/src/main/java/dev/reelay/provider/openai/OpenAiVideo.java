package dev.reelay.provider.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * The Video object of the /v1/videos contract. Strings stay strings: the API types {@code seconds} as one. Naming is
 * pinned here so the contract does not depend on the application's Jackson settings.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record OpenAiVideo(String id, @Nullable String model, @Nullable String status, @Nullable Integer progress,
		@Nullable Long createdAt, @Nullable Long completedAt, @Nullable Long expiresAt, @Nullable String prompt,
		@Nullable String size, @Nullable String seconds, @Nullable String remixedFromVideoId,
		@Nullable VideoError error) {

	@JsonIgnoreProperties(ignoreUnknown = true)
	@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
	record VideoError(@Nullable String code, @Nullable String message) {
	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
	record Page(java.util.List<OpenAiVideo> data, @Nullable String firstId, @Nullable String lastId,
			boolean hasMore) {
	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
	record ErrorEnvelope(@Nullable ErrorBody error) {
	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
	record ErrorBody(@Nullable String message, @Nullable String type, @Nullable String param,
			@Nullable String code) {
	}

}
