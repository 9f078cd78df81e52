package dev.reelay.catalog;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.reelay.provider.InstanceBreakers;
import dev.reelay.provider.ProviderInstances;
import dev.reelay.provider.ProviderSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * Whether a provider instance takes jobs, and why not, from configuration and the catalog alone: the one answer the
 * page, the provider list and the health endpoint all give.
 */
@Component
public class ProviderStates {

	public enum Kind {

		ENABLED, DISABLED, RETIRED

	}

	/**
	 * {@code simulator}: this Reelay's own stand-in, which needs no key and costs nothing. {@code breaker}: its
	 * circuit breaker, open while its calls keep failing (jobs then take other routes).
	 */
	public record State(Kind kind, String reason, boolean simulator, List<String> models,
			InstanceBreakers.Status breaker) {

		public State(Kind kind, String reason, boolean simulator, List<String> models) {
			this(kind, reason, simulator, models, new InstanceBreakers.Status(InstanceBreakers.State.CLOSED, 0, null));
		}

	}

	private final ProviderSettings settings;

	private final ModelCatalog catalog;

	private final ProviderInstances providers;

	private final InstanceBreakers breakers;

	ProviderStates(ProviderSettings settings, ModelCatalog catalog, ProviderInstances providers,
			InstanceBreakers breakers) {
		this.settings = settings;
		this.breakers = breakers;
		this.catalog = catalog;
		this.providers = providers;
	}

	public State of(String name) {
		State state = stateOf(name);
		return new State(state.kind(), state.reason(), state.simulator(), state.models(), this.breakers.status(name));
	}

	private State stateOf(String name) {
		ProviderSettings.Instance instance = this.settings.instances().get(name);
		List<ModelSpec> served = this.catalog.all().stream().filter((model) -> model.servedBy(name)).toList();
		List<String> models = served.stream().map(ModelSpec::id).toList();
		if (instance == null) {
			return new State(Kind.DISABLED, "not configured", false, models);
		}
		boolean simulator = isSimulator(instance);
		if (!instance.enabled()) {
			return new State(Kind.DISABLED, "turned off in configuration (enabled: false)", simulator, models);
		}
		if (!instance.usable()) {
			return new State(Kind.DISABLED, "no API key (REELAY_PROVIDERS_INSTANCES_"
					+ name.toUpperCase(Locale.ROOT).replace('-', '_') + "_API_KEY)", simulator, models);
		}
		Optional<String> unavailable = this.providers.unavailableReason(name);
		if (unavailable.isPresent()) {
			return new State(Kind.DISABLED, unavailable.get(), simulator, models);
		}
		LocalDate today = LocalDate.now(ZoneOffset.UTC);
		if (!served.isEmpty() && served.stream()
			.allMatch((model) -> model.isRetired(today) || model.route(name).orElseThrow().isRetired(today))) {
			return new State(Kind.RETIRED, "every model it serves is retired", simulator, models);
		}
		return new State(Kind.ENABLED, simulator ? "built-in simulator, no key needed" : "taking jobs", simulator,
				models);
	}

	// A blank base URL on openai-videos is this Reelay's own simulator (see ProviderSettings).
	private static boolean isSimulator(ProviderSettings.Instance instance) {
		return "openai-videos".equals(instance.family()) && isBlank(instance.baseUrl());
	}

	private static boolean isBlank(@Nullable String value) {
		return value == null || value.isBlank();
	}

}
