package dev.reelay.provider.runway;

import dev.reelay.provider.ProviderFamily;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.support.ProviderHttp;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/** Runway's developer API. */
@Component
class RunwayFamily implements ProviderFamily {

	private final WebClient.Builder webClients;

	RunwayFamily(WebClient.Builder webClients) {
		this.webClients = webClients;
	}

	@Override
	public String name() {
		return "runway";
	}

	@Override
	public VideoProvider create(String instanceName, ProviderSettings.Instance settings) {
		return new RunwayProvider(new ProviderHttp(instanceName, this.webClients, settings.timeout()),
				settings.baseUrlOr("https://api.dev.runwayml.com"), settings);
	}

}
