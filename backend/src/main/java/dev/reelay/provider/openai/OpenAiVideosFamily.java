package dev.reelay.provider.openai;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.reelay.provider.BuiltInSimulator;
import dev.reelay.provider.FamilyTraits;
import dev.reelay.provider.ProviderCallMeter;
import dev.reelay.provider.ProviderFamily;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.WebhookVerifier;
import dev.reelay.provider.signing.StandardWebhookVerifier;

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

	// Empty in a build without the simulator module: its instance is then unavailable.
	private final Optional<BuiltInSimulator> simulator;

	OpenAiVideosFamily(WebClient.Builder webClients, Optional<BuiltInSimulator> simulator) {
		this.webClients = webClients;
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
		if (!BuiltInSimulator.KEY_PLACEHOLDER.equals(settings.apiKey())) {
			// The simulator takes only the key made at start; any other key would fail every job with a 401.
			throw new IllegalStateException("Provider instance '" + instanceName + "' has no base-url, so it is the "
					+ "built-in simulator: set its api-key to the placeholder '" + BuiltInSimulator.KEY_PLACEHOLDER
					+ "' (it stands for the key Reelay makes at start), or give it a base-url");
		}
		// Reached over HTTP like any provider; its address is known only once the server is up, hence asked late.
		// Created while off too (unavailableReason keeps jobs from it), as before; a build without it has no key.
		String key = this.simulator.map(BuiltInSimulator::key).orElse(BuiltInSimulator.KEY_PLACEHOLDER);
		return new OpenAiVideosProvider(instanceName, this.webClients.clone().build(),
				() -> this.simulator.orElseThrow(() -> new IllegalStateException("this build has no simulator")).baseUrl(),
				settings.withApiKey(key), Clock.systemUTC());
	}

	@Override
	public Optional<String> unavailableReason(ProviderSettings.Instance settings) {
		if (!isSimulator(settings)) {
			return Optional.empty();
		}
		if (this.simulator.isEmpty()) {
			return Optional.of("this build has no built-in simulator; give the instance a base-url");
		}
		return this.simulator.get().enabled() ? Optional.empty()
				: Optional.of("the built-in simulator is off (reelay.simulator.enabled; unset, it is off with tenants on)");
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
