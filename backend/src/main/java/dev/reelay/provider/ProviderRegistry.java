package dev.reelay.provider;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

	ProviderRegistry(ProviderSettings settings, List<ProviderFamily> families) {
		this.settings = settings;
		this.families = families.stream().collect(Collectors.toMap(ProviderFamily::name, Function.identity()));
		settings.instances().forEach((name, instance) -> {
			if (!this.families.containsKey(instance.family())) {
				throw new IllegalStateException("Provider instance '" + name + "' names unknown family '"
						+ instance.family() + "'; known: " + this.families.keySet());
			}
		});
	}

	public VideoProvider get(String instance) {
		return this.built.computeIfAbsent(instance, (name) -> {
			ProviderSettings.Instance config = this.settings.instances().get(name);
			if (config == null || !isAvailable(name)) {
				throw new UnknownProviderException(name);
			}
			return this.families.get(config.family()).create(name, config);
		});
	}

	/** Names of the configured instances that are switched on. */
	public List<String> enabledInstances() {
		return this.settings.instances().entrySet().stream()
			.filter((entry) -> entry.getValue().enabled())
			.map(Map.Entry::getKey)
			.sorted()
			.toList();
	}

	/** Configured, enabled, and holding the API key its family needs: jobs may be sent to it. */
	public boolean isAvailable(String instance) {
		ProviderSettings.Instance config = this.settings.instances().get(instance);
		return config != null && config.enabled() && !lacksApiKey(instance);
	}

	/** True when {@code instance} is configured without the API key its family needs. */
	public boolean lacksApiKey(String instance) {
		ProviderSettings.Instance config = this.settings.instances().get(instance);
		if (config == null) {
			return false;
		}
		String key = config.apiKey();
		return (key == null || key.isBlank()) && this.families.get(config.family()).needsApiKey(config);
	}

	/** The configured instance names, in configuration order. */
	public Set<String> names() {
		return Collections.unmodifiableSet(this.settings.instances().keySet());
	}

	public ProviderSettings.Instance settings(String instance) {
		ProviderSettings.Instance config = this.settings.instances().get(instance);
		if (config == null) {
			throw new UnknownProviderException(instance);
		}
		return config;
	}

}
