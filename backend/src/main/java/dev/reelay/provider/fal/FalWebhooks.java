package dev.reelay.provider.fal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Objects;

import dev.reelay.provider.ProviderCallMeter;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.WebhookDelivery;
import dev.reelay.provider.WebhookNotice;
import dev.reelay.provider.WebhookRejectedException;
import dev.reelay.provider.WebhookVerifier;
import dev.reelay.provider.signing.Ed25519Signatures;
import dev.reelay.provider.signing.Signatures;
import dev.reelay.provider.support.ProviderHttp;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpHeaders;

/**
 * fal's webhooks: Ed25519 over {@code request_id \n user_id \n timestamp \n hex(sha256(body))}, checked with any key
 * of fal's published set (fetched through the instance's limits, see {@link FalWebhookKeys}); the timestamp must be
 * within 300 s.
 */
public final class FalWebhooks implements WebhookVerifier {

	static final String JWKS_URL = "https://rest.fal.ai/.well-known/jwks.json";

	private final FalWebhookKeys keys;

	private final Clock clock;

	FalWebhooks(FalWebhookKeys keys, Clock clock) {
		this.keys = keys;
		this.clock = clock;
	}

	/** An instance's check, its keys fetched from {@code options.jwks-url} (default fal's) through {@code calls}. */
	public static FalWebhooks of(ProviderHttp http, ProviderSettings.Instance settings, ProviderCallMeter calls) {
		Clock clock = Clock.systemUTC();
		return new FalWebhooks(new FalWebhookKeys(http, settings.option("jwks-url", JWKS_URL), clock, calls), clock);
	}

	@Override
	public Mono<WebhookNotice> verify(WebhookDelivery delivery) {
		HttpHeaders headers = delivery.headers();
		String requestId = headers.getFirst("X-Fal-Webhook-Request-Id");
		String userId = headers.getFirst("X-Fal-Webhook-User-Id");
		String timestamp = headers.getFirst("X-Fal-Webhook-Timestamp");
		String signature = headers.getFirst("X-Fal-Webhook-Signature");
		if (requestId == null || userId == null || signature == null) {
			return Mono.error(new WebhookRejectedException(WebhookRejectedException.Reason.UNVERIFIED,
					"the X-Fal-Webhook-* signature headers are missing"));
		}
		return Mono.fromRunnable(() -> Signatures.requireFresh(timestamp, this.clock.instant()))
			.then(this.keys.current()
				// fal's key endpoint failing (or the instance's limits leaving no room to ask it now) says nothing
				// against the webhook: unavailable, so fal sends it again.
				.onErrorMap((error) -> new WebhookRejectedException(WebhookRejectedException.Reason.UNAVAILABLE,
						"fal's published webhook keys could not be fetched to check the signature; try again later")))
			.map((published) -> {
				String message = requestId + "\n" + userId + "\n" + timestamp.trim() + "\n" + sha256Hex(delivery.body());
				if (!Ed25519Signatures.verifiesAny(published, message.getBytes(StandardCharsets.UTF_8), signature)) {
					throw new WebhookRejectedException(WebhookRejectedException.Reason.UNVERIFIED,
							"the signature does not verify with any of fal's published keys");
				}
				JsonNode payload = ProviderHttp.parse(new String(delivery.body(), StandardCharsets.UTF_8));
				return new WebhookNotice(requestId + "." + timestamp.trim(), requestId,
						"fal." + Objects.requireNonNullElse(ProviderHttp.text(payload, "status"), "unknown"));
			});
	}

	static String sha256Hex(byte[] body) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
