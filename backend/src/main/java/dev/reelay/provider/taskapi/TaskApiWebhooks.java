package dev.reelay.provider.taskapi;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.WebhookDelivery;
import dev.reelay.provider.WebhookNotice;
import dev.reelay.provider.WebhookRejectedException;
import dev.reelay.provider.WebhookVerifier;
import dev.reelay.provider.signing.Signatures;
import dev.reelay.provider.support.ProviderHttp;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * A task API's callbacks as its file describes them ({@code callback}): signed with a timestamped HMAC, or unsigned
 * and taken (as a hint) only when the instance asked for them.
 */
final class TaskApiWebhooks implements WebhookVerifier {

	private final String instance;

	private final String api;

	private final TaskApiSpec spec;

	private final ProviderSettings.Instance settings;

	private final Clock clock;

	TaskApiWebhooks(String instance, String api, TaskApiSpec spec, ProviderSettings.Instance settings, Clock clock) {
		this.instance = instance;
		this.api = api;
		this.spec = spec;
		this.settings = settings;
		this.clock = clock;
	}

	@Override
	public Mono<WebhookNotice> verify(WebhookDelivery delivery) {
		return Mono.fromCallable(() -> {
			TaskApiSpec.Callback callback = this.spec.callback();
			if (callback.id().isEmpty()) {
				throw new WebhookRejectedException(WebhookRejectedException.Reason.NOT_ACCEPTED,
						this.instance + " sends no callbacks Reelay reads");
			}
			if (callback.signature() == TaskApiSpec.Callback.Signature.TIMESTAMPED_HMAC) {
				verifyHmac(callback, delivery);
			}
			else {
				String url = this.settings.options().get("callback-url");
				if (url == null || url.isBlank()) {
					throw new WebhookRejectedException(WebhookRejectedException.Reason.NOT_ACCEPTED, "provider instance '"
							+ this.instance + "' asks for no callbacks (options.callback-url is not set)");
				}
			}
			JsonNode body = ProviderHttp.parse(new String(delivery.body(), StandardCharsets.UTF_8));
			String id = TaskApiProvider.first(body, callback.id());
			if (id == null) {
				throw new WebhookRejectedException(WebhookRejectedException.Reason.UNVERIFIED,
						"the callback names no task of " + this.instance);
			}
			String state = Objects.requireNonNullElse(TaskApiProvider.first(body, callback.state()), "update");
			String deliveryId = (callback.deliveryIdHeader() != null)
					? delivery.headers().getFirst(callback.deliveryIdHeader()) : null;
			// Only a hint either way: the task is fetched again before anything in it is believed.
			return new WebhookNotice(Objects.requireNonNullElse(deliveryId, id + "." + state), id,
					this.api + ".callback." + state.toLowerCase(Locale.ROOT));
		});
	}

	/** {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t><separator><raw body>">}, against every current secret. */
	private void verifyHmac(TaskApiSpec.Callback callback, WebhookDelivery delivery) {
		List<String> secrets = this.settings.webhookSecrets();
		if (secrets.isEmpty()) {
			throw Signatures.notConfigured(this.instance);
		}
		String header = delivery.headers().getFirst(callback.header());
		String timestamp = null;
		List<String> signatures = new ArrayList<>();
		for (String part : Objects.requireNonNullElse(header, "").split(",")) {
			String[] pair = part.trim().split("=", 2);
			if (pair.length == 2 && pair[0].equals("t")) {
				timestamp = pair[1].trim();
			}
			else if (pair.length == 2 && pair[0].equals("v1")) {
				signatures.add(pair[1].trim());
			}
		}
		if (header == null || signatures.isEmpty()) {
			throw new WebhookRejectedException(WebhookRejectedException.Reason.UNVERIFIED,
					"the " + callback.header() + " header is missing or has no v1 signature");
		}
		Signatures.requireFresh(timestamp, this.clock.instant());
		byte[] prefix = (timestamp + callback.separator()).getBytes(StandardCharsets.UTF_8);
		byte[] signed = new byte[prefix.length + delivery.body().length];
		System.arraycopy(prefix, 0, signed, 0, prefix.length);
		System.arraycopy(delivery.body(), 0, signed, prefix.length, delivery.body().length);
		for (String secret : secrets) {
			String expected = HexFormat.of()
				.formatHex(Signatures.hmacSha256(secret.getBytes(StandardCharsets.UTF_8), signed));
			for (String signature : signatures) {
				if (Signatures.same(expected, signature)) {
					return;
				}
			}
		}
		throw new WebhookRejectedException(WebhookRejectedException.Reason.UNVERIFIED,
				"no webhook secret of " + this.instance + " matches the signature");
	}

}
