package dev.reelay.provider.openai;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import dev.reelay.provider.FamilyTraits;
import dev.reelay.provider.ProviderCallMeter;
import dev.reelay.provider.ProviderFamily;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.WebhookVerifier;
import dev.reelay.provider.signing.StandardWebhookVerifier;
import dev.reelay.simulator.SimulatorAccess;

import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;
import org.springframework.web.reactive.function.client.WebClient;

/** OpenAI's /v1/videos contract: OpenAI itself, OpenAI-compatible resellers, and Reelay's simulator. */
@Component
class OpenAiVideosFamily implements ProviderFamily {

	static final String NAME = "openai-videos";

	/** Images by URL or upload, remixes, and a video list to find a lost create in; no cancel in the contract. */
	static final FamilyTraits TRAITS = new FamilyTraits(Set.of(FamilyTraits.ImageSource.URL,
			FamilyTraits.ImageSource.UPLOAD), true, false, true, FamilyTraits.FailedBilling.FULL);

	private final WebClient.Builder webClients;

	private final Environment environment;

	private final SimulatorAccess simulator;

	OpenAiVideosFamily(WebClient.Builder webClients, Environment environment, SimulatorAccess simulator) {
		this.webClients = webClients;
		this.environment = environment;
		this.simulator = simulator;
	}

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public VideoProvider create(String instanceName, ProviderSettings.Instance settings) {
		if (!isSimulator(settings)) {
			String configured = settings.baseUrl();
			return new OpenAiVideosProvider(instanceName, this.webClients.clone().build(), () -> configured, settings,
					Clock.systemUTC());
		}
		if (!SimulatorAccess.KEY_PLACEHOLDER.equals(settings.apiKey())) {
			// The simulator takes only the key made at start; any other key would fail every job with a 401.
			throw new IllegalStateException("Provider instance '" + instanceName + "' has no base-url, so it is the "
					+ "built-in simulator: set its api-key to the placeholder '" + SimulatorAccess.KEY_PLACEHOLDER
					+ "' (it stands for the key Reelay makes at start), or give it a base-url");
		}
		// The simulator is served by this very process, whose port is only known once the server is up. Loopback:
		// the simulator answers nothing else.
		Supplier<String> baseUrl = () -> "http://127.0.0.1:" + this.environment.getRequiredProperty("local.server.port")
				+ "/simulator/openai/v1";
		return new OpenAiVideosProvider(instanceName, this.webClients.clone().build(), baseUrl,
				settings.withApiKey(this.simulator.key()), Clock.systemUTC());
	}

	@Override
	public Optional<String> unavailableReason(ProviderSettings.Instance settings) {
		return (isSimulator(settings) && !this.simulator.enabled())
				? Optional.of("the built-in simulator is off (reelay.simulator.enabled; unset, it is off with tenants on)")
				: Optional.empty();
	}

	@Override
	public FamilyTraits traits(String instanceName, ProviderSettings.Instance settings) {
		return TRAITS;
	}

	/** Standard Webhooks signatures; the simulator signs the same way. */
	@Override
	public WebhookVerifier webhooks(String instanceName, ProviderSettings.Instance settings,
			ProviderCallMeter calls) {
		return new StandardWebhookVerifier(instanceName, settings, Clock.systemUTC(),
				List.<String[]>of(new String[] { "data", "id" }));
	}

	// A blank base URL is this Reelay's own simulator (see ProviderSettings).
	private static boolean isSimulator(ProviderSettings.Instance settings) {
		return !StringUtils.hasText(settings.baseUrl());
	}

}
