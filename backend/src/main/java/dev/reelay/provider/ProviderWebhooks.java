package dev.reelay.provider;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.modulith.NamedInterface;
import org.springframework.stereotype.Component;

/**
 * The webhook verifiers of the provider instances, each built once by its family. Key fetches go through the
 * {@link ProviderCallMeter} (the dispatcher's limits and call metrics), never around them.
 */
@NamedInterface("webhooks")
@Component
public class ProviderWebhooks {

	private final ProviderInstances instances;

	private final ProviderCallMeter calls;

	private final Map<String, WebhookVerifier> built = new ConcurrentHashMap<>();

	ProviderWebhooks(ProviderInstances instances, ProviderCallMeter calls) {
		this.instances = instances;
		this.calls = calls;
	}

	/** The verifier of an instance that can take jobs here; {@link UnknownProviderException} for any other. */
	public WebhookVerifier verifier(String instance) {
		return this.built.computeIfAbsent(instance, (name) -> {
			if (!this.instances.isAvailable(name)) {
				throw new UnknownProviderException(name);
			}
			ProviderSettings.Instance config = this.instances.settings(name);
			return this.instances.family(config).webhooks(name, config, this.calls);
		});
	}

}
