package dev.reelay.catalog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.stereotype.Component;

/** Looks models up by the id clients use. */
@Component
public class ModelCatalog {

	private final Map<String, ModelSpec> models = new LinkedHashMap<>();

	private final String defaultModel;

	ModelCatalog(CatalogSettings settings) {
		settings.models().forEach((model) -> {
			if (this.models.put(model.id(), model) != null) {
				throw new IllegalStateException("The catalog lists model '" + model.id() + "' twice");
			}
		});
		// The operator's models win over shipped ones of the same id, in place, so the order stays familiar.
		settings.customModels().forEach((model) -> this.models.put(model.id(), model));
		this.models.values().forEach(ModelCatalog::checkRoutes);
		if (this.models.isEmpty()) {
			throw new IllegalStateException("The model catalog (reelay.catalog.models) is empty");
		}
		this.defaultModel = (settings.defaultModel() != null) ? settings.defaultModel()
				: this.models.keySet().iterator().next();
		if (!this.models.containsKey(this.defaultModel)) {
			throw new IllegalStateException("reelay.catalog.default-model '" + this.defaultModel + "' is not in the catalog");
		}
	}

	/** Every model has a route, and at most one through each provider instance (a job's route is its instance). */
	private static void checkRoutes(ModelSpec model) {
		List<ModelSpec.Route> routes = model.routes();
		if (routes.stream().map(ModelSpec.Route::provider).distinct().count() < routes.size()) {
			throw new IllegalStateException("Model '" + model.id() + "' lists two routes through one provider instance");
		}
	}

	public Optional<ModelSpec> find(String id) {
		return Optional.ofNullable(this.models.get(id));
	}

	public List<ModelSpec> all() {
		return List.copyOf(this.models.values());
	}

	public String defaultModel() {
		return this.defaultModel;
	}

}
