package dev.reelay.dispatch;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.reelay.catalog.ModelCatalog;
import dev.reelay.catalog.ModelSpec;
import dev.reelay.job.JobQueue;
import dev.reelay.provider.FamilyTraits;
import dev.reelay.provider.ProviderInstances;
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

	private final ProviderInstances instances;

	RouteMoves(ModelCatalog catalog, ProviderRegistry providers, ProviderInstances instances) {
		this.catalog = catalog;
		this.providers = providers;
		this.instances = instances;
	}

	/**
	 * Model id to what {@code instance} may take over: the waiting jobs of the model's other routes that its route can
	 * make; empty when none.
	 */
	Map<String, JobQueue.Move> into(String instance) {
		if (!this.providers.isAvailable(instance)) {
			return Map.of();
		}
		LocalDate today = LocalDate.now(ZoneOffset.UTC);
		// Once per call (every claim turn), not per model: a task-API family works its traits out from its file.
		Set<FamilyTraits.ImageSource> family = this.instances.traits(instance).map(FamilyTraits::images)
			.orElse(Set.of());
		Map<String, JobQueue.Move> moves = new LinkedHashMap<>();
		for (ModelSpec model : this.catalog.all()) {
			List<ModelSpec.Route> routes = model.routes();
			if (routes.size() < 2 || model.isRetired(today)
					|| model.route(instance).map((route) -> route.isRetired(today)).orElse(true)) {
				continue;
			}
			ModelSpec.Route route = model.route(instance).orElseThrow();
			List<String> shapes = route.resolutionsOf(model).stream()
				.flatMap((resolution) -> route.durationsOf(model, resolution).stream()
					.map((seconds) -> JobQueue.Move.shape(resolution, seconds)))
				.toList();
			// A starting image only as the route offers it and its family takes it (see RouteChoice.familyTakes).
			List<ModelSpec.ImageInputKind> images = route.imageInputsOf(model);
			moves.put(model.id(), new JobQueue.Move(routes.stream()
				.map(ModelSpec.Route::provider)
				.filter((other) -> !other.equals(instance))
				.toList(), shapes,
					images.contains(ModelSpec.ImageInputKind.URL) && family.contains(FamilyTraits.ImageSource.URL),
					images.contains(ModelSpec.ImageInputKind.UPLOAD)
							&& family.contains(FamilyTraits.ImageSource.UPLOAD),
					Instant.EPOCH));
		}
		return moves;
	}

}
