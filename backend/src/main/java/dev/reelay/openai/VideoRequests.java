package dev.reelay.openai;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.reelay.catalog.ModelCatalog;
import dev.reelay.catalog.ModelSpec;
import dev.reelay.job.ImageUpload;
import dev.reelay.job.NewJob;
import dev.reelay.job.web.CreateJobRequest;
import dev.reelay.job.web.JobSubmissions;
import dev.reelay.support.BadRequestException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * A create in OpenAI's terms as a validated Reelay job: the model name through the aliases, {@code seconds} and
 * {@code size} onto the model's durations, aspect ratios and resolutions, then the native validator (which checks
 * the rest against the catalog, and a remix against its source: {@link JobSubmissions}, as every native door). Every
 * refusal names OpenAI's parameter and what the model allows.
 */
@Component
class VideoRequests {

	/** What OpenAI's SDKs send as {@code model}; served here only as aliases. */
	private static final Pattern OPENAI_MODEL = Pattern.compile("sora-.*");

	private static final Pattern SECONDS = Pattern.compile("[0-9]{1,4}");

	/** Native field names as OpenAI's parameters. */
	private static final Map<String, String> PARAMS = Map.of("duration_seconds", "seconds", "aspect_ratio", "size",
			"resolution", "size", "image", "input_reference", "remix_of", "video_id");

	private final ModelCatalog catalog;

	private final JobSubmissions submissions;

	private final OpenAiFacadeSettings settings;

	VideoRequests(ModelCatalog catalog, JobSubmissions submissions, OpenAiFacadeSettings settings) {
		this.catalog = catalog;
		this.submissions = submissions;
		this.settings = settings;
	}

	/** The fields of {@code POST /v1/videos}, as strings the way the SDK sends them. */
	record Create(@Nullable String prompt, @Nullable String model, @Nullable String seconds, @Nullable String size,
			@Nullable String imageUrl) {
	}

	Mono<NewJob> create(UUID tenant, Create create, @Nullable ImageUpload upload) {
		String requested = blankToNull(create.model());
		String model = model(tenant, requested);
		ModelSpec spec = this.catalog.find(model).orElse(null);
		Integer seconds = (spec != null) ? seconds(spec, create.seconds()) : null;
		VideoSizes.Shape shape = (spec != null && blankToNull(create.size()) != null)
				? VideoSizes.shape(spec, create.size()) : null;
		CreateJobRequest request = new CreateJobRequest(model, create.prompt(), seconds,
				(shape != null) ? shape.aspectRatio() : null, (shape != null) ? shape.resolution() : null, null, null,
				blankToNull(create.imageUrl()), null, null, null, null);
		return validate(tenant, request, upload, requested);
	}

	/** A remix of {@code source}: the same model, duration and shape, a new prompt. */
	Mono<NewJob> remix(UUID tenant, dev.reelay.job.Job source, @Nullable String prompt) {
		CreateJobRequest request = new CreateJobRequest(source.model(), prompt,
				source.parameters().durationSeconds(), source.parameters().aspectRatio(),
				source.parameters().resolution(), null, null, null, source.id(), null, null, null);
		return validate(tenant, request, null, source.model());
	}

	private Mono<NewJob> validate(UUID tenant, CreateJobRequest request, @Nullable ImageUpload upload,
			@Nullable String requested) {
		return this.submissions.validate(tenant, request, upload).onErrorMap(BadRequestException.class, (ex) -> {
			String param = PARAMS.getOrDefault(ex.field(), ex.field());
			if (param.equals("model") && requested != null && OPENAI_MODEL.matcher(requested).matches()) {
				return noSora(requested, ex.getMessage());
			}
			return OpenAiException.invalid(param, "Invalid value for '" + param + "': " + ex.getMessage());
		});
	}

	/** The catalog model a request means: an alias (the tenant's, then the operator's), or the name itself. */
	private String model(UUID tenant, @Nullable String requested) {
		if (requested == null) {
			return this.catalog.defaultModel();
		}
		String alias = this.settings.aliasOf(tenant, requested);
		if (alias != null) {
			return alias;
		}
		if (this.catalog.find(requested).isEmpty() && OPENAI_MODEL.matcher(requested).matches()) {
			throw noSora(requested, "it is not a model of this catalog");
		}
		return requested;
	}

	private OpenAiException noSora(String requested, String why) {
		String replacement = this.catalog.defaultModel();
		return OpenAiException.invalid("model", "model_not_found", "The model '" + requested + "' is OpenAI's and "
				+ "cannot run here (" + why + "). Send a model of Reelay's catalog instead, such as '" + replacement
				+ "' (GET /api/v1/models lists them), or ask the operator to alias '" + requested
				+ "' to one (reelay.openai.model-aliases).");
	}

	private static @Nullable Integer seconds(ModelSpec model, @Nullable String value) {
		String seconds = blankToNull(value);
		if (seconds == null) {
			return null;
		}
		List<String> allowed = model.durations().stream().map(String::valueOf).toList();
		if (!SECONDS.matcher(seconds).matches() || !allowed.contains(String.valueOf(Integer.parseInt(seconds)))) {
			throw OpenAiException.invalid("seconds", "invalid_value", "Invalid value for 'seconds': " + model.id()
					+ " makes clips of '" + String.join("', '", allowed) + "' seconds; got '" + seconds + "'.");
		}
		return Integer.parseInt(seconds);
	}

	private static @Nullable String blankToNull(@Nullable String value) {
		return (value == null || value.isBlank()) ? null : value.strip();
	}

}
