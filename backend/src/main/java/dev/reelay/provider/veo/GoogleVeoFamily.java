package dev.reelay.provider.veo;

import java.time.Clock;

import dev.reelay.provider.ProviderFamily;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.support.ProviderHttp;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/** Google Veo, on the Gemini API by default or on Vertex AI by configuration. */
@Component
class GoogleVeoFamily implements ProviderFamily {

	static final String GEMINI_BASE_URL = "https://generativelanguage.googleapis.com/v1beta";

	private final WebClient.Builder webClients;

	GoogleVeoFamily(WebClient.Builder webClients) {
		this.webClients = webClients;
	}

	@Override
	public String name() {
		return "google-veo";
	}

	@Override
	public VideoProvider create(String instanceName, ProviderSettings.Instance settings) {
		boolean vertex = "vertex".equalsIgnoreCase(settings.option("api", "gemini"));
		if (vertex && (settings.baseUrl() == null || settings.baseUrl().isBlank())) {
			throw new IllegalStateException("Provider instance '" + instanceName + "' uses Vertex AI and needs a "
					+ "base-url like https://LOCATION-aiplatform.googleapis.com/v1/projects/PROJECT/locations/LOCATION"
					+ "/publishers/google");
		}
		return new GoogleVeoProvider(new ProviderHttp(instanceName, this.webClients, settings.timeout()),
				settings.baseUrlOr(GEMINI_BASE_URL), settings, vertex, Clock.systemUTC());
	}

}
