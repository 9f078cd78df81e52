package dev.reelay.provider;

/** Builds adapters for one provider family's HTTP contract. */
public interface ProviderFamily {

	String name();

	VideoProvider create(String instanceName, ProviderSettings.Instance settings);

	/**
	 * Whether an instance configured like this cannot work without an API key; such an instance without one is
	 * disabled. Families whose API takes a key say so (a stand-in or a keyless gateway need not).
	 */
	default boolean needsApiKey(ProviderSettings.Instance settings) {
		return false;
	}

}
