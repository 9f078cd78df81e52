package dev.reelay.provider.signing;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.WebhookDelivery;
import dev.reelay.provider.WebhookNotice;
import dev.reelay.provider.WebhookVerifier;
import dev.reelay.provider.support.ProviderHttp;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Webhooks signed the Standard Webhooks way (OpenAI, Google's static webhooks) with any of the instance's current
 * secrets; the remote job is the first of {@code remoteIdPaths} the event carries.
 */
public final class StandardWebhookVerifier implements WebhookVerifier {

	private final String instance;

	private final ProviderSettings.Instance settings;

	private final Clock clock;

	private final List<String[]> remoteIdPaths;

	public StandardWebhookVerifier(String instance, ProviderSettings.Instance settings, Clock clock,
			List<String[]> remoteIdPaths) {
		this.instance = instance;
		this.settings = settings;
		this.clock = clock;
		this.remoteIdPaths = List.copyOf(remoteIdPaths);
	}

	@Override
	public Mono<WebhookNotice> verify(WebhookDelivery delivery) {
		return Mono.fromCallable(() -> {
			if (this.settings.webhookSecrets().isEmpty()) {
				throw Signatures.notConfigured(this.instance);
			}
			String id = StandardWebhooks.verify(delivery.headers(), delivery.body(), this.settings.webhookSecrets(),
					this.clock.instant());
			JsonNode event = ProviderHttp.parse(new String(delivery.body(), StandardCharsets.UTF_8));
			return new WebhookNotice(id, remoteId(event),
					Objects.requireNonNullElse(ProviderHttp.text(event, "type"), "unknown"));
		});
	}

	private @Nullable String remoteId(JsonNode event) {
		for (String[] path : this.remoteIdPaths) {
			String value = ProviderHttp.text(event, path);
			if (value != null) {
				return value;
			}
		}
		return null;
	}

}
