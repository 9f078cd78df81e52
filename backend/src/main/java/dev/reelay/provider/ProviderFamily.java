package dev.reelay.provider;

/** Builds adapters for one provider family's HTTP contract. */
public interface ProviderFamily {

	String name();

	VideoProvider create(String instanceName, ProviderSettings.Instance settings);

	/** Whether an instance configured like this cannot work without an API key (most cannot). */
	default boolean needsApiKey(ProviderSettings.Instance settings) {
		return true;
	}

}
