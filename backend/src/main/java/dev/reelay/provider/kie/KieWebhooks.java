package dev.reelay.provider.kie;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Objects;

import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.WebhookDelivery;
import dev.reelay.provider.WebhookNotice;
import dev.reelay.provider.WebhookRejectedException;
import dev.reelay.provider.WebhookVerifier;
import dev.reelay.provider.signing.KieSignatures;
import dev.reelay.provider.signing.Signatures;
import dev.reelay.provider.support.ProviderHttp;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** Kie's callbacks, signed over the task id and a timestamp with the instance's webhook key. */
public final class KieWebhooks implements WebhookVerifier {

	private final String instance;

	private final ProviderSettings.Instance settings;

	private final Clock clock;

	public KieWebhooks(String instance, ProviderSettings.Instance settings, Clock clock) {
		this.instance = instance;
		this.settings = settings;
		this.clock = clock;
	}

	@Override
	public Mono<WebhookNotice> verify(WebhookDelivery delivery) {
		return Mono.fromCallable(() -> {
			if (this.settings.webhookSecrets().isEmpty()) {
				throw Signatures.notConfigured(this.instance);
			}
			JsonNode callback = ProviderHttp.parse(new String(delivery.body(), StandardCharsets.UTF_8));
			String taskId = ProviderHttp.firstNonNull(ProviderHttp.text(callback, "data", "taskId"),
					ProviderHttp.text(callback, "data", "task_id"));
			if (taskId == null) {
				throw new WebhookRejectedException(WebhookRejectedException.Reason.UNVERIFIED,
						"the callback names no task id, so its signature cannot be checked");
			}
			KieSignatures.verify(delivery.headers(), taskId, this.settings.webhookSecrets(), this.clock.instant());
			String timestamp = Objects.requireNonNull(delivery.headers().getFirst("X-Webhook-Timestamp")).trim();
			// Market callbacks carry the task's state; Veo callbacks do not.
			String remoteId = callback.path("data").has("state") ? taskId : KieProvider.VEO_PREFIX + taskId;
			return new WebhookNotice(taskId + "." + timestamp, remoteId,
					"kie.callback." + Objects.requireNonNullElse(ProviderHttp.text(callback, "code"), "unknown"));
		});
	}

}
