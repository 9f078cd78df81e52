package dev.reelay.catalog;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.reelay.provider.InstanceBreakers;
import dev.reelay.provider.ProviderInstances;
import org.jspecify.annotations.Nullable;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/models}: what can be asked for, what it costs, and whether it can be asked for here and now. */
@RestController
class ModelController {

	private final ModelCatalog catalog;

	private final ProviderInstances providers;

	private final InstanceBreakers breakers;

	private final RouteChoice choice;

	ModelController(ModelCatalog catalog, ProviderInstances providers, InstanceBreakers breakers, RouteChoice choice) {
		this.catalog = catalog;
		this.providers = providers;
		this.breakers = breakers;
		this.choice = choice;
	}

	@GetMapping("/api/v1/models")
	ModelList models() {
		LocalDate today = LocalDate.now(ZoneOffset.UTC);
		return new ModelList(this.catalog.defaultModel(), this.catalog.all().stream().map((model) -> {
			List<RouteView> routes = routes(model, today);
			String status = model.isRetired(today) ? "retired"
					: (routes.stream().anyMatch((route) -> route.status().equals("available")) ? "available" : "disabled");
			Capabilities capabilities = new Capabilities(model.durations(), model.aspectRatios(), model.resolutions(),
					model.durationsByResolution(),
					model.imageInputs().stream().map((kind) -> kind.name().toLowerCase(Locale.ROOT)).toList(),
					model.imageRequired(), model.remix(), model.audio(), model.maxPromptLength());
			return new ModelView(model.id(), model.displayName(), model.provider(), model.remoteModelFor(false), status,
					model.retiredOn(), capabilities, model.durations(), model.aspectRatios(), model.resolutions(),
					model.maxPromptLength(), model.price(), model.notes(), routes);
		}).toList());
	}

	/** Every route in the order a job would try them now ({@code rank} from 1; unusable ones last, unranked). */
	private List<RouteView> routes(ModelSpec model, LocalDate today) {
		// The order a plain job (the first resolution and duration, no image) would try them in now.
		String resolution = model.resolutions().isEmpty() ? "" : model.resolutions().get(0);
		List<Integer> durations = model.durationsAt(resolution);
		List<ModelSpec.Route> ranked = this.choice.ranked(model, resolution, durations.isEmpty() ? 0 : durations.get(0),
				null);
		return model.routes().stream().map((route) -> {
			InstanceBreakers.Status breaker = this.breakers.status(route.provider());
			String status = route.isRetired(today) ? "retired"
					: (this.providers.isAvailable(route.provider()) ? "available" : "disabled");
			int rank = ranked.indexOf(route);
			return new RouteView(route.provider(), route.remoteModel(), route.imageRemoteModel(), status,
					route.retiredOn(), (rank >= 0) ? rank + 1 : null, route.priority(), model.priceOf(route),
					new BreakerView(breaker.state().value(), breaker.failuresInRow(), breaker.until()), route.notes());
		}).sorted(java.util.Comparator.comparing((RouteView view) -> (view.rank() != null) ? view.rank() : Integer.MAX_VALUE))
			.toList();
	}

	/**
	 * One route: the provider instance, the model's name there, whether it takes jobs here, its place in the order
	 * jobs try routes now, its price, and its instance's circuit breaker.
	 */
	record RouteView(String provider, String remoteModel, @Nullable String imageRemoteModel, String status,
			@Nullable LocalDate retiredOn, @Nullable Integer rank, @Nullable Integer priority,
			ModelSpec.@Nullable Price price, BreakerView circuitBreaker, @Nullable String notes) {
	}

	/** {@code state}: closed, open or half_open; {@code probeAt}: when an open breaker lets a probe through. */
	record BreakerView(String state, int failuresInRow, java.time.@Nullable Instant probeAt) {
	}

	record ModelList(String defaultModel, List<ModelView> data) {
	}

	/** Durations, ratios and resolutions stay at the top level too, where the page and older clients read them. */
	record ModelView(String id, String displayName, String provider, String remoteModel, String status,
			@Nullable LocalDate retiredOn, Capabilities capabilities, List<Integer> durations,
			List<String> aspectRatios, List<String> resolutions, int maxPromptLength, ModelSpec.@Nullable Price price,
			@Nullable String notes, List<RouteView> routes) {
	}

	record Capabilities(List<Integer> durations, List<String> aspectRatios, List<String> resolutions,
			Map<String, List<Integer>> durationsByResolution, List<String> imageInput, boolean imageRequired,
			boolean remix, boolean audio, int maxPromptLength) {
	}

}
