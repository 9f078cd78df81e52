package dev.reelay.provider.evolink;

import dev.reelay.provider.ProviderFamily;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.support.ProviderHttp;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/** EvoLink.ai, an aggregator of many video models behind one task API. */
@Component
class EvoLinkFamily implements ProviderFamily {

	private final WebClient.Builder webClients;

	EvoLinkFamily(WebClient.Builder webClients) {
		this.webClients = webClients;
	}

	@Override
	public String name() {
		return "evolink";
	}

	@Override
	public VideoProvider create(String instanceName, ProviderSettings.Instance settings) {
		String callback = settings.options().get("callback-url");
		if (callback != null && !callback.isBlank() && !callback.startsWith("https://")) {
			// EvoLink calls back only to HTTPS; saying so at startup beats every job failing with a 400.
			throw new IllegalStateException("Provider instance '" + instanceName
					+ "': EvoLink calls back only to https:// URLs, but options.callback-url is " + callback);
		}
		return new EvoLinkProvider(new ProviderHttp(instanceName, this.webClients, settings.timeout()),
				settings.baseUrlOr("https://api.evolink.ai"), settings);
	}

}
