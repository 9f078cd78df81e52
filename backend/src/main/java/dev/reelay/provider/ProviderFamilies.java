package dev.reelay.provider;

import java.time.Clock;
import java.util.List;
import java.util.Set;

import dev.reelay.provider.FamilyTraits.FailedBilling;
import dev.reelay.provider.FamilyTraits.ImageSource;
import dev.reelay.provider.evolink.EvoLinkProvider;
import dev.reelay.provider.evolink.EvoLinkWebhooks;
import dev.reelay.provider.fal.FalProvider;
import dev.reelay.provider.fal.FalWebhooks;
import dev.reelay.provider.gemini.GeminiInteractionsProvider;
import dev.reelay.provider.gemini.GeminiWebhooks;
import dev.reelay.provider.kie.KieProvider;
import dev.reelay.provider.kie.KieWebhooks;
import dev.reelay.provider.runway.RunwayProvider;
import dev.reelay.provider.signing.StandardWebhookVerifier;
import dev.reelay.provider.support.ProviderHttp;
import dev.reelay.provider.veo.GoogleVeoProvider;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The provider families with nothing to decide per instance beyond their settings, declared in one place: name,
 * traits, public base URL, adapter and webhook check. {@code openai-videos} (the built-in simulator) and
 * {@code task-api} (one file per API) keep classes of their own.
 */
@Configuration(proxyBeanMethods = false)
public class ProviderFamilies {

	static final FamilyTraits EVOLINK = new FamilyTraits(Set.of(ImageSource.URL), false, false, false,
			FailedBilling.FREE);

	static final FamilyTraits FAL = new FamilyTraits(Set.of(ImageSource.URL, ImageSource.UPLOAD), false, true, false,
			FailedBilling.ONLY_REFUSED_INPUT);

	static final FamilyTraits GEMINI = new FamilyTraits(Set.of(ImageSource.UPLOAD), false, true, false,
			FailedBilling.FULL);

	static final FamilyTraits KIE = new FamilyTraits(Set.of(ImageSource.URL), false, false, false, FailedBilling.FREE);

	static final FamilyTraits RUNWAY = new FamilyTraits(Set.of(ImageSource.URL, ImageSource.UPLOAD), false, true,
			false, FailedBilling.FULL);

	static final FamilyTraits VEO = new FamilyTraits(Set.of(ImageSource.UPLOAD), false, false, false,
			FailedBilling.FREE_WHEN_MODERATED);

	/** EvoLink.ai, an aggregator of many video models behind one task API. */
	@Bean
	public ProviderFamily evolinkFamily(WebClient.Builder webClients) {
		return new Declared("evolink", EVOLINK, (name, settings) -> new EvoLinkProvider(http(name, webClients, settings),
				settings.baseUrlOr("https://api.evolink.ai"), settings, EVOLINK),
				(name, settings, calls) -> new EvoLinkWebhooks(name, settings));
	}

	/** fal.ai's queue, in front of many video models. */
	@Bean
	public ProviderFamily falFamily(WebClient.Builder webClients) {
		return new Declared("fal", FAL, (name, settings) -> new FalProvider(http(name, webClients, settings),
				settings.baseUrlOr("https://queue.fal.run"), settings),
				(name, settings, calls) -> FalWebhooks.of(http(name, webClients, settings), settings, calls));
	}

	/** Gemini Omni (and whatever else Google serves) through the Gemini API's Interactions API. */
	@Bean
	public ProviderFamily geminiInteractionsFamily(WebClient.Builder webClients) {
		return new Declared("gemini-interactions", GEMINI,
				(name, settings) -> new GeminiInteractionsProvider(http(name, webClients, settings),
						settings.baseUrlOr("https://generativelanguage.googleapis.com/v1beta"), settings, GEMINI),
				(name, settings, calls) -> new GeminiWebhooks(name, settings, Clock.systemUTC()));
	}

	/** Kie.ai, a reseller of Sora, Veo and others behind its own task API. */
	@Bean
	public ProviderFamily kieFamily(WebClient.Builder webClients) {
		return new Declared("kie", KIE, (name, settings) -> new KieProvider(http(name, webClients, settings),
				settings.baseUrlOr("https://api.kie.ai"), settings, KIE),
				(name, settings, calls) -> new KieWebhooks(name, settings, Clock.systemUTC()));
	}

	/** Runway's developer API; it sends no webhooks. */
	@Bean
	public ProviderFamily runwayFamily(WebClient.Builder webClients) {
		return new Declared("runway", RUNWAY, (name, settings) -> new RunwayProvider(http(name, webClients, settings),
				settings.baseUrlOr("https://api.dev.runwayml.com"), settings),
				(name, settings, calls) -> WebhookVerifier.NONE);
	}

	/** Google Veo, on the Gemini API by default or on Vertex AI by configuration. */
	@Bean
	public ProviderFamily googleVeoFamily(WebClient.Builder webClients) {
		return new Declared("google-veo", VEO,
				(name, settings) -> GoogleVeoProvider.of(http(name, webClients, settings), settings, VEO),
				(name, settings, calls) -> new StandardWebhookVerifier(name, settings, Clock.systemUTC(),
						List.of(new String[] { "data", "name" }, new String[] { "data", "operation" },
								new String[] { "data", "id" })));
	}

	private static ProviderHttp http(String name, WebClient.Builder webClients, ProviderSettings.Instance settings) {
		return new ProviderHttp(name, webClients, settings.timeout());
	}

	/** How a declared family builds an instance's adapter. */
	@FunctionalInterface
	interface Adapters {

		VideoProvider create(String instanceName, ProviderSettings.Instance settings);

	}

	/** How a declared family builds an instance's webhook check. */
	@FunctionalInterface
	interface Webhooks {

		WebhookVerifier create(String instanceName, ProviderSettings.Instance settings, ProviderCallMeter calls);

	}

	/** A family declared above: the same traits for every instance. */
	record Declared(String name, FamilyTraits traits, Adapters adapters, Webhooks verifiers) implements ProviderFamily {

		@Override
		public VideoProvider create(String instanceName, ProviderSettings.Instance settings) {
			return this.adapters.create(instanceName, settings);
		}

		@Override
		public FamilyTraits traits(String instanceName, ProviderSettings.Instance settings) {
			return this.traits;
		}

		@Override
		public WebhookVerifier webhooks(String instanceName, ProviderSettings.Instance settings,
				ProviderCallMeter calls) {
			return this.verifiers.create(instanceName, settings, calls);
		}

	}

}
