package dev.reelay.catalog;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import dev.reelay.provider.FamilyTraits;
import dev.reelay.provider.InstanceBreakers;
import dev.reelay.provider.ProviderInstances;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * Which route of a model a job should take: among the routes that can take jobs here (instance available, route
 * not retired), the operator's order ({@code priority}, lower first), then health (a closed circuit breaker before
 * a half-open one, an open one last), then price for the job, then the order the routes are listed in. Limits are
 * the dispatcher's part: a route whose window is full is passed over there, at claim time.
 */
@Component
public class RouteChoice {

	private final ProviderInstances providers;

	private final InstanceBreakers breakers;

	RouteChoice(ProviderInstances providers, InstanceBreakers breakers) {
		this.providers = providers;
		this.breakers = breakers;
	}

	/**
	 * The usable routes of {@code model} for a job at {@code resolution} and {@code seconds}, from an image of kind
	 * {@code image} (null: none), best first.
	 */
	public List<ModelSpec.Route> ranked(ModelSpec model, String resolution, int seconds,
			ModelSpec.@Nullable ImageInputKind image) {
		LocalDate today = LocalDate.now(ZoneOffset.UTC);
		List<ModelSpec.Route> routes = model.routes();
		return routes.stream()
			.filter((route) -> !route.isRetired(today) && this.providers.isAvailable(route.provider())
					&& route.takes(model, resolution, seconds, image) && familyTakes(route.provider(), image))
			.sorted(Comparator.<ModelSpec.Route>comparingInt((route) -> (route.priority() != null) ? route.priority() : 0)
				.thenComparing((route) -> this.breakers.status(route.provider()).state())
				.thenComparing((route) -> price(model, route, resolution, seconds),
						Comparator.nullsLast(Comparator.naturalOrder()))
				.thenComparingInt(routes::indexOf))
			.toList();
	}

	/**
	 * The best route for a new job: the first in {@link #ranked} order whose breaker admits submissions now, else
	 * (every breaker open) simply the first; empty when none can take jobs here.
	 */
	public Optional<ModelSpec.Route> first(ModelSpec model, String resolution, int seconds,
			ModelSpec.@Nullable ImageInputKind image) {
		List<ModelSpec.Route> ranked = ranked(model, resolution, seconds, image);
		return ranked.stream()
			.filter((route) -> this.breakers.admits(route.provider()))
			.findFirst()
			.or(() -> ranked.stream().findFirst());
	}

	/**
	 * The best route after a refusal on some: one not in {@code tried} (routes already sent this job) whose breaker
	 * admits submissions now; empty when none is left.
	 */
	public Optional<ModelSpec.Route> next(ModelSpec model, String resolution, int seconds,
			ModelSpec.@Nullable ImageInputKind image, Collection<String> tried) {
		return ranked(model, resolution, seconds, image).stream()
			.filter((route) -> !tried.contains(route.provider()) && this.breakers.admits(route.provider()))
			.findFirst();
	}

	/**
	 * Whether the family behind {@code provider} takes a starting image of this kind: an operator's catalog entry may
	 * offer one (say, as a URL) that the family cannot take, and such a job is better refused now, naming the image,
	 * than accepted and refused by the adapter at submission. (The shipped catalog is checked by CatalogTraitsTests.)
	 */
	private boolean familyTakes(String provider, ModelSpec.@Nullable ImageInputKind image) {
		return image == null || this.providers.traits(provider)
			.map((traits) -> traits.images().contains(FamilyTraits.ImageSource.valueOf(image.name())))
			.orElse(false);
	}

	/** What a job costs through {@code route}; null when neither route nor model has a price. */
	public static @Nullable BigDecimal price(ModelSpec model, ModelSpec.Route route, String resolution, int seconds) {
		ModelSpec.Price price = model.priceOf(route);
		return (price != null) ? price.estimate(resolution, seconds) : null;
	}

}
