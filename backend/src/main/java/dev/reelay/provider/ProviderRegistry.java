package dev.reelay.provider;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.stereotype.Component;

/** Provider instances by name, each built once by its family from configuration. */
@Component
public class ProviderRegistry {

	private final ProviderSettings settings;

	private final Map<String, ProviderFamily> families;

	private final Map<String, VideoProvider> built = new ConcurrentHashMap<>();

	private final InstanceBreakers breakers;

	ProviderRegistry(ProviderSettings settings, List<ProviderFamily> families, InstanceBreakers breakers) {
		this.settings = settings;
		this.breakers = breakers;
		this.families = families.stream().collect(Collectors.toMap(ProviderFamily::name, Function.identity()));
		settings.instances().forEach((name, instance) -> {
			if (!this.families.containsKey(instance.family())) {
				throw new IllegalStateException("Provider instance '" + name + "' names unknown family '"
						+ instance.family() + "'; known: " + this.families.keySet());
			}
			if (isAvailable(name)) {
				// Built now so a misconfigured instance stops startup instead of failing every job sent to it.
				get(name);
			}
		});
	}

	public VideoProvider get(String instance) {
		return this.built.computeIfAbsent(instance, (name) -> {
			ProviderSettings.Instance config = this.settings.instances().get(name);
			if (config == null || !available(config)) {
				throw new UnknownProviderException(name);
			}
			// Every call feeds the instance's circuit breaker, whoever makes it.
			return new BreakerFedProvider(this.families.get(config.family()).create(name, config), name, this.breakers);
		});
	}

	/** Names of the instances that can take jobs here (see {@link #isAvailable}), the ones to dispatch for. */
	public List<String> enabledInstances() {
		return this.settings.instances().entrySet().stream()
			.filter((entry) -> available(entry.getValue()))
			.map(Map.Entry::getKey)
			.sorted()
			.toList();
	}

	/**
	 * Configured, enabled, with a key, and its family has no objection (see
	 * {@link ProviderFamily#unavailableReason}); a model on any other instance cannot take jobs here.
	 */
	public boolean isAvailable(String instance) {
		ProviderSettings.Instance config = this.settings.instances().get(instance);
		return config != null && available(config);
	}

	/** Why a configured, enabled instance with a key cannot take jobs here anyway; empty when it can. */
	public Optional<String> unavailableReason(String instance) {
		ProviderSettings.Instance config = this.settings.instances().get(instance);
		return (config != null) ? this.families.get(config.family()).unavailableReason(config) : Optional.empty();
	}

	private boolean available(ProviderSettings.Instance config) {
		return config.usable() && this.families.get(config.family()).unavailableReason(config).isEmpty();
	}

	public ProviderSettings.Instance settings(String instance) {
		ProviderSettings.Instance config = this.settings.instances().get(instance);
		if (config == null) {
			throw new UnknownProviderException(instance);
		}
		return config;
	}

}
