package dev.reelay.provider;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.modulith.NamedInterface;
import org.springframework.stereotype.Component;

/**
 * The configured provider instances, read only: which can take jobs here, why not, their settings and what their
 * family can do. What validation, the catalog and budgets see of providers; only the dispatcher (through
 * {@link ProviderRegistry}) and the webhook verifiers ({@link ProviderWebhooks}) get adapters.
 */
@NamedInterface({ "view", "webhooks" })
@Component
public class ProviderInstances {

	private final ProviderSettings settings;

	private final Map<String, ProviderFamily> families;

	ProviderInstances(ProviderSettings settings, List<ProviderFamily> families) {
		this.settings = settings;
		this.families = families.stream().collect(Collectors.toMap(ProviderFamily::name, Function.identity()));
		settings.instances().forEach((name, instance) -> {
			if (!this.families.containsKey(instance.family())) {
				throw new IllegalStateException("Provider instance '" + name + "' names unknown family '"
						+ instance.family() + "'; known: " + this.families.keySet());
			}
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
		return (config != null) ? family(config).unavailableReason(config) : Optional.empty();
	}

	public ProviderSettings.Instance settings(String instance) {
		ProviderSettings.Instance config = this.settings.instances().get(instance);
		if (config == null) {
			throw new UnknownProviderException(instance);
		}
		return config;
	}

	/** What the instance's family can do there; empty for an instance not configured. */
	public Optional<FamilyTraits> traits(String instance) {
		ProviderSettings.Instance config = this.settings.instances().get(instance);
		return (config != null) ? Optional.of(family(config).traits(instance, config)) : Optional.empty();
	}

	ProviderFamily family(ProviderSettings.Instance config) {
		return this.families.get(config.family());
	}

	private boolean available(ProviderSettings.Instance config) {
		return config.usable() && family(config).unavailableReason(config).isEmpty();
	}

}
