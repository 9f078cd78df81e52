package dev.reelay.catalog;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.reelay.provider.ProviderRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/models}: what can be asked for, what it costs, and whether it can be asked for here and now. */
@RestController
class ModelController {

	private final ModelCatalog catalog;

	private final ProviderRegistry providers;

	ModelController(ModelCatalog catalog, ProviderRegistry providers) {
		this.catalog = catalog;
		this.providers = providers;
	}

	@GetMapping("/api/v1/models")
	ModelList models() {
		LocalDate today = LocalDate.now(ZoneOffset.UTC);
		return new ModelList(this.catalog.defaultModel(), this.catalog.all().stream().map((model) -> {
			String status = model.isRetired(today) ? "retired"
					: (this.providers.isAvailable(model.provider()) ? "available" : "disabled");
			Capabilities capabilities = new Capabilities(model.durations(), model.aspectRatios(), model.resolutions(),
					model.durationsByResolution(),
					model.imageInputs().stream().map((kind) -> kind.name().toLowerCase(Locale.ROOT)).toList(),
					model.imageRequired(), model.remix(), model.audio(), model.maxPromptLength());
			return new ModelView(model.id(), model.displayName(), model.provider(), model.remoteModelFor(false), status,
					model.retiredOn(), capabilities, model.durations(), model.aspectRatios(), model.resolutions(),
					model.maxPromptLength(), model.price(), model.notes());
		}).toList());
	}

	record ModelList(String defaultModel, List<ModelView> data) {
	}

	/** Durations, ratios and resolutions stay at the top level too, where the page and older clients read them. */
	record ModelView(String id, String displayName, String provider, String remoteModel, String status,
			@Nullable LocalDate retiredOn, Capabilities capabilities, List<Integer> durations,
			List<String> aspectRatios, List<String> resolutions, int maxPromptLength, ModelSpec.@Nullable Price price,
			@Nullable String notes) {
	}

	record Capabilities(List<Integer> durations, List<String> aspectRatios, List<String> resolutions,
			Map<String, List<Integer>> durationsByResolution, List<String> imageInput, boolean imageRequired,
			boolean remix, boolean audio, int maxPromptLength) {
	}

}
