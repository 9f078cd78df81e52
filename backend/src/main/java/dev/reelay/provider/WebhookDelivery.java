package dev.reelay.provider;

import org.springframework.http.HttpHeaders;
import org.springframework.modulith.NamedInterface;

/** A webhook request exactly as received: signatures cover the raw bytes, so nothing is parsed before checking. */
@NamedInterface("webhooks")
public record WebhookDelivery(HttpHeaders headers, byte[] body) {
}
