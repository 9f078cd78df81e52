package dev.reelay.provider;

/** Builds adapters for one provider family's HTTP contract. */
public interface ProviderFamily {

	String name();

	VideoProvider create(String instanceName, ProviderSettings.Instance settings);

}
