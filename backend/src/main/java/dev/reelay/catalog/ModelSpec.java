package dev.reelay.catalog;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One model as clients see it: the id they send, what it can do, what it costs, when it was retired, and the
 * routes that serve it. A model with no {@code routes} list has one route, from its own {@code provider},
 * {@code remoteModel} (another remote name when it starts from an image, as some providers split the two) and
 * {@code price}; with {@code routes}, those fields may be left out and {@link #provider()} and the rest answer for
 * the first route.
 * {@code replacedBy} names the catalog model to use instead once it is retired; {@code liveRemoteModel} is a
 * current id the operator names for a model its provider retired under the old one (Google shut the Gemini API's
 * Veo ids without naming successors): set, the model (with no routes list) is live again under that id.
 */
public record ModelSpec(String id, String displayName, @Nullable String provider, @Nullable String remoteModel,
		@Nullable String imageRemoteModel, List<Integer> durations, List<String> aspectRatios,
		List<String> resolutions, @DefaultValue Map<String, List<Integer>> durationsByResolution,
		@DefaultValue List<ImageInputKind> imageInputs, @DefaultValue("false") boolean imageRequired,
		@DefaultValue("false") boolean remix, @DefaultValue("false") boolean audio,
		@DefaultValue("2000") int maxPromptLength, @Nullable Price price, @Nullable LocalDate retiredOn,
		@Nullable String notes, @Nullable String replacedBy, @Nullable String liveRemoteModel,
		@DefaultValue List<Route> routes) {

	/** The bound constructor (the other one is a shorthand). */
	@ConstructorBinding
	public ModelSpec {
	}

	/** A model as configured before it had routes: its one route is its own provider and remote model. */
	public ModelSpec(String id, String displayName, String provider, String remoteModel,
			@Nullable String imageRemoteModel, List<Integer> durations, List<String> aspectRatios,
			List<String> resolutions, Map<String, List<Integer>> durationsByResolution,
			List<ImageInputKind> imageInputs, boolean imageRequired, boolean remix, boolean audio, int maxPromptLength,
			@Nullable Price price, @Nullable LocalDate retiredOn, @Nullable String notes) {
		this(id, displayName, provider, remoteModel, imageRemoteModel, durations, aspectRatios, resolutions,
				durationsByResolution, imageInputs, imageRequired, remix, audio, maxPromptLength, price, retiredOn, notes,
				null, null, List.of());
	}

	/**
	 * The routes in the operator's order: as configured, else the model's own provider and remote model as its one
	 * route (a model configured before routes existed behaves as it did).
	 */
	@Override
	public List<Route> routes() {
		if (!this.routes.isEmpty()) {
			return this.routes;
		}
		if (this.provider == null || this.remoteModel == null) {
			throw new IllegalStateException("Model '" + this.id + "' names neither a provider and remote-model nor routes");
		}
		if (hasLiveRemoteModel()) {
			return List.of(new Route(this.provider, this.liveRemoteModel.strip(), null, this.price, null, null, null));
		}
		return List.of(new Route(this.provider, this.remoteModel, this.imageRemoteModel, this.price, null, null, null));
	}

	private boolean hasLiveRemoteModel() {
		return this.liveRemoteModel != null && !this.liveRemoteModel.isBlank();
	}

	/** The first route's provider instance: where a model with one route always goes. */
	@Override
	public String provider() {
		return routes().get(0).provider();
	}

	@Override
	public String remoteModel() {
		return routes().get(0).remoteModel();
	}

	/** The model's list price: its own, else its first route's. */
	@Override
	public @Nullable Price price() {
		return (this.price != null) ? this.price : routes().get(0).price();
	}

	/** What a job costs through {@code route}: the route's price, else the model's own. */
	public @Nullable Price priceOf(Route route) {
		return (route.price() != null) ? route.price() : this.price;
	}

	/** The route through {@code instance}, if the model has one there. */
	public java.util.Optional<Route> route(String instance) {
		return routes().stream().filter((route) -> route.provider().equals(instance)).findFirst();
	}

	/** Whether {@code instance} serves this model (its retirement aside). */
	public boolean servedBy(String instance) {
		return route(instance).isPresent();
	}

	/** Retired itself, or every route it had is. */
	public boolean isRetired(LocalDate today) {
		return (this.retiredOn != null && !today.isBefore(this.retiredOn) && !hasLiveRemoteModel())
				|| routes().stream().allMatch((route) -> route.isRetired(today));
	}

	/** The day it stopped taking jobs: its own, else (when every route is retired) the last route's. */
	@Override
	public @Nullable LocalDate retiredOn() {
		if (this.retiredOn != null || this.routes.isEmpty()
				|| this.routes.stream().anyMatch((route) -> route.retiredOn() == null)) {
			return this.retiredOn;
		}
		return this.routes.stream().map(Route::retiredOn).filter(java.util.Objects::nonNull)
			.max(java.util.Comparator.naturalOrder()).orElse(null);
	}

	/** The remote model to ask the first route for, which may differ when the job starts from an image. */
	public String remoteModelFor(boolean withImage) {
		return routes().get(0).remoteModelFor(withImage);
	}

	/** The remote model to ask {@code instance} for (its route's), else the first route's. */
	public String remoteModelFor(String instance, boolean withImage) {
		return route(instance).orElse(routes().get(0)).remoteModelFor(withImage);
	}

	/** The durations allowed at a resolution: some models make long or sharp clips, not both. */
	public List<Integer> durationsAt(String resolution) {
		return this.durationsByResolution.getOrDefault(resolution, this.durations);
	}

	/**
	 * One way to run the model: a provider instance, the model's name there (and for jobs from an image), its
	 * price there (the model's own when not given), since when the route is retired (a provider shut the remote
	 * model down; the model lives on through its other routes), and its place in the operator's order ({@code
	 * priority}: lower goes first; routes of equal priority are ordered by health, then price).
	 */
	public record Route(String provider, String remoteModel, @Nullable String imageRemoteModel, @Nullable Price price,
			@Nullable LocalDate retiredOn, @Nullable Integer priority, @Nullable String notes,
			@DefaultValue List<Integer> durations, @DefaultValue List<String> resolutions,
			@DefaultValue List<ImageInputKind> imageInputs) {

		/** The bound constructor (the other one is a shorthand). */
		@ConstructorBinding
		public Route {
		}

		/** A route that can do whatever its model can. */
		public Route(String provider, String remoteModel, @Nullable String imageRemoteModel, @Nullable Price price,
				@Nullable LocalDate retiredOn, @Nullable Integer priority, @Nullable String notes) {
			this(provider, remoteModel, imageRemoteModel, price, retiredOn, priority, notes, List.of(), List.of(),
					List.of());
		}

		/**
		 * Whether this route can make a job of {@code model} at {@code resolution} and {@code seconds}, starting from
		 * an image of kind {@code image} (null: none). A route narrows its model's capabilities where it lists its own
		 * {@code durations}, {@code resolutions} or {@code imageInputs}.
		 */
		public boolean takes(ModelSpec model, String resolution, int seconds, @Nullable ImageInputKind image) {
			return resolutionsOf(model).contains(resolution) && durationsOf(model, resolution).contains(seconds)
					&& (image == null || imageInputsOf(model).contains(image));
		}

		public List<String> resolutionsOf(ModelSpec model) {
			return this.resolutions.isEmpty() ? model.resolutions()
					: this.resolutions.stream().filter(model.resolutions()::contains).toList();
		}

		public List<Integer> durationsOf(ModelSpec model, String resolution) {
			List<Integer> durations = model.durationsAt(resolution);
			return this.durations.isEmpty() ? durations : this.durations.stream().filter(durations::contains).toList();
		}

		public List<ImageInputKind> imageInputsOf(ModelSpec model) {
			return this.imageInputs.isEmpty() ? model.imageInputs() : this.imageInputs;
		}

		public String remoteModelFor(boolean withImage) {
			return (withImage && this.imageRemoteModel != null) ? this.imageRemoteModel : this.remoteModel;
		}

		public boolean isRetired(LocalDate today) {
			return this.retiredOn != null && !today.isBefore(this.retiredOn);
		}

	}

	/** How a model takes a starting image: uploaded to Reelay, or as a URL the provider fetches. */
	public enum ImageInputKind {

		UPLOAD, URL

	}

	/**
	 * List price: per second of video by resolution, or per clip. Indicative only; the provider's bill is the truth.
	 */
	public record Price(@DefaultValue("USD") String currency, @DefaultValue Map<String, Double> perSecond,
			@Nullable Double perClip) {

		/**
		 * A clip's price: per clip, or per second at {@code resolution} (the dearest listed rate for a resolution the
		 * list forgot, so a budget errs towards caution) times {@code seconds}; null when the list has no rate.
		 * Doubles from YAML are turned into the decimals they were written as before any arithmetic.
		 */
		public java.math.@Nullable BigDecimal estimate(String resolution, int seconds) {
			if (this.perClip != null) {
				return java.math.BigDecimal.valueOf(this.perClip);
			}
			Double rate = this.perSecond.get(resolution);
			if (rate == null) {
				rate = this.perSecond.values().stream().max(java.util.Comparator.naturalOrder()).orElse(null);
			}
			return (rate != null) ? java.math.BigDecimal.valueOf(rate).multiply(java.math.BigDecimal.valueOf(seconds))
					: null;
		}

	}

}
