package dev.reelay.job;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;

import dev.reelay.catalog.ModelCatalog;
import dev.reelay.catalog.ModelSpec;
import dev.reelay.provider.ProviderRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/** Checks a job request against the catalog, naming the field and what the model accepts. */
@Component
class JobRequestValidator {

	static final int MIN_PRIORITY = -100;

	static final int MAX_PRIORITY = 100;

	private static final Duration MAX_SCHEDULE_AHEAD = Duration.ofDays(30);

	private final ModelCatalog catalog;

	private final ProviderRegistry providers;

	JobRequestValidator(ModelCatalog catalog, ProviderRegistry providers) {
		this.catalog = catalog;
		this.providers = providers;
	}

	NewJob validate(CreateJobRequest request) {
		String modelId = (request.model() != null) ? request.model() : this.catalog.defaultModel();
		ModelSpec model = this.catalog.find(modelId)
			.orElseThrow(() -> new InvalidJobRequestException("model",
					"model '" + modelId + "' is not in the catalog; see GET /api/v1/models"));
		if (model.isRetired(LocalDate.now(ZoneOffset.UTC))) {
			throw new InvalidJobRequestException("model",
					"model '" + modelId + "' was retired on " + model.retiredOn() + " and no longer accepts jobs");
		}
		if (!this.providers.isAvailable(model.provider())) {
			throw new InvalidJobRequestException("model", "model '" + modelId + "' is served by provider '"
					+ model.provider() + "', which is not enabled here (is its API key set?)");
		}
		String prompt = (request.prompt() != null) ? request.prompt().strip() : "";
		if (prompt.isEmpty()) {
			throw new InvalidJobRequestException("prompt", "prompt is required");
		}
		if (prompt.length() > model.maxPromptLength()) {
			throw new InvalidJobRequestException("prompt", "prompt is " + prompt.length() + " characters; " + modelId
					+ " accepts at most " + model.maxPromptLength());
		}
		int duration = pick("duration_seconds", "durations", modelId, request.durationSeconds(), model.durations());
		String aspectRatio = pick("aspect_ratio", "aspect ratios", modelId, request.aspectRatio(), model.aspectRatios());
		String resolution = pick("resolution", "resolutions", modelId, request.resolution(), model.resolutions());
		int priority = (request.priority() != null) ? request.priority() : 0;
		if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
			throw new InvalidJobRequestException("priority", "priority must be between " + MIN_PRIORITY + " and "
					+ MAX_PRIORITY + " (higher runs first); got " + priority);
		}
		Instant notBefore = request.notBefore();
		if (notBefore != null && notBefore.isAfter(Instant.now().plus(MAX_SCHEDULE_AHEAD))) {
			throw new InvalidJobRequestException("not_before",
					"not_before may be at most " + MAX_SCHEDULE_AHEAD.toDays() + " days ahead; got " + notBefore);
		}
		return new NewJob(modelId, model.provider(), prompt,
				new JobParameters(duration, aspectRatio, resolution, blankToNull(request.negativePrompt()), request.seed()),
				priority, notBefore);
	}

	/** The requested value if the model supports it, else the model's first (default) value when none was sent. */
	private static <T> T pick(String field, String what, String model, @Nullable T requested, List<T> supported) {
		if (requested == null) {
			return supported.get(0);
		}
		if (!supported.contains(requested)) {
			String choices = supported.stream().map(String::valueOf).collect(Collectors.joining(", "));
			throw new InvalidJobRequestException(field,
					model + " supports " + what + " " + choices + "; got " + requested);
		}
		return requested;
	}

	private static @Nullable String blankToNull(@Nullable String value) {
		return (value == null || value.isBlank()) ? null : value.strip();
	}

}
