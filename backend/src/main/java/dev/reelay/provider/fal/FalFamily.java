package dev.reelay.provider.fal;

import java.time.Clock;

import dev.reelay.provider.ProviderFamily;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.support.ProviderHttp;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/** fal.ai's queue, in front of many video models. */
@Component
class FalFamily implements ProviderFamily {

	static final String JWKS_URL = "https://rest.fal.ai/.well-known/jwks.json";

	private final WebClient.Builder webClients;

	FalFamily(WebClient.Builder webClients) {
		this.webClients = webClients;
	}

	@Override
	public String name() {
		return "fal";
	}

	@Override
	public VideoProvider create(String instanceName, ProviderSettings.Instance settings) {
		ProviderHttp http = new ProviderHttp(instanceName, this.webClients, settings.timeout());
		Clock clock = Clock.systemUTC();
		return new FalProvider(http, settings.baseUrlOr("https://queue.fal.run"), settings,
				new FalWebhookKeys(http, settings.option("jwks-url", JWKS_URL), clock), clock);
	}

}
