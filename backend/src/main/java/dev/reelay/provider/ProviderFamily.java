package dev.reelay.provider;

import java.util.Optional;

/** Builds adapters for one provider family's HTTP contract. */
public interface ProviderFamily {

	String name();

	VideoProvider create(String instanceName, ProviderSettings.Instance settings);

	/**
	 * Why an instance that is enabled and has a key still cannot take jobs here, in plain words; empty when it can.
	 * The built-in simulator's instance, for one, cannot while the simulator is off.
	 */
	default Optional<String> unavailableReason(ProviderSettings.Instance settings) {
		return Optional.empty();
	}

}
