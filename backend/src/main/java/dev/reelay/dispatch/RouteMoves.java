package dev.reelay.dispatch;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.reelay.catalog.ModelCatalog;
import dev.reelay.catalog.ModelSpec;
import dev.reelay.provider.ProviderRegistry;

import org.springframework.stereotype.Component;

/**
 * Which queued jobs a provider instance may take over from other routes: for each model with more than one route
 * and a live route through the instance, the model's other routes. Read from the catalog on every claim cycle.
 */
@Component
class RouteMoves {

	private final ModelCatalog catalog;

	private final ProviderRegistry providers;

	RouteMoves(ModelCatalog catalog, ProviderRegistry providers) {
		this.catalog = catalog;
		this.providers = providers;
	}

	/** Model id to the other routes' instances whose waiting jobs {@code instance} may take; empty when none. */
	Map<String, List<String>> into(String instance) {
		if (!this.providers.isAvailable(instance)) {
			return Map.of();
		}
		LocalDate today = LocalDate.now(ZoneOffset.UTC);
		Map<String, List<String>> sources = new LinkedHashMap<>();
		for (ModelSpec model : this.catalog.all()) {
			List<ModelSpec.Route> routes = model.routes();
			if (routes.size() < 2 || model.isRetired(today)
					|| model.route(instance).map((route) -> route.isRetired(today)).orElse(true)) {
				continue;
			}
			sources.put(model.id(), routes.stream()
				.map(ModelSpec.Route::provider)
				.filter((other) -> !other.equals(instance))
				.toList());
		}
		return sources;
	}

}
