package dev.reelay.provider.evolink;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.WebhookDelivery;
import dev.reelay.provider.WebhookNotice;
import dev.reelay.provider.WebhookRejectedException;
import dev.reelay.provider.WebhookVerifier;
import dev.reelay.provider.support.ProviderHttp;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * EvoLink's callbacks carry no signature: one is taken only when the instance asked for callbacks, and only as a
 * hint (the task is fetched again before anything in it is believed).
 */
public final class EvoLinkWebhooks implements WebhookVerifier {

	private final String instance;

	private final ProviderSettings.Instance settings;

	public EvoLinkWebhooks(String instance, ProviderSettings.Instance settings) {
		this.instance = instance;
		this.settings = settings;
	}

	@Override
	public Mono<WebhookNotice> verify(WebhookDelivery delivery) {
		return Mono.fromCallable(() -> {
			String callback = this.settings.options().get("callback-url");
			if (callback == null || callback.isBlank()) {
				throw new WebhookRejectedException(WebhookRejectedException.Reason.NOT_ACCEPTED, "provider instance '"
						+ this.instance + "' asks EvoLink for no callbacks (options.callback-url is not set)");
			}
			JsonNode task = ProviderHttp.parse(new String(delivery.body(), StandardCharsets.UTF_8));
			String id = ProviderHttp.text(task, "id");
			if (id == null || !id.startsWith(EvoLinkProvider.TASK_PREFIX)) {
				throw new WebhookRejectedException(WebhookRejectedException.Reason.UNVERIFIED,
						"the callback names no EvoLink task");
			}
			String status = Objects.requireNonNullElse(ProviderHttp.text(task, "status"), "unknown");
			return new WebhookNotice(id + "." + status, id, "evolink.task." + status);
		});
	}

}
