package dev.reelay.provider.openai;

import dev.reelay.provider.ProviderFamily;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.VideoProvider;

/** An OpenAI Videos adapter as its contract test builds it, for tests in other packages. */
public final class OpenAiVideosFamilyAccess {

	private OpenAiVideosFamilyAccess() {
	}

	public static VideoProvider create(String name, ProviderSettings.Instance settings) {
		return OpenAiVideosContractTests.family().create(name, settings);
	}

	public static ProviderFamily family() {
		return OpenAiVideosContractTests.family();
	}

}
