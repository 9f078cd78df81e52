package dev.reelay.provider.veo;

import java.time.Clock;
import java.util.Objects;

import dev.reelay.provider.ProviderFamily;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.support.ProviderHttp;

import org.springframework.boot.convert.DurationStyle;
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
		ProviderHttp http = new ProviderHttp(instanceName, this.webClients, settings.timeout());
		return new GoogleVeoProvider(http, settings.baseUrlOr(GEMINI_BASE_URL), settings, vertex, Clock.systemUTC(),
				vertex ? tokens(instanceName, settings, http, Clock.systemUTC()) : AccessTokens.fixed(""));
	}

	/**
	 * The instance's key is a service-account key (its JSON, or the path of its file), traded for access tokens as
	 * they are needed; or else a static access token, which lapses after about an hour. {@code options.credentials}
	 * ({@code service-account} or {@code access-token}) says which when telling them apart by shape is not enough.
	 */
	static AccessTokens tokens(String instanceName, ProviderSettings.Instance settings, ProviderHttp http,
			Clock clock) {
		String credential = Objects.requireNonNullElse(settings.apiKey(), "");
		String kind = settings.option("credentials", "auto");
		boolean serviceAccount = kind.equals("service-account")
				|| (kind.equals("auto") && ServiceAccountKey.looksLikeKey(credential));
		if (!serviceAccount) {
			return AccessTokens.fixed(credential.strip());
		}
		ServiceAccountKey key = ServiceAccountKey.parse(credential, instanceName);
		String tokenUrl = settings.option("token-url",
				Objects.requireNonNullElse(key.tokenUri(), ServiceAccountTokens.GOOGLE_TOKEN_URL));
		return new ServiceAccountTokens(key, tokenUrl, settings.option("scope", ServiceAccountTokens.CLOUD_PLATFORM),
				DurationStyle.detectAndParse(settings.option("token-refresh-before", "5m")), http.client(),
				settings.timeout(), instanceName, clock);
	}

}
