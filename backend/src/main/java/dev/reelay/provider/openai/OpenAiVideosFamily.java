package dev.reelay.provider.openai;

import java.time.Clock;
import java.util.function.Supplier;

import dev.reelay.provider.ProviderFamily;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.VideoProvider;

import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;
import org.springframework.web.reactive.function.client.WebClient;

/** OpenAI's /v1/videos contract: OpenAI itself, OpenAI-compatible resellers, and Reelay's simulator. */
@Component
class OpenAiVideosFamily implements ProviderFamily {

	static final String NAME = "openai-videos";

	private final WebClient.Builder webClients;

	private final Environment environment;

	OpenAiVideosFamily(WebClient.Builder webClients, Environment environment) {
		this.webClients = webClients;
		this.environment = environment;
	}

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public VideoProvider create(String instanceName, ProviderSettings.Instance settings) {
		String configured = settings.baseUrl();
		// The simulator is served by this very process, whose port is only known once the server is up.
		Supplier<String> baseUrl = StringUtils.hasText(configured) ? () -> configured
				: () -> "http://127.0.0.1:" + this.environment.getRequiredProperty("local.server.port")
						+ "/simulator/openai/v1";
		return new OpenAiVideosProvider(instanceName, this.webClients.clone().build(), baseUrl, settings,
				Clock.systemUTC());
	}

}
