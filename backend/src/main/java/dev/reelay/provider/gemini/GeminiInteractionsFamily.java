package dev.reelay.provider.gemini;

import java.time.Clock;

import dev.reelay.provider.ProviderFamily;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.support.ProviderHttp;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/** Gemini Omni (and whatever else Google serves) through the Gemini API's Interactions API. */
@Component
class GeminiInteractionsFamily implements ProviderFamily {

	static final String BASE_URL = "https://generativelanguage.googleapis.com/v1beta";

	private final WebClient.Builder webClients;

	GeminiInteractionsFamily(WebClient.Builder webClients) {
		this.webClients = webClients;
	}

	@Override
	public String name() {
		return "gemini-interactions";
	}

	@Override
	public VideoProvider create(String instanceName, ProviderSettings.Instance settings) {
		return new GeminiInteractionsProvider(new ProviderHttp(instanceName, this.webClients, settings.timeout()),
				settings.baseUrlOr(BASE_URL), settings, Clock.systemUTC());
	}

}
