package dev.reelay.job.web;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.reelay.catalog.ModelCatalog;
import dev.reelay.catalog.ModelSpec;
import dev.reelay.catalog.RouteChoice;
import dev.reelay.job.CallbackUrlPolicy;
import dev.reelay.job.ImageUpload;
import dev.reelay.job.JobParameters;
import dev.reelay.job.NewJob;
import dev.reelay.provider.ProviderInstances;
import dev.reelay.support.BadRequestException;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/** Checks a job request against the catalog, naming the field and what the model accepts. */
@Component
public class JobRequestValidator {

	static final int MIN_PRIORITY = -100;

	static final int MAX_PRIORITY = 100;

	private static final Duration MAX_SCHEDULE_AHEAD = Duration.ofDays(30);

	/**
	 * The earliest not_before taken: any past instant means "now", but one before this is a mistake (year 0), and
	 * PostgreSQL cannot store the far ends of {@link Instant}'s range at all.
	 */
	public static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

	private static final int MAX_URL_LENGTH = 4096;

	private final ModelCatalog catalog;

	private final ProviderInstances providers;

	private final ObjectProvider<CallbackUrlPolicy> callbacks;

	// A provider, so that a context without the webhook module (a slice test) still validates jobs; a callback URL
	// is then refused, never stored unchecked.
	private final RouteChoice routes;

	JobRequestValidator(ModelCatalog catalog, ProviderInstances providers, ObjectProvider<CallbackUrlPolicy> callbacks,
			RouteChoice routes) {
		this.routes = routes;
		this.catalog = catalog;
		this.providers = providers;
		this.callbacks = callbacks;
	}

	NewJob validate(UUID tenant, CreateJobRequest request) {
		return validate(tenant, request, null);
	}

