package dev.reelay.catalog;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import dev.reelay.provider.ProviderRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/models}: what can be asked for, and whether it can be asked for here and now. */
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
			return new ModelView(model.id(), model.displayName(), model.provider(), status, model.retiredOn(),
					model.durations(), model.aspectRatios(), model.resolutions(), model.maxPromptLength(), model.notes());
		}).toList());
	}

	record ModelList(String defaultModel, List<ModelView> data) {
	}

	record ModelView(String id, String displayName, String provider, String status, @Nullable LocalDate retiredOn,
			List<Integer> durations, List<String> aspectRatios, List<String> resolutions, int maxPromptLength,
			@Nullable String notes) {
	}

}
