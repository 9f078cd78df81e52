package dev.reelay.provider.kie;

import java.time.Clock;

import dev.reelay.provider.ProviderFamily;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.support.ProviderHttp;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/** Kie.ai, a reseller of Sora, Veo and others behind its own task API. */
@Component
class KieFamily implements ProviderFamily {

	private final WebClient.Builder webClients;

	KieFamily(WebClient.Builder webClients) {
		this.webClients = webClients;
	}

	@Override
	public String name() {
		return "kie";
	}

	@Override
	public VideoProvider create(String instanceName, ProviderSettings.Instance settings) {
		return new KieProvider(new ProviderHttp(instanceName, this.webClients, settings.timeout()),
				settings.baseUrlOr("https://api.kie.ai"), settings, Clock.systemUTC());
	}

}
