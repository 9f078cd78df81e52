package dev.reelay.provider.gemini;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Objects;

import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.WebhookDelivery;
import dev.reelay.provider.WebhookNotice;
import dev.reelay.provider.WebhookRejectedException;
import dev.reelay.provider.WebhookVerifier;
import dev.reelay.provider.signing.Signatures;
import dev.reelay.provider.signing.StandardWebhooks;
import dev.reelay.provider.support.ProviderHttp;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpHeaders;

/**
 * Gemini's webhooks: signed the Standard Webhooks way when the instance has a secret (static webhooks), else taken
 * unsigned, as a hint only, when the instance asks for per-request webhooks ({@code options.webhook-url}).
 */
public final class GeminiWebhooks implements WebhookVerifier {

	private final String instance;

	private final ProviderSettings.Instance settings;

	private final GeminiOptions options;

	private final Clock clock;

	public GeminiWebhooks(String instance, ProviderSettings.Instance settings, Clock clock) {
		this.instance = instance;
		this.settings = settings;
		this.options = GeminiOptions.of(settings);
		this.clock = clock;
	}

	@Override
	public Mono<WebhookNotice> verify(WebhookDelivery delivery) {
		return Mono.fromCallable(() -> {
			HttpHeaders headers = delivery.headers();
			String signature = Objects.requireNonNullElse(headers.getFirst("webhook-signature"), "");
			JsonNode event;
			String deliveryId;
			if (signature.startsWith("v1,")) {
				if (this.settings.webhookSecrets().isEmpty()) {
					throw Signatures.notConfigured(this.instance);
				}
				deliveryId = StandardWebhooks.verify(headers, delivery.body(), this.settings.webhookSecrets(),
						this.clock.instant());
				event = ProviderHttp.parse(new String(delivery.body(), StandardCharsets.UTF_8));
			}
			else if (this.options.webhookUrl() != null) {
				event = ProviderHttp.parse(new String(delivery.body(), StandardCharsets.UTF_8));
				String id = ProviderHttp.text(event, "data", "id");
				if (id == null || !id.startsWith("v1_")) {
					throw new WebhookRejectedException(WebhookRejectedException.Reason.UNVERIFIED,
							"the webhook names no Gemini interaction");
				}
				deliveryId = Objects.requireNonNullElse(headers.getFirst("webhook-id"),
						id + "." + ProviderHttp.text(event, "type"));
			}
			else {
				throw new WebhookRejectedException(WebhookRejectedException.Reason.NOT_ACCEPTED, "provider instance '"
						+ this.instance + "' has no webhook secret and asks for no per-request webhooks");
			}
			return new WebhookNotice(deliveryId, ProviderHttp.text(event, "data", "id"),
					Objects.requireNonNullElse(ProviderHttp.text(event, "type"), "unknown"));
		});
	}

}