	NewJob validate(UUID tenant, CreateJobRequest request, @Nullable ImageUpload upload) {
		String modelId = (request.model() != null) ? request.model() : this.catalog.defaultModel();
		ModelSpec model = this.catalog.find(modelId)
			.orElseThrow(() -> new BadRequestException("model",
					"model '" + modelId + "' is not in the catalog; see GET /api/v1/models"));
		if (model.isRetired(LocalDate.now(ZoneOffset.UTC))) {
			throw new BadRequestException("model", "model '" + modelId + "' was retired on " + model.retiredOn()
					+ " and no longer accepts jobs" + ((model.replacedBy() != null)
							? "; use '" + model.replacedBy() + "' instead" : ""));
		}
		LocalDate today = LocalDate.now(ZoneOffset.UTC);
		List<ModelSpec.Route> live = model.routes().stream().filter((route) -> !route.isRetired(today)).toList();
		if (live.stream().noneMatch((route) -> this.providers.isAvailable(route.provider()))) {
			ModelSpec.Route first = live.isEmpty() ? model.routes().get(0) : live.get(0);
			throw new BadRequestException("model", "model '" + modelId + "' is served by provider '"
					+ first.provider() + "', which is not enabled here ("
					+ this.providers.unavailableReason(first.provider()).orElse("is its API key set?") + ")");
		}
		String prompt = (request.prompt() != null) ? request.prompt().strip() : "";
		if (prompt.isEmpty()) {
			throw new BadRequestException("prompt", "prompt is required");
		}
		if (prompt.length() > model.maxPromptLength()) {
			throw new BadRequestException("prompt", "prompt is " + prompt.length() + " characters; " + modelId
					+ " accepts at most " + model.maxPromptLength());
		}
		text("prompt", prompt);
		String negativePrompt = blankToNull(request.negativePrompt());
		if (negativePrompt != null) {
			text("negative_prompt", negativePrompt);
			if (negativePrompt.length() > model.maxPromptLength()) {
				throw new BadRequestException("negative_prompt", "negative_prompt is " + negativePrompt.length()
						+ " characters; " + modelId + " accepts at most " + model.maxPromptLength());
			}
		}
		String resolution = pick("resolution", "resolutions", modelId, request.resolution(), model.resolutions());
		String aspectRatio = pick("aspect_ratio", "aspect ratios", modelId, request.aspectRatio(), model.aspectRatios());
		int duration = duration(model, request.durationSeconds(), resolution);
		JobParameters.ImageRef image = image(model, request.image(), upload);
		if (request.remixOf() != null && !model.remix()) {
			throw new BadRequestException("remix_of", modelId + " cannot remix videos");
		}
		if (request.remixOf() != null && image != null) {
			throw new BadRequestException("image", "a remix starts from its source video, not from an image");
		}
		int priority = (request.priority() != null) ? request.priority() : 0;
		if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
			throw new BadRequestException("priority", "priority must be between " + MIN_PRIORITY + " and "
					+ MAX_PRIORITY + " (higher runs first); got " + priority);
		}
		Instant notBefore = request.notBefore();
		if (notBefore != null && notBefore.isBefore(EARLIEST)) {
			throw new BadRequestException("not_before",
					"not_before may not be before " + EARLIEST + " (a past instant runs the job now); got " + notBefore);
		}
		if (notBefore != null && notBefore.isAfter(Instant.now().plus(MAX_SCHEDULE_AHEAD))) {
			throw new BadRequestException("not_before",
					"not_before may be at most " + MAX_SCHEDULE_AHEAD.toDays() + " days ahead; got " + notBefore);
		}
		String callbackUrl = callbackUrl(request.callbackUrl());
		// The best route now; the dispatcher may still move the job to another before it is sent (RouteChoice).
		ModelSpec.ImageInputKind imageKind = (image == null) ? null
				: (image.url() != null) ? ModelSpec.ImageInputKind.URL : ModelSpec.ImageInputKind.UPLOAD;
		String route = this.routes.first(model, resolution, duration, imageKind)
			.map(ModelSpec.Route::provider)
			.orElseThrow(() -> new BadRequestException("model", "no route of model '" + modelId
					+ "' enabled here takes a " + duration + " s clip at " + resolution
					+ ((imageKind != null) ? " from an image " + ((imageKind == ModelSpec.ImageInputKind.URL)
							? "URL" : "upload") : "") + "; see GET /api/v1/models for its routes"));
		return new NewJob(tenant, modelId, route, prompt, new JobParameters(duration, aspectRatio,
				resolution, negativePrompt, request.seed(), image, request.remixOf(), callbackUrl), priority,
				notBefore, upload);
	}

	private @Nullable String callbackUrl(@Nullable String url) {
		if (url == null || url.isBlank()) {
			return null;
		}
		CallbackUrlPolicy policy = this.callbacks.getIfAvailable();
		if (policy == null) {
			throw new BadRequestException("callback_url", "callback_url is not accepted: webhooks are not set up here");
		}
		try {
			return policy.check(url);
		}
		catch (IllegalArgumentException ex) {
			// The policy's message never repeats the URL, which may carry a token.
			throw new BadRequestException("callback_url", "callback_url " + ex.getMessage());
		}
	}

	/** Some models make long clips or sharp ones, not both (Veo: 1080p and 4k only at 8 s). */
	private static int duration(ModelSpec model, @Nullable Integer requested, String resolution) {
		List<Integer> allowed = model.durationsAt(resolution);
		if (requested == null) {
			return allowed.contains(model.durations().get(0)) ? model.durations().get(0) : allowed.get(0);
		}
		if (!model.durations().contains(requested)) {
			throw new BadRequestException("duration_seconds", model.id() + " supports durations "
					+ join(model.durations()) + "; got " + requested);
		}
		if (!allowed.contains(requested)) {
			throw new BadRequestException("duration_seconds", model.id() + " supports only durations "
					+ join(allowed) + " at " + resolution + "; got " + requested);
		}
		return requested;
	}

	private static JobParameters.@Nullable ImageRef image(ModelSpec model, @Nullable String url,
			@Nullable ImageUpload upload) {
		if (url == null && upload == null) {
			if (model.imageRequired()) {
				throw new BadRequestException("image", model.id() + " makes videos from an image; send one");
			}
			return null;
		}
		if (model.imageInputs().isEmpty()) {
			throw new BadRequestException("image", model.id() + " does not take an image");
		}
		ModelSpec.ImageInputKind kind = (upload != null) ? ModelSpec.ImageInputKind.UPLOAD : ModelSpec.ImageInputKind.URL;
		if (!model.imageInputs().contains(kind)) {
			throw new BadRequestException("image", model.id() + " takes an image only as "
					+ ((kind == ModelSpec.ImageInputKind.UPLOAD) ? "a URL the provider can fetch" : "an uploaded file"));
		}
		if (upload != null) {
			return new JobParameters.ImageRef(null, upload.contentType(), (long) upload.bytes().length);
		}
		return new JobParameters.ImageRef(checkedUrl(url), null, null);
	}

	private static String checkedUrl(String url) {
		String trimmed = url.strip();
		try {
			URI uri = URI.create(trimmed);
			String scheme = (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : "";
			if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null
					|| trimmed.length() > MAX_URL_LENGTH) {
				throw new IllegalArgumentException();
			}
			return trimmed;
		}
		catch (IllegalArgumentException ex) {
			throw new BadRequestException("image",
					"image must be an http(s) URL (or an uploaded file in a multipart request)");
		}
	}

	/**
	 * Prompts are text: control characters other than tabs and line breaks are mistakes (and PostgreSQL cannot even
	 * store a NUL), so they are refused rather than stripped behind the user's back.
	 */
	private static void text(String field, String value) {
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
				throw new BadRequestException(field, field + " contains a control character (U+"
						+ String.format("%04X", (int) c) + ") at position " + i);
			}
		}
	}

	/** The requested value if the model supports it, else the model's first (default) value when none was sent. */
	private static <T> T pick(String field, String what, String model, @Nullable T requested, List<T> supported) {
		if (requested == null) {
			return supported.get(0);
		}
		if (!supported.contains(requested)) {
			throw new BadRequestException(field,
					model + " supports " + what + " " + join(supported) + "; got " + requested);
		}
		return requested;
	}

	private static String join(List<?> values) {
		return values.stream().map(String::valueOf).collect(Collectors.joining(", "));
	}

	private static @Nullable String blankToNull(@Nullable String value) {
		return (value == null || value.isBlank()) ? null : value.strip();
	}

}
