package dev.reelay.provider;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * The adapters of the provider instances, each built once by its family from configuration: the port the
 * dispatcher drives. Everyone else reads {@link ProviderInstances}.
 */
@Component
public class ProviderRegistry {

	private final ProviderInstances instances;

	private final Map<String, VideoProvider> built = new ConcurrentHashMap<>();

	private final InstanceBreakers breakers;

	ProviderRegistry(ProviderInstances instances, InstanceBreakers breakers) {
		this.instances = instances;
		this.breakers = breakers;
		// Built now so a misconfigured instance stops startup instead of failing every job sent to it.
		instances.enabledInstances().forEach(this::get);
	}

	public VideoProvider get(String instance) {
		return this.built.computeIfAbsent(instance, (name) -> {
			if (!this.instances.isAvailable(name)) {
				throw new UnknownProviderException(name);
			}
			ProviderSettings.Instance config = this.instances.settings(name);
			// Every call feeds the instance's circuit breaker, whoever makes it.
			return new BreakerFedProvider(this.instances.family(config).create(name, config), name, this.breakers);
		});
	}

	/** See {@link ProviderInstances#enabledInstances}. */
	public List<String> enabledInstances() {
		return this.instances.enabledInstances();
	}

	/** See {@link ProviderInstances#isAvailable}. */
	public boolean isAvailable(String instance) {
		return this.instances.isAvailable(instance);
	}

	/** See {@link ProviderInstances#unavailableReason}. */
	public Optional<String> unavailableReason(String instance) {
		return this.instances.unavailableReason(instance);
	}

	public ProviderSettings.Instance settings(String instance) {
		return this.instances.settings(instance);
	}

}
