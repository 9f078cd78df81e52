package dev.reelay.provider;

import java.util.Optional;

/**
 * One provider family's HTTP contract: what it can do ({@link FamilyTraits}), how to build an instance's adapter for
 * the dispatcher, and how to check the instance's webhooks. Most families are declared in {@link ProviderFamilies}.
 */
public interface ProviderFamily {

	String name();

	VideoProvider create(String instanceName, ProviderSettings.Instance settings);

	/** What the instance can do; the same for every instance of most families. */
	default FamilyTraits traits(String instanceName, ProviderSettings.Instance settings) {
		return FamilyTraits.PLAIN;
	}

	/**
	 * The instance's webhook check; any key it fetches goes through {@code calls}, within the instance's limits.
	 */
	default WebhookVerifier webhooks(String instanceName, ProviderSettings.Instance settings,
			ProviderCallMeter calls) {
		return WebhookVerifier.NONE;
	}

	/**
	 * Why an instance that is enabled and has a key still cannot take jobs here, in plain words; empty when it can.
	 * The built-in simulator's instance, for one, cannot while the simulator is off.
	 */
	default Optional<String> unavailableReason(ProviderSettings.Instance settings) {
		return Optional.empty();
	}

}
